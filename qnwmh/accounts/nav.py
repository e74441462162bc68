"""The accounts entries of the navigation (listed in qnwmh/web/navigation.py LAST): their
labels live here so their Chinese is in the accounts catalogue."""

from django.utils.translation import gettext_lazy as _

from qnwmh.accounts.enums import AdminRole

MY_SESSIONS = _("My sessions")
ACCOUNT_SECURITY = _("Account security")
SECURITY_POLICY = _("Security policy")


def holder_of(role):
    """A navigation predicate: admin accounts of exactly `role` (三权分立)."""

    def visible(user) -> bool:
        return user.holds(role)

    return visible


system_admin = holder_of(AdminRole.SYSTEM)
security_admin = holder_of(AdminRole.SECURITY)
audit_admin = holder_of(AdminRole.AUDIT)
