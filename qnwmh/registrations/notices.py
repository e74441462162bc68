"""What a registration's decisions tell people (issue 9 item 6), built by the workflow engine
after the commit (workflow/engine.py), so the recipient lookups cost no lock time:

    return, approval, cancellation    the collective's account (return and cancel: the reason)

Each builder costs no query when the registration's collective and cycle are loaded, as the
pages and API load them. The reviewers hear of registrations waiting for them (submission,
preliminary review passed) from the hourly digest (digests.py), not once per submission: at
the deadline tens of thousands arrive in hours, and a message each would cost every submission
a lookup and a commit of its own (docs/performance.md, deadline surge) and bury the reviewer.
`next_reviewers` says who acts next, for the digest.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from qnwmh.notifications.domain import Message
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.units.enums import Tier


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


def next_reviewers(state: str, cycle, reviewers: list[tuple[int, int]]) -> list[int]:
    """Who acts next on a registration in `state`, of its `reviewers` ((user id, unit tier) of
    the business admins over it): a submission goes to tiers 2/3 for 初审 (to its approvers
    where there are none); a pre-approved one to its approvers."""
    if state == S.SUBMITTED:
        first_look = [pk for pk, tier in reviewers if tier >= Tier.SECOND]
        if first_look:
            return first_look
    return _approvers(cycle, reviewers)


def _approvers(cycle, reviewers) -> list[int]:
    if cycle.approval_delegated:
        found = [pk for pk, tier in reviewers if tier >= Tier.SECOND]
        if found:
            return found
    first = [pk for pk, tier in reviewers if tier == Tier.FIRST]
    return first or [pk for pk, tier in reviewers if tier == Tier.NATIONAL]
