"""Navigation entries of this area (collected by qnwmh/web/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from qnwmh.web.navigation import NavItem


def _admin(user) -> bool:
    return user.is_admin


ITEMS: list = [
    NavItem(_("Collectives"), "collectives:list", _admin),
]
