"""网络报备: the life of a registration — draft, submission, review (seeds 000 附件3, 004).

Every state change is an action of the declared workflow (workflow.py), run by the one workflow
engine (qnwmh/workflow/engine.py), which checks the permission (rules.py), makes the change
with a compare-and-swap (`filter(pk=…, state=old).update(state=new)`: exactly one row, or the
caller lost a race and hears "已被他人处理"), moves the dashboard's subtree counts (counts.py),
writes one `Transition` (the history) and one audit entry, and queues the notifications for
after the commit — all in one transaction. There is deliberately no generic "set state": each
function below is one arrow of enums.TRANSITIONS.

The counts' rows and the audit chain's lock are shared by every writer of a cycle and held
until the commit, so both writes go last (`workflow.shared_writes_last`): the counts' deltas in
one statement, then the audit entry, then the commit (docs/performance.md, deadline surge).

Decisions (the brief left them open):
- Creating a draft is not a state change: no Transition row; the timeline starts at created_at.
- While editable, a draft follows the collective's current jurisdiction (a collective moved by
  its upper admin — seeds 000 Q4 — is not stuck with a draft on the wrong channel).
- A submission also needs the contact and plan fields (REQUIRED_FOR_SUBMISSION): 400
  "incomplete" before the eligibility rules (409 "not_eligible") are looked at.
- `submitted_at` keeps the *first* submission: it dates the registration, and a returned one
  first submitted inside the window may be resubmitted after it closes (eligibility.py).
- A refusal says which check failed: role or subtree → 403, state → 409 "invalid_state", a lost
  compare-and-swap → 409 "already_handled". Pages and API load through `visible_to` first, so
  outside the subtree the answer is 404 before any of these.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.audit.domain import diff, record, snapshot
from qnwmh.collectives.models import Collective
from qnwmh.core.errors import (
    AlreadyHandled,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from qnwmh.core.paths import ancestor_paths
from qnwmh.cycles.models import Cycle
from qnwmh.registrations import counts, eligibility, validators
from qnwmh.registrations.enums import EDITABLE, Action
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration
from qnwmh.registrations.workflow import MAX_REASON as MAX_REASON
from qnwmh.registrations.workflow import REGISTRATION, shared_writes_last
from qnwmh.workflow import engine

MAX_BULK = 200


# --- the collective's side ------------------------------------------------------------------


def collective_of(user) -> Collective:
    """The collective behind a collective account; anyone else is refused."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_collective):
        raise Forbidden()
    collective = Collective.objects.select_related("unit").filter(user=user).first()
    if collective is None:
        raise Forbidden()
    return collective


def registrable_cycles(collective: Collective):
    """Cycles a collective may take part in: run by its jurisdiction or a unit above it."""
    return Cycle.objects.filter(unit__path__in=ancestor_paths(collective.unit_path))


def registrable_cycle(collective: Collective, cycle_id) -> Cycle:
    cycle = registrable_cycles(collective).select_related("unit").filter(pk=cycle_id).first()
    if cycle is None:
        raise NotFound()
    return cycle


def profile_of(registration: Registration) -> dict:
    return {key: getattr(registration, key) for key in validators.PROFILE_FIELDS}


def plan_of(registration: Registration) -> dict:
    return {key: getattr(registration, key) for key in validators.PLAN_FIELDS}


def _get_or_create(cycle: Cycle, collective: Collective) -> Registration:
    """One row per (cycle, collective) however many requests arrive at once: the unique
    constraint decides, and the loser of the insert reads the winner's row."""
    found = Registration.objects.filter(cycle=cycle, collective=collective).first()
    if found is not None:
        return found
    try:
        with transaction.atomic(), counts.added_last():
            registration = Registration.objects.create(
                cycle=cycle,
                collective=collective,
                unit=collective.unit,
                unit_path=collective.unit_path,
                state=S.DRAFT,
            )
            counts.created(registration.pk)
            return registration
    except IntegrityError:
        return Registration.objects.get(cycle=cycle, collective=collective)


def _invalid(errors: dict) -> InvalidInput:
    first = next(iter(errors.values()))[0]
    return InvalidInput(first, fields=errors)


@shared_writes_last()
def save_draft(user, cycle: Cycle, profile: dict, plan: dict, *, today=None) -> Registration:
    """保存草稿: the collective stores its profile and plan for a cycle, in draft or returned
    state only. The first save creates the registration (race-safe); the draft follows the
    collective's current jurisdiction; the eligibility is evaluated and kept."""
    collective = collective_of(user)
    cycle = registrable_cycle(collective, cycle.pk)
    today = today or eligibility.today_in_shanghai()
    profile, plan = validators.normalise(profile, plan)
    errors = validators.validate(profile, plan, today)
    if errors:
        raise _invalid(errors)
    registration = _get_or_create(cycle, collective)
    registration.collective = collective
    if registration.state not in EDITABLE:
        raise REGISTRATION.refuse_state(REGISTRATION, registration, registration.state)
    values = {**profile, **plan, "unit": collective.unit, "unit_path": collective.unit_path}
    before = snapshot(registration, list(values))
    registration.unit, registration.unit_path = collective.unit, collective.unit_path
    values["eligibility"] = eligibility.assess(cycle, collective, profile, registration, today)
    values["updated_at"] = timezone.now()
    # The draft's unit, ownership and prior titles decide where and how it is counted.
    editable = Registration.objects.filter(pk=registration.pk, state__in=EDITABLE)
    with counts.recounting(editable):
        changed = editable.update(**values)
    if changed != 1:
        raise AlreadyHandled()
    for key, value in values.items():
        setattr(registration, key, value)
    record(
        "registration.save_draft",
        actor=user,
        obj=registration,
        scope_unit=collective.unit,
        changes=diff(before, snapshot(registration, list(before))),
    )
    return registration


def submit(user, registration: Registration, *, today=None) -> Registration:
    """提交: draft or returned → submitted (报备集体). Eligibility is evaluated again now; a
    failed rule refuses the submission with the whole list (409 not_eligible)."""
    engine.authorise(REGISTRATION, Action.SUBMIT, user, registration)
    missing = validators.missing_for_submission(
        {**profile_of(registration), **plan_of(registration)}
    )
    if missing:
        error = _invalid(missing)
        error.code = "incomplete"
        raise error
    results = eligibility.assess(
        registration.cycle,
        registration.collective,
        profile_of(registration),
        registration,
        today,
    )
    if not eligibility.passed(results):
        reasons = "；".join(r["message"] for r in eligibility.failures(results))
        raise Conflict(
            _("Not eligible: %(reasons)s") % {"reasons": reasons},
            code="not_eligible",
            fields={"eligibility": results},
        )
    updates = {"eligibility": results, "return_reason": ""}
    if registration.submitted_at is None:  # the first submission dates the registration
        updates["submitted_at"] = timezone.now()
    return engine.transition(REGISTRATION, Action.SUBMIT, user, registration, updates=updates)


# --- the reviewers' side --------------------------------------------------------------------


def pre_approve(actor, registration: Registration) -> Registration:
    """初审通过: tier 2/3 of the jurisdiction, submitted → pre_approved (seeds 000 附件3)."""
    return engine.transition(REGISTRATION, Action.PRE_APPROVE, actor, registration)


def approve(actor, registration: Registration) -> Registration:
    """审核通过: tier 0/1 over it (or tier 2/3 where approval is delegated for the cycle),
    submitted or pre_approved → approved (创建集体): the registration is complete."""
    return engine.transition(
        REGISTRATION, Action.APPROVE, actor, registration, updates={"approved_at": timezone.now()}
    )


def return_registration(actor, registration: Registration, reason: str) -> Registration:
    """退回: any reviewer over it, while under review, with a reason the collective reads."""
    return engine.transition(REGISTRATION, Action.RETURN, actor, registration, reason=reason)


def cancel(actor, registration: Registration, reason: str) -> Registration:
    """取消创建资格: whoever may approve, from submitted, pre_approved or approved; it ends the
    registration (seeds 001: rectification failed, or a serious problem)."""
    return engine.transition(REGISTRATION, Action.CANCEL, actor, registration, reason=reason)


@dataclass
class BulkResult:
    id: int
    ok: bool
    code: str = ""
    message: str = ""
    registration: Registration | None = None


def bulk_pre_approve(actor, ids) -> list[BulkResult]:
    """批量初审: each chosen registration on its own (one failure does not undo the others),
    with a result per item. Registrations outside the actor's subtree are "not found"."""
    ids = list(dict.fromkeys(ids))
    if not ids or len(ids) > MAX_BULK:
        message = _("Choose from 1 to %(max)d registrations.") % {"max": MAX_BULK}
        raise InvalidInput(message, fields={"ids": [message]})
    found = {
        r.pk: r
        for r in Registration.objects.visible_to(actor)
        .filter(pk__in=ids)
        .select_related("cycle", "collective", "unit")
    }
    results = []
    for pk in ids:
        registration = found.get(pk)
        if registration is None:
            error = NotFound()
            results.append(BulkResult(pk, False, error.code, error.message))
            continue
        try:
            pre_approve(actor, registration)
        except DomainError as exc:
            results.append(BulkResult(pk, False, exc.code, exc.message, registration))
        else:
            results.append(BulkResult(pk, True, registration=registration))
    return results
