"""Permission predicates on collectives. Views and API name these; they do not re-implement
them. Scope comes first from `Collective.objects.visible_to(user)`; these decide the action."""

from qnwmh.units.rules import is_admin_over


def can_create_collective(user, unit) -> bool:
    """Every tier creates codes in its own subtree (seeds 000 附件3: 各级管理员均具有创建用户名
    （编码）的权限)."""
    return is_admin_over(user, unit)


def can_manage_collective(user, collective) -> bool:
    """Rename, edit, reset the password, unlock, unfreeze: an admin whose subtree holds the
    collective's jurisdiction — "the admin above" of seeds 000 Q2, Q3, Q5."""
    return is_admin_over(user, collective.unit)


def can_view_collective(user, collective) -> bool:
    return can_manage_collective(user, collective) or bool(
        getattr(user, "is_authenticated", False)
        and user.is_collective
        and collective.user_id == user.pk
    )


def can_transfer_collective(user, collective, new_unit) -> bool:
    """Moving to another jurisdiction needs an admin over both ends (seeds 000 Q4: the upper
    admin puts it on the right unit)."""
    return can_manage_collective(user, collective) and is_admin_over(user, new_unit)


def can_import_collectives(user) -> bool:
    return is_admin_over(user, getattr(user, "unit", None))
