"""What a registration's decisions tell people (issue 9 item 6), built by the workflow engine
after the commit (workflow/engine.py), so the recipient lookups cost no lock time:

    return, approval, cancellation    the collective's account (return and cancel: the reason)
    submission                        the reviewers who can act next: the business admins of
                                      the tier 2/3 units over it (初审); where there are none,
                                      those who approve it
    preliminary review passed         those who approve it: tier 2/3 where approval is
                                      delegated for the cycle, else the tier-1 unit over it
                                      (第一责任单位; the national committee where there is none)

Each builder costs at most one query (the reviewers' lookup), none when the registration's
collective and cycle are already loaded, as the pages and API load them.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.models import User
from qnwmh.notifications.domain import Message
from qnwmh.units.enums import Tier
from qnwmh.units.paths import ancestor_paths


def _names(registration) -> dict:
    return {"collective": registration.collective.name, "cycle": str(registration.cycle)}


def _url(registration) -> str:
    return reverse("registrations:detail", args=[registration.pk])


def _to_collective(registration, kind: str, subject: str, body: str) -> list[Message]:
    user_id = registration.collective.user_id
    recipients = (user_id,) if user_id else ()
    return [Message(recipients, kind, subject, body, _url(registration))]


def returned(registration, change) -> list[Message]:
    """退回: the collective reads the reason and edits its registration again."""
    names = {**_names(registration), "reason": change.reason}
    return _to_collective(
        registration,
        "registration.returned",
        _("Registration returned: %(cycle)s") % names,
        _("The registration of %(collective)s for %(cycle)s was returned. Reason: %(reason)s")
        % names,
    )


def approved(registration, change) -> list[Message]:
    """审核通过: the collective is now a creating collective (创建集体)."""
    names = _names(registration)
    return _to_collective(
        registration,
        "registration.approved",
        _("Registration approved: %(cycle)s") % names,
        _(
            "The registration of %(collective)s for %(cycle)s was approved: it is now a creating "
            "collective."
        )
        % names,
    )


def cancelled(registration, change) -> list[Message]:
    """取消创建资格: the collective hears why."""
    names = {**_names(registration), "reason": change.reason}
    return _to_collective(
        registration,
        "registration.cancelled",
        _("Creation qualification cancelled: %(cycle)s") % names,
        _(
            "The creation qualification of %(collective)s for %(cycle)s was cancelled. "
            "Reason: %(reason)s"
        )
        % names,
    )


def _reviewers_over(registration) -> list[tuple[int, int]]:
    """(user id, unit tier) of every active business admin of a unit over the registration:
    one query."""
    return list(
        User.objects.filter(
            kind=AccountKind.ADMIN,
            admin_role=AdminRole.BUSINESS,
            is_active=True,
            unit__path__in=ancestor_paths(registration.unit_path),
        )
        .order_by("pk")
        .values_list("pk", "unit__tier")
    )


def _approvers(registration, reviewers) -> list[int]:
    if registration.cycle.approval_delegated:
        found = [pk for pk, tier in reviewers if tier >= Tier.SECOND]
        if found:
            return found
    first = [pk for pk, tier in reviewers if tier == Tier.FIRST]
    return first or [pk for pk, tier in reviewers if tier == Tier.NATIONAL]


def _waiting(registration, change, recipients, kind, subject, body) -> list[Message]:
    names = _names(registration)
    others = tuple(pk for pk in recipients if pk != getattr(change.actor, "pk", None))
    return [Message(others, kind, subject % names, body % names, _url(registration))]


def submitted(registration, change) -> list[Message]:
    """提交: the reviewers who can act next hear a registration is waiting."""
    reviewers = _reviewers_over(registration)
    first_look = [pk for pk, tier in reviewers if tier >= Tier.SECOND]
    return _waiting(
        registration,
        change,
        first_look or _approvers(registration, reviewers),
        "registration.submitted",
        _("Registration waiting for review: %(collective)s"),
        _("%(collective)s submitted its registration for %(cycle)s; it is waiting for review."),
    )


def pre_approved(registration, change) -> list[Message]:
    """初审通过: those who approve it hear it is waiting for approval."""
    return _waiting(
        registration,
        change,
        _approvers(registration, _reviewers_over(registration)),
        "registration.pre_approved",
        _("Registration waiting for approval: %(collective)s"),
        _(
            "The registration of %(collective)s for %(cycle)s passed preliminary review; it is "
            "waiting for approval."
        ),
    )
