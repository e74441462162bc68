"""Scope at the bottom: the one way a model says which of its rows an account may see, and the
one way an edge fetches a row it may see (else 404).

A model's queryset declares its `scope` (which path column, which roles see the subtree of their
unit, which lookup names a row's owner); `visible_to(user)` turns that into one filter. "Under
my unit" is always the index range of core/paths.py on a digit-only path column.
"""

from dataclasses import dataclass

from django.db import models
from django.shortcuts import get_object_or_404

from qnwmh.core.paths import ancestor_paths, subtree_filter
from qnwmh.core.roles import AccountKind, AdminRole

# Every administrator role: any admin account sees the subtree.
ANY_ADMIN = frozenset(AdminRole.values)
# The domain work's rows: the business administrator's subtree (业务管理员).
BUSINESS = frozenset({AdminRole.BUSINESS})
# Rows a collective's own account sees of itself.
COLLECTIVE = frozenset({AccountKind.COLLECTIVE})


@dataclass(frozen=True)
class Scope:
    """Who sees a row.

    - `path`: the digit-only path column ("unit_path", "unit__path", "scope_path"); an account
      of one of `roles` (None: every account) with a unit sees the rows in its unit's subtree,
      and with `with_ancestors` also those of the units above it.
    - `owner`: the lookup naming the account a row belongs to ("user", "created_by",
      "collective__user"); an account of one of `owner_kinds` (None: every account) sees its
      own rows.
    """

    path: str = ""
    roles: frozenset | None = frozenset()
    with_ancestors: bool = False
    owner: str = ""
    owner_kinds: frozenset | None = None

    def condition(self, user) -> models.Q | None:
        """The filter for an authenticated account; None: it sees nothing."""
        found = None
        if self.path and self._sees_subtree(user):
            own = user.unit.path
            found = models.Q(**subtree_filter(self.path, own))
            if self.with_ancestors:
                found |= models.Q(**{f"{self.path}__in": ancestor_paths(own)})
        if self.owner and (self.owner_kinds is None or user.kind in self.owner_kinds):
            mine = models.Q(**{self.owner: user})
            found = mine if found is None else found | mine
        return found

    def _sees_subtree(self, user) -> bool:
        if user.unit_id is None:
            return False
        if self.roles is None:
            return True
        return user.kind == AccountKind.ADMIN and user.admin_role in self.roles


class ScopedQuerySet(models.QuerySet):
    """The base of every model's queryset that a user may see part of."""

    scope: Scope = Scope()

    def visible_to(self, user):
        """The one place that decides which rows `user` may see (anonymous: none)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = self.scope.condition(user)
        return self.none() if condition is None else self.filter(condition)

    def within(self, path: str):
        """The rows in the subtree rooted at `path` (whoever asks)."""
        return self.filter(**subtree_filter(self.scope.path, path))


def get_visible_or_404(queryset_or_model, user, **lookup):
    """The one row `lookup` names among those `user` may see, else 404: outside one's subtree
    looks like nothing at all. Pass the model, or a queryset to shape the fetch
    (`Registration.objects.select_related("cycle")`)."""
    queryset = (
        queryset_or_model
        if isinstance(queryset_or_model, models.QuerySet)
        else queryset_or_model._default_manager.all()
    )
    return get_object_or_404(queryset.visible_to(user), **lookup)
