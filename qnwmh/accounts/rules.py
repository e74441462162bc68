"""Who may act on another account (三权分立, docs/decisions/008-separated-admin-roles.md): the
system administrator runs accounts' life (password resets, disable, enable), the security
administrator their security (unlock, two-factor reset, sessions, login history); the business
administrator resets and unlocks the collectives it manages (collectives app).

django-rules predicates (docs/decisions/009-permissions.md): (actor, target account), combined
with & and |. The domain and the pages name them."""

import rules

from qnwmh.core.roles import AdminRole, has_role
from qnwmh.units.enums import Tier
from qnwmh.units.rules import is_admin_over, is_security_admin_over, is_system_admin_over


@rules.predicate
def is_other_account(actor, target) -> bool:
    # Never one's own account: that is a password change, not a reset.
    return actor is not None and target is not None and actor.pk != target.pk


@rules.predicate
def is_system_admin_above(actor, target) -> bool:
    return is_system_admin_over(actor, target.unit)


@rules.predicate
def is_security_admin_above(actor, target) -> bool:
    return is_security_admin_over(actor, target.unit)


@rules.predicate
def is_business_admin_over_collective(actor, target) -> bool:
    return target.is_collective and is_admin_over(actor, target.unit)


# The admin above resets a forgotten password (seeds 000 Q2): the system administrator for any
# account of its subtree, the business administrator for a collective it manages.
can_reset_password = is_other_account & (is_system_admin_above | is_business_admin_over_collective)
# Lockouts are the security administrator's; a collective's also its business admin's.
can_unlock = is_other_account & (is_security_admin_above | is_business_admin_over_collective)
# A lost authenticator is reset by the security administrator above (issue 4).
can_reset_two_factor = is_other_account & is_security_admin_above
# 停用/启用: an account's life is the system administrator's.
can_disable = is_other_account & is_system_admin_above
# Another account's two-factor state, sessions and login history: the security administrator
# above.
can_view_security = can_reset_two_factor
# 强制下线: ending another account's sessions and API tokens is the security administrator
# above it (a stolen password, a shared computer left logged in).
can_end_sessions = can_view_security


@rules.predicate
def can_view_security_policy(user) -> bool:
    """安全策略: every active security administrator reads the policy in force."""
    return has_role(user, AdminRole.SECURITY) and user.is_active


@rules.predicate
def is_national(user) -> bool:
    """An account of the national committee (tier 0)."""
    return user.unit is not None and user.unit.tier == Tier.NATIONAL


# One policy for the whole country, set by the national committee's security administrator
# (tier 0); the provinces' and below read it.
can_change_security_policy = can_view_security_policy & is_national
