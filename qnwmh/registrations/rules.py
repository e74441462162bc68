"""Who may do what to a registration (seeds 000 附件3; ../shared/API.md, Registration states).

django-rules predicates (docs/decisions/009-permissions.md): each takes (user, registration) and
combines with & and |. Each action has a *role* predicate (`may_<action>`: who, over which
subtree), which the workflow (workflow.py) checks first (403), and the states it starts from,
checked second (409), so a refusal says which of the two failed. `can_<action>` is both
together, registered as the permission "registrations.<action>_registration". Views and API name
these; they never re-implement them, and templates only show what `allowed_review_actions`
returns.

    tier 2/3 of the jurisdiction   初审通过 (pre-approve) a submitted registration
    tier 0/1 over it               审核通过 (approve) from submitted or pre-approved;
                                   tier 2/3 too when tier 1 delegated approval for the cycle
    any reviewer over it           退回 (return) with a reason while under review
    whoever may approve            取消创建资格 (cancel) from submitted, pre-approved or approved
    the collective itself          edits and submits in draft or returned
"""

import rules
from django.db.models import Exists, OuterRef, Q

from qnwmh.core import paths
from qnwmh.cycles.domain import approval_delegated_to
from qnwmh.cycles.models import Delegation
from qnwmh.registrations.enums import EDITABLE, TRANSITIONS, UNDER_REVIEW, Action
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.units.enums import Tier


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_own_collective(user, registration) -> bool:
    """The collective's own account (its code is its login)."""
    return _active(user) and user.is_collective and registration.collective.user_id == user.pk


@rules.predicate
def is_reviewer_over(user, registration) -> bool:
    """A business admin whose unit is the registration's unit or above it (the subtree)."""
    return (
        _active(user)
        and user.is_business_admin
        and user.unit is not None
        and registration.unit_path.startswith(user.unit.path)
    )


@rules.predicate
def is_first_tier(user) -> bool:
    """The national committee (0) or a tier-1 unit: 第一责任单位, approves eligibility."""
    return user.unit.tier <= Tier.FIRST


@rules.predicate
def is_lower_tier(user) -> bool:
    """Tier 2 or 3: pre-approves, and approves only where tier 1 delegated it."""
    return user.unit.tier >= Tier.SECOND


@rules.predicate
def approval_delegated(user, registration) -> bool:
    """Tier 1 delegated approval to the user's unit for the registration's cycle (a
    cycles.Delegation, or the cycle's switch for every tier 2/3)."""
    return approval_delegated_to(registration.cycle, user.unit)


@rules.predicate
def organises_cycle(user, registration) -> bool:
    """The admin of the cycle's organising unit (or above it): a city approves in its own
    city cycle, a county in its county cycle (API.md "one 届次 across the tree")."""
    return paths.is_within(registration.cycle.unit.path, user.unit.path)


def in_state(*states) -> rules.Predicate:
    """The registration is in one of `states` (the workflow checks this second, for 409)."""
    return rules.Predicate(lambda user, registration: registration.state in states, "in_state")


# --- who may act (role and subtree): the workflow's `allowed`, checked first (403) ------------

may_submit = is_own_collective
may_pre_approve = is_reviewer_over & is_lower_tier
may_approve = is_reviewer_over & (
    is_first_tier | organises_cycle | (is_lower_tier & approval_delegated)
)
may_return = is_reviewer_over
may_cancel = may_approve

ROLE: dict[Action, rules.Predicate] = {
    Action.SUBMIT: may_submit,
    Action.PRE_APPROVE: may_pre_approve,
    Action.APPROVE: may_approve,
    Action.RETURN: may_return,
    Action.CANCEL: may_cancel,
}


# --- may act now (role and state): what pages and API ask ------------------------------------


def can(action: Action) -> rules.Predicate:
    return ROLE[action] & in_state(*TRANSITIONS[action][0])


can_view = is_own_collective | is_reviewer_over
can_edit = is_own_collective & in_state(*EDITABLE)
can_submit = can(Action.SUBMIT)
can_pre_approve = can(Action.PRE_APPROVE)
can_approve = can(Action.APPROVE)
can_return = can(Action.RETURN)
can_cancel = can(Action.CANCEL)
REVIEW_ACTIONS = (Action.PRE_APPROVE, Action.APPROVE, Action.RETURN, Action.CANCEL)

rules.add_perm("registrations.view_registration", can_view)
rules.add_perm("registrations.change_registration", can_edit)
for _action in Action:
    rules.add_perm(f"registrations.{_action.value}_registration", can(_action))


def allowed_review_actions(user, registration) -> list[Action]:
    """The reviewer buttons the page shows: only what this admin may do now."""
    return [action for action in REVIEW_ACTIONS if can(action).test(user, registration)]


def awaiting_action(user) -> Q:
    """The queue's default filter, "awaiting my action": tier 0/1 decide everything under
    review; tier 2/3 pre-approve submissions, and also decide pre-approved ones of cycles
    whose approval was delegated to them."""
    if user.unit.tier <= Tier.FIRST:
        return Q(state__in=UNDER_REVIEW)
    named = Delegation.objects.filter(cycle=OuterRef("cycle_id"), unit=user.unit_id)
    delegated = Q(cycle__approval_delegated=True) | Q(Exists(named))
    return Q(state=S.SUBMITTED) | (Q(state=S.PRE_APPROVED) & delegated)


@rules.predicate
def can_bulk_pre_approve(user) -> bool:
    """The queue's 批量初审 button: a tier 2/3 business admin."""
    return (
        _active(user) and user.is_business_admin and user.unit is not None and user.unit.tier >= 2
    )
