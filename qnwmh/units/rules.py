"""Permission predicates on units (django-rules, docs/decisions/009-permissions.md): each takes
(user, unit) and combines with & and |. Views, API and domain name these; they do not
re-implement them."""

import rules

from qnwmh.core.roles import AdminRole, has_role


def holder_over(role) -> rules.Predicate:
    """(user, unit): an active admin of `role` acts on its own unit and everything below it."""

    @rules.predicate(name=f"is_{role.lower()}_admin_over")
    def holds_role_over(user, unit) -> bool:
        return bool(
            has_role(user, role)
            and user.is_active
            and user.unit is not None
            and unit is not None
            and user.unit.contains(unit)
        )

    return holds_role_over


# A business admin (业务管理员) acts on its own unit and everything below it: the predicate of
# the domain work (collectives, cycles, registrations).
is_admin_over = holder_over(AdminRole.BUSINESS)
is_system_admin_over = holder_over(AdminRole.SYSTEM)
is_security_admin_over = holder_over(AdminRole.SECURITY)

# Units are the system administrator's (系统管理员).
can_create_child_unit = is_system_admin_over
# Admin accounts of a unit are created by the system administrator of it or above.
can_manage_admins_of = is_system_admin_over
