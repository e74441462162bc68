"""Navigation entries of this area (collected by qnwmh/web/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from qnwmh.web.navigation import NavItem


def _collective(user) -> bool:
    return user.is_collective


def _admin(user) -> bool:
    return user.is_admin


ITEMS: list = [
    NavItem(_("My applications"), "registrations:mine", _collective),
    NavItem(_("Review queue"), "registrations:queue", _admin),
    NavItem(_("Progress query"), "registrations:progress", _admin),
]
