"""转移申请 across jurisdictions (seeds 000 Q4: 归口单位有误，由上级管理员转移; issue 10 item 10).

An admin who types the name of a collective that lies outside its subtree is told only the
unit it belongs to — never its code — and may ask for the collective to be moved to a unit of
its own. The lowest unit over both ends decides: accepting moves the collective with all its
history (`domain.transfer`: the same code, former names, titles and profile); declining says
why. Both are audited and the requester is told through notifications."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import User
from qnwmh.audit.domain import record
from qnwmh.collectives import domain, rules
from qnwmh.collectives.duplicates import holder_of_name, in_jurisdiction, lowest_common_unit
from qnwmh.collectives.enums import TransferState
from qnwmh.collectives.models import TransferRequest
from qnwmh.core.errors import AlreadyHandled, Conflict, Forbidden, InvalidInput, NotFound
from qnwmh.core.roles import AdminRole
from qnwmh.notifications.domain import Message, notify_after_commit


def _url() -> str:
    return reverse("collectives:transfer_requests")


@transaction.atomic
def request_transfer(actor, *, name: str, to_unit, reason: str = "") -> TransferRequest:
    """Ask for the collective holding `name` (canonical or former) to move to `to_unit`, a unit
    in the actor's subtree. The collective is named by its name: the requester has no code."""
    if not rules.is_admin_over(actor, to_unit):
        raise Forbidden()
    collective = holder_of_name(name or "")
    if collective is None:
        message = _("No collective has this name.")
        raise InvalidInput(message, code="not_found", fields={"name": [message]})
    if collective.unit_id == to_unit.pk:
        message = _("The collective already belongs to %(unit)s.") % {"unit": to_unit.name}
        raise InvalidInput(message, code="same_unit", fields={"unit": [message]})
    if in_jurisdiction(actor, collective):
        message = _("The collective is in your jurisdiction: transfer it on its page.")
        raise Conflict(message, code="transfer_not_needed")
    deciding = lowest_common_unit(collective.unit, to_unit)
    if deciding is None:
        raise Conflict(_("No unit is over both jurisdictions."), code="no_common_unit")
    pending = TransferRequest.objects.filter(
        collective=collective, to_unit=to_unit, state=TransferState.PENDING
    )
    if pending.exists():
        raise Conflict(
            _("A transfer request for this collective is already waiting."),
            code="transfer_requested",
        )
    transfer_request = TransferRequest.objects.create(
        collective=collective,
        from_unit=collective.unit,
        to_unit=to_unit,
        to_unit_path=to_unit.path,
        deciding_unit=deciding,
        reason=(reason or "")[:1000],
        requested_by=actor,
    )
    record(
        "collective.transfer_request",
        actor=actor,
        obj=transfer_request,
        scope_unit=deciding,
        changes={
            "from_unit": [None, collective.unit.name],
            "to_unit": [None, to_unit.name],
            "reason": [None, transfer_request.reason],
        },
    )
    deciders = User.objects.filter(
        kind=AccountKind.ADMIN,
        admin_role=AdminRole.BUSINESS,
        unit=deciding,
        is_active=True,
    ).values_list("pk", flat=True)
    names = {"name": collective.name, "from": collective.unit.name, "to": to_unit.name}
    notify_after_commit(
        [
            Message(
                tuple(deciders),
                "collective.transfer_requested",
                _("Transfer request: %(name)s from %(from)s to %(to)s") % names,
                transfer_request.reason,
                _url(),
            )
        ]
    )
    return transfer_request


def _decide(actor, transfer_request: TransferRequest) -> TransferRequest:
    if not rules.can_decide_transfer(actor, transfer_request):
        raise Forbidden()
    locked = (
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("collective__unit", "to_unit", "from_unit", "deciding_unit")
        .get(pk=transfer_request.pk)
    )
    if locked.state != TransferState.PENDING:
        raise AlreadyHandled()
    return locked


def _tell_requester(locked: TransferRequest, subject: str) -> None:
    names = {"name": locked.collective.name, "to": locked.to_unit.name}
    notify_after_commit(
        [
            Message(
                (locked.requested_by_id,),
                f"collective.transfer_{locked.state}",
                subject % names,
                locked.decline_reason,
                _url(),
            )
        ]
    )


@transaction.atomic
def accept(actor, transfer_request: TransferRequest) -> TransferRequest:
    """The deciding unit's admin moves the collective, history and code included."""
    locked = _decide(actor, transfer_request)
    domain.transfer(actor, locked.collective, locked.to_unit)
    locked.state, locked.decided_by, locked.decided_at = (
        TransferState.ACCEPTED,
        actor,
        timezone.now(),
    )
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        "collective.transfer_accept",
        actor=actor,
        obj=locked,
        scope_unit=locked.deciding_unit,
        changes={"state": [TransferState.PENDING, TransferState.ACCEPTED]},
    )
    _tell_requester(locked, _("Transfer accepted: %(name)s now belongs to %(to)s"))
    return locked


@transaction.atomic
def decline(actor, transfer_request: TransferRequest, reason: str) -> TransferRequest:
    """The deciding unit's admin declines, saying why (the requester reads it)."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the request is declined.")
        raise InvalidInput(message, code="reason_required", fields={"reason": [message]})
    locked = _decide(actor, transfer_request)
    locked.state, locked.decided_by, locked.decided_at = (
        TransferState.DECLINED,
        actor,
        timezone.now(),
    )
    locked.decline_reason = reason[:1000]
    locked.save(update_fields=["state", "decided_by", "decided_at", "decline_reason"])
    record(
        "collective.transfer_decline",
        actor=actor,
        obj=locked,
        scope_unit=locked.deciding_unit,
        changes={
            "state": [TransferState.PENDING, TransferState.DECLINED],
            "decline_reason": [None, locked.decline_reason],
        },
    )
    _tell_requester(locked, _("Transfer declined: %(name)s to %(to)s"))
    return locked


def visible(user):
    """The requests a user sees: those of its subtree (it made them, or it decides them)."""
    return TransferRequest.objects.visible_to(user).select_related(
        "collective", "from_unit", "to_unit", "deciding_unit", "requested_by"
    )


def get(user, pk: int) -> TransferRequest:
    found = visible(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
