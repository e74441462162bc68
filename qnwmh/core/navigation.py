"""The navigation's building blocks: an entry, and who sees it. Each area lists its entries in
its own nav.py (ITEMS); the menu that puts them in order is the top layer's
(qnwmh/web/navigation.py). The predicates only hide links: the target views check again."""

from collections.abc import Callable
from dataclasses import dataclass

from qnwmh.core.roles import has_role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable


def anyone(user) -> bool:
    return True


def holder_of(role):
    """A navigation predicate: accounts of exactly `role` (an AdminRole — 三权分立 — or an
    AccountKind)."""

    def visible(user) -> bool:
        return has_role(user, role)

    return visible
