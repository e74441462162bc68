"""The review workflow of a registration, declared once (seeds 000 附件3; ../shared/API.md,
Registration states), run by the workflow engine (qnwmh/workflow/engine.py).

    submit        draft, returned → submitted       the collective itself
    pre_approve   submitted → pre_approved          tier 2/3 of the jurisdiction (初审通过)
    approve       submitted, pre_approved → approved  tier 0/1 over it, or 2/3 when delegated
    return        submitted, pre_approved → returned  any reviewer over it, with a reason (退回)
    cancel        submitted, pre_approved, approved → cancelled  whoever may approve, with a
                  reason (取消创建资格)

The arrows are enums.TRANSITIONS, who may act rules.ROLE, the messages notices.py. Every
transition moves the dashboard's subtree counts (counts.py) in its own transaction, and the
writes every submission of a cycle shares go last (`shared_writes_last`).
"""

from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from qnwmh.audit.domain import appended_last
from qnwmh.registrations import counts, notices, rules
from qnwmh.registrations.enums import REASON_REQUIRED, TRANSITIONS, Action
from qnwmh.registrations.models import Registration, Transition
from qnwmh.workflow.declare import Action as Arrow
from qnwmh.workflow.declare import Workflow

MAX_REASON = 1000


@contextmanager
def shared_writes_last():
    """One transaction whose writes to shared rows and locks come last: the counts' deltas in
    one statement, then the audit entries, then the commit. Other submissions wait for those
    statements and the commit, not for the whole change (docs/performance.md, deadline
    surge)."""
    with transaction.atomic(), appended_last(), counts.added_last():
        yield


def counts_moved(registration, change) -> None:
    """The subtree counts follow the state (the swap has locked the row)."""
    counts.transitioned(registration.pk, change.from_state)


NOTIFY = {
    # Submission and preliminary review reach the reviewers in the hourly digest (digests.py).
    Action.SUBMIT: None,
    Action.PRE_APPROVE: None,
    Action.APPROVE: notices.approved,
    Action.RETURN: notices.returned,
    Action.CANCEL: notices.cancelled,
}


def _arrow(action: Action, **more) -> Arrow:
    sources, target = TRANSITIONS[action]
    return Arrow(
        action,
        sources,
        target,
        allowed=rules.ROLE[action],
        reason_required=action in REASON_REQUIRED,
        max_reason=MAX_REASON,
        notify=NOTIFY[action],
        **more,
    )


REGISTRATION = Workflow(
    name="registration",
    model=Registration,
    history=Transition,
    subject="registration",
    actions=[
        _arrow(Action.SUBMIT),
        _arrow(Action.PRE_APPROVE),
        _arrow(Action.APPROVE),
        _arrow(Action.RETURN, reason_field="return_reason"),
        _arrow(Action.CANCEL),
    ],
    hooks=[counts_moved],
    writes_last=shared_writes_last,
    scope_unit=lambda registration: registration.unit,
    touch="updated_at",
    invalid_state_message=_(
        "The registration is now “%(state)s”; this is not possible in that state."
    ),
)
