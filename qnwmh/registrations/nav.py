"""Navigation entries of this area (collected by qnwmh/web/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from qnwmh.core.navigation import NavItem, holder_of
from qnwmh.core.roles import AccountKind, AdminRole

_collective = holder_of(AccountKind.COLLECTIVE)
_admin = holder_of(AdminRole.BUSINESS)

ITEMS: list = [
    NavItem(_("My applications"), "registrations:mine", _collective),
    NavItem(_("Review queue"), "registrations:queue", _admin),
    NavItem(_("Progress query"), "registrations:progress", _admin),
]
