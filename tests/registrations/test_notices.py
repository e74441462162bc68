"""What a registration's decisions tell whom (issue 9 item 6; registrations/notices.py): the
collective hears of return (with the reason), approval and cancellation, after the commit and
without a query; the reviewers hear of registrations waiting from the digest (test_digests.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.core.errors import DomainError
from qnwmh.notifications import domain as notifications
from qnwmh.registrations import domain
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration


@pytest.fixture
def delivered(monkeypatch) -> list:
    sent: list = []
    monkeypatch.setattr(notifications, "deliver", lambda messages: sent.extend(messages))
    return sent


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Run a decision and its after-commit work; return the queries of that work alone."""

    def run(call):
        with django_capture_on_commit_callbacks() as callbacks:
            call()
        with (
            CaptureQueriesContext(connection) as after,
            django_capture_on_commit_callbacks(execute=True),
        ):
            for callback in callbacks:
                callback()
        return after.captured_queries

    return run


def loaded(registration) -> Registration:
    """As the pages and API load it."""
    return Registration.objects.select_related("cycle__unit", "collective__unit", "unit").get(
        pk=registration.pk
    )


@pytest.mark.parametrize("action", ["submit", "pre_approve"])
def test_submission_and_preliminary_review_queue_no_message(
    world, cycle, collective, registration, action, django_capture_on_commit_callbacks
):
    """The reviewers hear of these from the hourly digest (test_digests.py): the submission
    path pays for no message."""
    if action == "pre_approve":
        Registration.objects.filter(pk=registration.pk).update(state=S.SUBMITTED)
    actor = collective.user if action == "submit" else world.users["wuling"]
    with django_capture_on_commit_callbacks() as callbacks:
        getattr(domain, action)(actor, loaded(registration))
    assert callbacks == []


def test_return_tells_the_collective_the_reason(
    world, collective, submitted, delivered, run_after_commit
):
    registration = loaded(submitted)
    queries = run_after_commit(
        lambda: domain.return_registration(world.users["hunan"], registration, "请补充花名册")
    )
    [message] = delivered
    assert (message.recipients, message.kind) == ((collective.user.pk,), "registration.returned")
    assert message.body == (
        "武陵区人民医院急诊科 在 2025—2026年度测试届次 的网络报备被退回。原因：请补充花名册"
    )
    assert queries == []


@pytest.mark.parametrize(
    ("decide", "kind"),
    [
        (lambda actor, r: domain.approve(actor, r), "registration.approved"),
        (lambda actor, r: domain.cancel(actor, r, "严重问题"), "registration.cancelled"),
    ],
)
def test_approval_and_cancellation_tell_the_collective(
    world, collective, submitted, delivered, run_after_commit, decide, kind
):
    registration = loaded(submitted)
    run_after_commit(lambda: decide(world.users["hunan"], registration))
    assert [(m.recipients, m.kind) for m in delivered] == [((collective.user.pk,), kind)]
    if kind == "registration.cancelled":
        assert delivered[0].body.endswith("原因：严重问题")


def test_refused_or_lost_decisions_tell_nobody(
    world, submitted, delivered, django_capture_on_commit_callbacks
):
    stale = loaded(submitted)
    with django_capture_on_commit_callbacks(execute=True):
        domain.approve(world.users["hunan"], loaded(submitted))
    delivered.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for call in (
            lambda: domain.pre_approve(world.users["guangdong"], stale),
            lambda: domain.return_registration(world.users["hunan"], stale, "晚了"),
        ):
            with pytest.raises(DomainError):  # 403 and 409 alike
                call()
    assert delivered == []


@pytest.mark.parametrize("action", ["submit", "pre_approve", "approve"])
def test_decisions_look_up_no_recipient_in_their_transaction(
    world, cycle, collective, registration, delivered, action
):
    """The deadline surge is measured: the recipients are looked up after the commit only."""
    if action != "submit":
        Registration.objects.filter(pk=registration.pk).update(state=S.SUBMITTED)
    registration = loaded(registration)
    actor = {
        "submit": collective.user,
        "pre_approve": world.users["wuling"],
        "approve": world.users["hunan"],
    }[action]
    with CaptureQueriesContext(connection) as during:
        getattr(domain, action)(actor, registration)
    statements = [q["sql"] for q in during.captured_queries]
    assert not [s for s in statements if "accounts_user" in s]
    assert statements[-1].startswith("RELEASE SAVEPOINT")
    assert delivered == []
