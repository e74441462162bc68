"""The menu: the entries of every area in order, for one account (core/navigation.py holds the
building blocks; each area lists its entries in its nav.py). The target views check permissions
again; this only hides links."""

import functools
from importlib import import_module

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from qnwmh.accounts.nav import (
    ACCOUNT_SECURITY,
    MY_SESSIONS,
    SECURITY_POLICY,
    audit_admin,
    security_admin,
    system_admin,
)
from qnwmh.core.navigation import NavItem
from qnwmh.core.navigation import anyone as _anyone

FIRST: list[NavItem] = [
    NavItem(_("Home"), "web:home", _anyone),
]
LAST: list[NavItem] = [
    # 三权分立: each administrator role sees only its own entries.
    NavItem(_("Units"), "units:index", system_admin),
    NavItem(ACCOUNT_SECURITY, "accounts:security_accounts", security_admin),
    NavItem(SECURITY_POLICY, "accounts:security_policy", security_admin),
    NavItem(_("Audit log"), "audit:list", audit_admin),
    NavItem(_("Login history"), "accounts:history", _anyone),
    NavItem(_("Change password"), "accounts:password_change", _anyone),
    NavItem(MY_SESSIONS, "accounts:sessions", _anyone),
]
# Domain areas in menu order; each has a nav.py with its ITEMS.
AREAS = ["qnwmh.registrations", "qnwmh.collectives", "qnwmh.cycles"]


def all_items() -> list[NavItem]:
    items = list(FIRST)
    for area in AREAS:
        items += import_module(f"{area}.nav").ITEMS
    return items + LAST


@functools.cache
def _url_of(url_name: str, script_prefix: str) -> str:
    # Reversed once per prefix, not for every item of every page.
    return reverse(url_name)


def items_for(user, current_path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    result = []
    prefix = get_script_prefix()
    for item in all_items():
        if not item.visible(user):
            continue
        url = _url_of(item.url_name, prefix)
        active = current_path == url or (url != "/" and current_path.startswith(url))
        result.append({"label": item.label, "url": url, "active": active})
    return result
