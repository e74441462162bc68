"""Who may do what to a registration (seeds 000 附件3; ../shared/API.md, Registration states).

Predicates take (user, registration) and combine with & and |, django-rules style. Each action
has a *role* predicate (who, over which subtree) and the states it starts from
(enums.TRANSITIONS); `can(action)` is both together. The domain checks the role first (403) and
the state second (409), so a refusal says which of the two failed. Views and API name these;
they never re-implement them, and templates only show what `allowed_actions` returns.

    tier 2/3 of the jurisdiction   初审通过 (pre-approve) a submitted registration
    tier 0/1 over it               审核通过 (approve) from submitted or pre-approved;
                                   tier 2/3 too when tier 1 delegated approval for the cycle
    any reviewer over it           退回 (return) with a reason while under review
    whoever may approve            取消创建资格 (cancel) from submitted, pre-approved or approved
    the collective itself          edits and submits in draft or returned
"""

from collections.abc import Callable

from django.db.models import Q

from qnwmh.registrations.enums import EDITABLE, TRANSITIONS, UNDER_REVIEW, Action
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.units.enums import Tier


class Predicate:
    """A yes/no question about (user, registration) that composes with & and |."""

    def __init__(self, test: Callable, name: str = ""):
        self.test = test
        self.name = name or test.__name__

    def __call__(self, user, registration) -> bool:
        return bool(self.test(user, registration))

    def __and__(self, other: "Predicate") -> "Predicate":
        return Predicate(lambda u, r: self(u, r) and other(u, r), f"({self.name} & {other.name})")

    def __or__(self, other: "Predicate") -> "Predicate":
        return Predicate(lambda u, r: self(u, r) or other(u, r), f"({self.name} | {other.name})")

    def __repr__(self) -> str:
        return f"<Predicate {self.name}>"


def predicate(func: Callable) -> Predicate:
    return Predicate(func)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@predicate
def is_own_collective(user, registration) -> bool:
    """The collective's own account (its code is its login)."""
    return _active(user) and user.is_collective and registration.collective.user_id == user.pk


@predicate
def is_reviewer_over(user, registration) -> bool:
    """An admin whose unit is the registration's unit or above it (the subtree, by path)."""
    return (
        _active(user)
        and user.is_admin
        and user.unit is not None
        and registration.unit_path.startswith(user.unit.path)
    )


@predicate
def is_first_tier(user, registration) -> bool:
    """The national committee (0) or a tier-1 unit: 第一责任单位, approves eligibility."""
    return user.unit.tier <= Tier.FIRST


@predicate
def is_lower_tier(user, registration) -> bool:
    """Tier 2 or 3: pre-approves, and approves only where tier 1 delegated it."""
    return user.unit.tier >= Tier.SECOND


@predicate
def approval_delegated(user, registration) -> bool:
    return registration.cycle.approval_delegated


def in_state(*states) -> Predicate:
    return Predicate(lambda u, r: r.state in states, f"in_state{states}")


may_decide = is_reviewer_over & (is_first_tier | (is_lower_tier & approval_delegated))

ROLE: dict[Action, Predicate] = {
    Action.SUBMIT: is_own_collective,
    Action.PRE_APPROVE: is_reviewer_over & is_lower_tier,
    Action.APPROVE: may_decide,
    Action.RETURN: is_reviewer_over,
    Action.CANCEL: may_decide,
}


def can(action: Action) -> Predicate:
    return ROLE[action] & in_state(*TRANSITIONS[action][0])


can_view = is_own_collective | is_reviewer_over
can_edit = is_own_collective & in_state(*EDITABLE)
can_submit = can(Action.SUBMIT)
can_pre_approve = can(Action.PRE_APPROVE)
can_approve = can(Action.APPROVE)
can_return = can(Action.RETURN)
can_cancel = can(Action.CANCEL)
REVIEW_ACTIONS = (Action.PRE_APPROVE, Action.APPROVE, Action.RETURN, Action.CANCEL)


def allowed_review_actions(user, registration) -> list[Action]:
    """The reviewer buttons the page shows: only what this admin may do now."""
    return [action for action in REVIEW_ACTIONS if can(action)(user, registration)]


def awaiting_action(user) -> Q:
    """The queue's default filter, "awaiting my action": tier 0/1 decide everything under
    review; tier 2/3 pre-approve submissions, and also decide pre-approved ones of cycles
    whose approval was delegated to them."""
    if user.unit.tier <= Tier.FIRST:
        return Q(state__in=UNDER_REVIEW)
    return Q(state=S.SUBMITTED) | Q(state=S.PRE_APPROVED, cycle__approval_delegated=True)


def can_bulk_pre_approve(user) -> bool:
    return _active(user) and user.is_admin and user.unit is not None and user.unit.tier >= 2
