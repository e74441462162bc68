"""Decisions at the same moment, on a real PostgreSQL (SQLite serialises writers, so these are
skipped there): ten first saves make one registration; two submissions make one transition;
approve against return leaves one transition and one consistent state; the loser hears
"已被他人处理".

Control runs (test_control_*): the same races with the guard the domain relies on taken out —
the unique insert's fallback of `_get_or_create`, the compare of the workflow engine's
compare-and-swap — must break the same invariants. They prove the races really happen here, so
the tests above could fail."""

import json
import threading
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client

from qnwmh.accounts.domain import issue_api_token
from qnwmh.core.errors import AlreadyHandled, DomainError
from qnwmh.registrations import counts, domain
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration, Transition
from qnwmh.registrations.workflow import REGISTRATION
from tests.registrations.factories import RegistrationFactory, valid_plan, valid_profile

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")


def run_at_once(*calls):
    """Run each call in its own thread and database connection, released together by a
    barrier; return what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


SAVERS = 10


def first_saves_at_once(cycle, collective) -> list:
    return run_at_once(
        *[
            lambda n=n: domain.save_draft(
                collective.user, cycle, valid_profile(member_count=20 + n), valid_plan()
            )
            for n in range(SAVERS)
        ]
    )


def one_registration_for_all(outcomes) -> bool:
    """Every save succeeded, on the one stored registration."""
    return (
        all(isinstance(o, Registration) for o in outcomes)
        and Registration.objects.count() == 1
        and len({o.pk for o in outcomes}) == 1
    )


def test_concurrent_first_saves_make_one_registration(cycle, collective):
    outcomes = first_saves_at_once(cycle, collective)
    assert [type(o).__name__ for o in outcomes] == ["Registration"] * SAVERS
    assert one_registration_for_all(outcomes)


def submits_at_once(registration, user) -> list:
    """Two submissions of the registration as both callers saw it (draft)."""
    copies = [Registration.objects.get(pk=registration.pk) for _ in range(2)]
    return run_at_once(*[lambda c=c: domain.submit(user, c) for c in copies])


def test_concurrent_double_submit_one_transition_loser_already_handled(cycle, collective):
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=S.DRAFT)
    outcomes = submits_at_once(registration, collective.user)
    winners = [o for o in outcomes if isinstance(o, Registration)]
    losers = [o for o in outcomes if isinstance(o, DomainError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert type(losers[0]) is AlreadyHandled
    assert losers[0].message == "已被他人处理。"
    assert Registration.objects.get().state == S.SUBMITTED
    assert list(Transition.objects.values_list("from_state", "to_state")) == [
        ("draft", "submitted")
    ]


def approve_and_return_at_once(world, registration) -> list:
    first, second = (Registration.objects.get(pk=registration.pk) for _ in range(2))
    return run_at_once(
        lambda: domain.approve(world.users["hunan"], first),
        lambda: domain.return_registration(world.users["changde"], second, "材料不全"),
    )


def test_approve_against_return_exactly_one_wins(world, cycle, collective):
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=S.SUBMITTED)
    outcomes = approve_and_return_at_once(world, registration)
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(losers) == 1 and type(losers[0]) is AlreadyHandled
    winner = next(o for o in outcomes if isinstance(o, Registration))
    stored = Registration.objects.get()
    transition = Transition.objects.get()
    assert stored.state == winner.state == transition.to_state
    assert stored.state in (S.APPROVED, S.RETURNED)
    assert stored.return_reason == ("材料不全" if stored.state == S.RETURNED else "")
    assert (stored.approved_at is not None) == (stored.state == S.APPROVED)


def test_concurrent_requests_put_and_submit_make_one_registration(cycle, collective):
    token = issue_api_token(collective.user)
    body = json.dumps(
        {
            "profile": {**valid_profile(), "leader_birth_date": "1990-05-04"},
            "plan": valid_plan(),
        }
    )
    headers = {"Authorization": f"Bearer {token}"}

    def put_then_submit():
        client = Client()
        saved = client.put(
            f"/api/v1/me/registrations/{cycle.pk}",
            body,
            content_type="application/json",
            headers=headers,
        )
        submitted = client.post(f"/api/v1/me/registrations/{cycle.pk}/submit", headers=headers)
        return saved.status_code, submitted.status_code, submitted.json()

    outcomes = run_at_once(put_then_submit, put_then_submit)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Registration.objects.count() == 1
    assert Transition.objects.count() == 1
    assert Registration.objects.get().state == S.SUBMITTED
    submit_statuses = sorted(o[1] for o in outcomes)
    assert submit_statuses == [200, 409]
    for _put, status, answer in outcomes:
        if status == 409:
            # Lost the swap ("已被他人处理"), or arrived after the winner had committed and
            # found the registration already submitted.
            assert answer["error"]["code"] in ("already_handled", "invalid_state")


# --- control runs: without the guards the same races break the invariants ---------------------

ATTEMPTS = 5


def _unguarded_get_or_create(cycle, collective):
    """domain._get_or_create without its answer to a lost insert: look, then insert."""
    found = Registration.objects.filter(cycle=cycle, collective=collective).first()
    if found is not None:
        return found
    registration = Registration.objects.create(
        cycle=cycle,
        collective=collective,
        unit=collective.unit,
        unit_path=collective.unit_path,
        state=S.DRAFT,
    )
    counts.created(registration.pk)
    return registration


class _ManagerWithoutCompare:
    """Registration.objects whose filter forgets the state the caller saw: the compare-and-swap
    of the workflow engine becomes a plain read-modify-write."""

    def __getattr__(self, name):
        return getattr(Registration.objects, name)

    def filter(self, *args, **kwargs):
        kwargs.pop("state", None)
        return Registration.objects.filter(*args, **kwargs)


@pytest.fixture
def without_compare_and_swap(monkeypatch):
    monkeypatch.setattr(REGISTRATION, "model", SimpleNamespace(objects=_ManagerWithoutCompare()))


def _race_until_broken(race, invariant_holds, reset) -> int:
    """Run the race up to ATTEMPTS times; return the attempt that broke the invariant."""
    for attempt in range(1, ATTEMPTS + 1):
        outcomes = race()
        if not invariant_holds(outcomes):
            return attempt
        reset()
    pytest.fail(f"the race never broke the invariant in {ATTEMPTS} attempts: the test is blind")


def test_control_first_saves_without_the_unique_insert_fallback_fail(
    cycle, collective, monkeypatch
):
    monkeypatch.setattr(domain, "_get_or_create", _unguarded_get_or_create)
    _race_until_broken(
        lambda: first_saves_at_once(cycle, collective),
        one_registration_for_all,
        reset=lambda: Registration.objects.all().delete(),
    )


def test_control_double_submit_without_compare_and_swap_fails(
    cycle, collective, without_compare_and_swap
):
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=S.DRAFT)

    def one_transition(outcomes) -> bool:
        return sum(isinstance(o, Registration) for o in outcomes) == 1 and (
            Transition.objects.count() == 1
        )

    def reset():
        Transition.objects.all().delete()
        Registration.objects.filter(pk=registration.pk).update(state=S.DRAFT)

    _race_until_broken(
        lambda: submits_at_once(registration, collective.user), one_transition, reset
    )


def test_control_approve_against_return_without_compare_and_swap_fails(
    world, cycle, collective, without_compare_and_swap
):
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=S.SUBMITTED)

    def exactly_one_wins(outcomes) -> bool:
        stored = Registration.objects.get()
        return (
            sum(isinstance(o, AlreadyHandled) for o in outcomes) == 1
            and Transition.objects.count() == 1
            and stored.state == Transition.objects.get().to_state
        )

    def reset():
        Transition.objects.all().delete()
        Registration.objects.filter(pk=registration.pk).update(
            state=S.SUBMITTED, return_reason="", approved_at=None
        )

    _race_until_broken(
        lambda: approve_and_return_at_once(world, registration), exactly_one_wins, reset
    )
