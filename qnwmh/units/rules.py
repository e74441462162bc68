"""Permission predicates on units. Views and API name these; they do not re-implement them."""

from qnwmh.accounts.enums import AdminRole


def holds_role_over(user, role, unit) -> bool:
    """An active admin of `role` acts on its own unit and everything below it."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.holds(role)
        and user.is_active
        and user.unit is not None
        and unit is not None
        and user.unit.contains(unit)
    )


def is_admin_over(user, unit) -> bool:
    """A business admin (业务管理员) acts on its own unit and everything below it: the
    predicate of the domain work (collectives, cycles, registrations)."""
    return holds_role_over(user, AdminRole.BUSINESS, unit)


def can_create_child_unit(user, parent) -> bool:
    """Units are the system administrator's (系统管理员)."""
    return holds_role_over(user, AdminRole.SYSTEM, parent)


def can_manage_admins_of(user, unit) -> bool:
    """Admin accounts of a unit are created by the system administrator of it or above."""
    return holds_role_over(user, AdminRole.SYSTEM, unit)
