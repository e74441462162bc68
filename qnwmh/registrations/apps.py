from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "qnwmh.registrations"
    label = "registrations"
    verbose_name = _("Online registration")

    def ready(self):
        # The named permissions (rules.add_perm) exist once the app is loaded, not only once
        # something happens to import rules.py.
        from qnwmh.registrations import rules  # noqa: F401
