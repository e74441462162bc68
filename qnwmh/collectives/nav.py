"""Navigation entries of this area (collected by qnwmh/web/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from qnwmh.core.navigation import NavItem, holder_of
from qnwmh.core.roles import AdminRole

_admin = holder_of(AdminRole.BUSINESS)

ITEMS: list = [
    NavItem(_("Collectives"), "collectives:list", _admin),
]
