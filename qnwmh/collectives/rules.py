"""Permission predicates on collectives (django-rules, docs/decisions/009-permissions.md).
Views, API and domain name these; they do not re-implement them. Scope comes first from
`Collective.objects.visible_to(user)`; these decide the action."""

import rules

from qnwmh.core.roles import AccountKind, has_role
from qnwmh.units.rules import is_admin_over


@rules.predicate
def is_admin_over_collective(user, collective) -> bool:
    """An admin whose subtree holds the collective's jurisdiction — "the admin above" of seeds
    000 Q2, Q3, Q5."""
    return is_admin_over(user, collective.unit)


@rules.predicate
def is_the_collective(user, collective) -> bool:
    """The collective's own account."""
    return has_role(user, AccountKind.COLLECTIVE) and collective.user_id == user.pk


@rules.predicate
def is_admin_of_own_unit(user) -> bool:
    return is_admin_over(user, getattr(user, "unit", None))


# (user, unit): every tier creates codes in its own subtree (seeds 000 附件3: 各级管理员均具有
# 创建用户名（编码）的权限).
can_create_collective = is_admin_over
# (user, collective): rename, edit, reset the password, unlock, unfreeze; a transfer also needs
# is_admin_over the new unit (two objects: the domain tests both).
can_manage_collective = is_admin_over_collective
can_view_collective = can_manage_collective | is_the_collective
can_import_collectives = is_admin_of_own_unit


@rules.predicate
def is_admin_over_deciding_unit(user, transfer_request) -> bool:
    """The lowest unit over both ends of a transfer request decides it (seeds 000 Q4)."""
    return is_admin_over(user, transfer_request.deciding_unit)


# (user, transfer request): accept or decline.
can_decide_transfer = is_admin_over_deciding_unit
