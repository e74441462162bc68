"""The accounts entries of the navigation (listed in qnwmh/web/navigation.py LAST): their
labels live here so their Chinese is in the accounts catalogue."""

from django.utils.translation import gettext_lazy as _

from qnwmh.core.navigation import holder_of
from qnwmh.core.roles import AdminRole

MY_SESSIONS = _("My sessions")
ACCOUNT_SECURITY = _("Account security")
SECURITY_POLICY = _("Security policy")

system_admin = holder_of(AdminRole.SYSTEM)
security_admin = holder_of(AdminRole.SECURITY)
audit_admin = holder_of(AdminRole.AUDIT)
