from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "qnwmh.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from qnwmh.accounts.domain.sessions import record_login

        # Index every login's session (see sessions.record_login for why a receiver).
        user_logged_in.connect(record_login, dispatch_uid="qnwmh.accounts.record_login")
