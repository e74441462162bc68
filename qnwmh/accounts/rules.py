"""Who may act on another account (三权分立, docs/decisions/008-separated-admin-roles.md):
the system administrator runs accounts' life (password resets, disable, enable), the security
administrator their security (unlock, two-factor reset, sessions, login history); the business
administrator resets and unlocks the collectives it manages (collectives app)."""

from django.utils.translation import gettext as _

from qnwmh.accounts.enums import AdminRole
from qnwmh.core.errors import Forbidden
from qnwmh.units.enums import Tier
from qnwmh.units.rules import holds_role_over, is_admin_over


class WrongRole(Forbidden):
    """API: 403 for an admin of another role (三权分立, API.md Errors: "or wrong role")."""

    def __init__(self):
        super().__init__(_("This is the work of another administrator role."))


def _other(actor, target) -> bool:
    # Never one's own account: that is a password change, not a reset.
    return actor is not None and target is not None and actor.pk != target.pk


def _business_over_collective(actor, target) -> bool:
    return target.is_collective and is_admin_over(actor, target.unit)


def can_reset_password(actor, target) -> bool:
    """The admin above resets a forgotten password (seeds 000 Q2): the system administrator for
    any account of its subtree, the business administrator for a collective it manages."""
    if not _other(actor, target):
        return False
    return holds_role_over(actor, AdminRole.SYSTEM, target.unit) or _business_over_collective(
        actor, target
    )


def can_unlock(actor, target) -> bool:
    """Lockouts are the security administrator's; a collective's also its business admin's."""
    if not _other(actor, target):
        return False
    return holds_role_over(actor, AdminRole.SECURITY, target.unit) or _business_over_collective(
        actor, target
    )


def can_reset_two_factor(actor, target) -> bool:
    """A lost authenticator is reset by the security administrator above (issue 4)."""
    return _other(actor, target) and holds_role_over(actor, AdminRole.SECURITY, target.unit)


def can_disable(actor, target) -> bool:
    """停用/启用: an account's life is the system administrator's."""
    return _other(actor, target) and holds_role_over(actor, AdminRole.SYSTEM, target.unit)


def can_view_security(actor, target) -> bool:
    """Another account's two-factor state, sessions and login history: the security
    administrator above."""
    return can_reset_two_factor(actor, target)


def can_end_sessions(actor, target) -> bool:
    """强制下线: ending another account's sessions and API tokens is the security administrator
    above it (a stolen password, a shared computer left logged in)."""
    return can_view_security(actor, target)


def can_view_security_policy(user) -> bool:
    """安全策略: every active security administrator reads the policy in force."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.holds(AdminRole.SECURITY)
        and user.is_active
    )


def can_change_security_policy(user) -> bool:
    """One policy for the whole country, set by the national committee's security administrator
    (tier 0); the provinces' and below read it."""
    return (
        can_view_security_policy(user) and user.unit is not None and user.unit.tier == Tier.NATIONAL
    )
