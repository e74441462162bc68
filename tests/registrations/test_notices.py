"""What a registration's decisions tell whom (issue 9 item 6; registrations/notices.py): the
collective hears of return (with the reason), approval and cancellation; the reviewers who can
act next hear of a registration waiting. Delivered after the commit, at most one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.core.errors import DomainError
from qnwmh.notifications import domain as notifications
from qnwmh.registrations import domain
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration
from tests.factories import UserFactory
from tests.registrations.factories import CollectiveFactory, RegistrationFactory


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


def test_submission_tells_the_tier_2_and_3_reviewers(
    world, cycle, collective, registration, delivered, run_after_commit
):
    registration = loaded(registration)
    queries = run_after_commit(lambda: domain.submit(collective.user, registration))
    [message] = delivered
    assert message.recipients == (world.users["changde"].pk, world.users["wuling"].pk)
    assert (message.kind, message.url) == (
        "registration.submitted",
        f"/registrations/{registration.pk}/",
    )
    assert message.subject == "网络报备待审核：武陵区人民医院急诊科"
    assert len(queries) == 1


def test_submission_to_a_province_directly_tells_its_approvers(
    world, cycle, delivered, run_after_commit
):
    collective = CollectiveFactory(unit=world.hunan, code="hn0001", name="湖南省直属集体")
    registration = loaded(RegistrationFactory(cycle=cycle, collective=collective, state=S.DRAFT))
    run_after_commit(lambda: domain.submit(collective.user, registration))
    assert [m.recipients for m in delivered] == [(world.users["hunan"].pk,)]


def test_preliminary_review_tells_the_approvers_not_the_actor(
    world, submitted, delivered, run_after_commit
):
    second_hunan_admin = UserFactory(unit=world.hunan)
    UserFactory(unit=world.hunan, is_active=False)
    registration = loaded(submitted)
    queries = run_after_commit(lambda: domain.pre_approve(world.users["wuling"], registration))
    [message] = delivered
    assert message.recipients == (world.users["hunan"].pk, second_hunan_admin.pk)
    assert message.kind == "registration.pre_approved"
    assert len(queries) == 1


def test_preliminary_review_where_approval_is_delegated_tells_tier_2_and_3(
    world, cycle, submitted, delivered, run_after_commit
):
    cycle.approval_delegated = True
    cycle.save()
    registration = loaded(submitted)
    run_after_commit(lambda: domain.pre_approve(world.users["wuling"], registration))
    assert [m.recipients for m in delivered] == [(world.users["changde"].pk,)]


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
