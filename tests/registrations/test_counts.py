"""The dashboard's subtree count table (qnwmh/registrations/counts.py) always equals the live
GROUP BY over the registrations, for every unit: after any sequence of drafts, submissions,
reviews, bulk pre-approvals, transfers, ownership changes and titles gained or lost; and
`rebuild_registration_counts` finds and repairs a table that went wrong."""

import contextlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qnwmh.collectives import domain as collectives_domain
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective
from qnwmh.core.errors import DomainError
from qnwmh.cycles.enums import Level
from qnwmh.registrations import counts, domain
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration, RegistrationCount
from qnwmh.titles.models import Title
from tests.registrations.counting import table_differs_from_live
from tests.registrations.factories import (
    CollectiveFactory,
    CycleFactory,
    RegistrationFactory,
    TitleFactory,
    valid_plan,
    valid_profile,
    years_ago,
)

pytestmark = pytest.mark.django_db

HOMES = ("wuling", "wuling", "changde", "hunan", "guangzhou", "transport")
OWNERSHIPS = ("", Ownership.PUBLIC, Ownership.NON_PUBLIC, Ownership.SOCIAL_ORG)
REVIEWERS = ("wuling", "changde", "hunan", "guangzhou", "guangdong", "national", "transport")
SETTLED = (S.APPROVED, S.NOMINATED, S.NAMED, S.NOT_NAMED, S.CANCELLED)
OPERATIONS = (
    "save",
    "submit",
    "pre_approve",
    "approve",
    "return",
    "cancel",
    "bulk_pre_approve",
    "transfer",
    "ownership",
    "title",
    "revoke",
    "settled",
)


@pytest.fixture
def scene(world):
    cycle = CycleFactory(unit=world.national, level=Level.NATIONAL, name="全国测试届次")
    collectives = [
        CollectiveFactory(unit=world.units[home], code=f"ct{i:04d}", name=f"计数集体{i}")
        for i, home in enumerate(HOMES)
    ]
    return world, cycle, collectives


def _registration(cycle, collective) -> Registration | None:
    return (
        Registration.objects.select_related("cycle", "collective", "unit")
        .filter(cycle=cycle, collective=collective)
        .first()
    )


def _revoke_titles(collective) -> None:
    """Titles are revoked by no domain function yet; whichever does must recount like this."""
    with transaction.atomic(), collectives_domain.recounting_registrations(collective):
        Title.objects.filter(collective=collective, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def _apply(world, cycle, collective, operation: str, choice: int) -> None:
    collective = Collective.objects.select_related("unit", "user").get(pk=collective.pk)
    registration = _registration(cycle, collective)
    reviewer = world.users[REVIEWERS[choice % len(REVIEWERS)]]
    national = world.users["national"]
    if operation == "save":
        prior = [{"level": "PROVINCIAL", "year": years_ago(2).year, "name": "湖南省青年文明号"}]
        profile = valid_profile(
            ownership=OWNERSHIPS[1 + choice % 3], prior_titles=prior if choice % 2 else []
        )
        domain.save_draft(collective.user, cycle, profile, valid_plan())
    elif operation == "submit" and registration:
        domain.submit(collective.user, registration)
    elif operation == "pre_approve" and registration:
        domain.pre_approve(reviewer, registration)
    elif operation == "approve" and registration:
        domain.approve(reviewer, registration)
    elif operation == "return" and registration:
        domain.return_registration(reviewer, registration, "材料不全")
    elif operation == "cancel" and registration:
        domain.cancel(reviewer, registration, "整改不合格")
    elif operation == "bulk_pre_approve":
        domain.bulk_pre_approve(reviewer, list(Registration.objects.values_list("pk", flat=True)))
    elif operation == "transfer":
        target = world.units[HOMES[choice % len(HOMES)]]
        collectives_domain.transfer(national, collective, target)
    elif operation == "ownership":
        ownership = OWNERSHIPS[1 + choice % 3]
        collectives_domain.update_details(national, collective, ownership=ownership)
    elif operation == "title":
        TitleFactory(collective=collective)
    elif operation == "revoke":
        _revoke_titles(collective)
    elif operation == "settled" and registration is None:
        RegistrationFactory(
            cycle=cycle,
            collective=collective,
            state=SETTLED[choice % len(SETTLED)],
            ownership=OWNERSHIPS[choice % len(OWNERSHIPS)],
        )


steps = st.lists(
    st.tuples(st.integers(0, len(HOMES) - 1), st.sampled_from(OPERATIONS), st.integers(0, 100)),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_table_equals_live_group_by_after_any_changes(scene, steps):
    world, cycle, collectives = scene
    with transaction.atomic():  # each example starts from the same scene
        for index, operation, choice in steps:
            # A refusal (state, permission, same unit…) must leave the counts as they were.
            with contextlib.suppress(DomainError):
                _apply(world, cycle, collectives[index], operation, choice)
        assert table_differs_from_live(cycle) == {}
        assert counts.differences(cycle.pk) == []
        transaction.set_rollback(True)


def test_every_kind_of_change_moves_the_counts(scene):
    """One deterministic walk through every operation, so each hook is known to be reached."""
    world, cycle, collectives = scene
    first, second, changde, _hunan, _guangzhou, _transport = collectives
    _apply(world, cycle, first, "save", 1)  # prior titles, non-public
    _apply(world, cycle, first, "submit", 0)
    _apply(world, cycle, first, "pre_approve", 0)  # 武陵区
    _apply(world, cycle, first, "approve", 2)  # 湖南省
    _apply(world, cycle, second, "save", 0)
    _apply(world, cycle, second, "submit", 0)
    _apply(world, cycle, second, "bulk_pre_approve", 1)  # 常德市
    _apply(world, cycle, second, "return", 2)
    _apply(world, cycle, changde, "settled", 0)  # approved, ownership blank
    _apply(world, cycle, changde, "ownership", 1)  # the collective's becomes non-public
    _apply(world, cycle, changde, "title", 0)
    _apply(world, cycle, first, "transfer", 4)  # to 广州市: its registration stays
    _apply(world, cycle, changde, "revoke", 0)

    assert table_differs_from_live(cycle) == {}
    hunan = counts.stored_rows(cycle.pk)
    assert hunan[(cycle.pk, world.hunan.path, S.APPROVED, True, True)] == 1  # first
    assert hunan[(cycle.pk, world.hunan.path, S.APPROVED, True, False)] == 1  # changde's
    assert hunan[(cycle.pk, world.national.path, S.RETURNED, False, False)] == 1  # second


def test_progress_reads_the_table(world, scene):
    _world, cycle, collectives = scene
    RegistrationFactory(cycle=cycle, collective=collectives[0], state=S.APPROVED)
    RegistrationCount.objects.filter(cycle=cycle, unit_path=world.hunan.path).update(n=7)

    from qnwmh.reporting.progress import _counts

    assert _counts(cycle, world.national)[world.hunan.path]["approved"] == 7


def test_direct_row_appears_for_any_registration_at_the_unit_itself(world, scene):
    """As before the table: a draft at 湖南省 itself gives it a row of zeros."""
    _world, cycle, collectives = scene
    RegistrationFactory(cycle=cycle, collective=collectives[3], state=S.DRAFT)

    from qnwmh.reporting.progress import _counts

    empty = {"registered": 0, "approved": 0, "non_public": 0, "previous_title": 0}
    assert _counts(cycle, world.hunan) == {world.hunan.path: empty}
    assert table_differs_from_live(cycle) == {}


def test_check_reports_and_rebuild_repairs(scene):
    world, cycle, collectives = scene
    for collective, state in zip(collectives, SETTLED, strict=False):
        RegistrationFactory(cycle=cycle, collective=collective, state=state)
    RegistrationCount.objects.filter(cycle=cycle, unit_path=world.changde.path).update(n=99)
    RegistrationCount.objects.filter(cycle=cycle, unit_path=world.guangzhou.path).delete()

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_registration_counts", "--check", stdout=out)
    assert world.changde.path in out.getvalue()
    assert len(counts.differences(cycle.pk)) >= 2

    call_command("rebuild_registration_counts", f"--cycle={cycle.pk}", stdout=io.StringIO())

    assert counts.differences() == []
    assert table_differs_from_live(cycle) == {}
    call_command("rebuild_registration_counts", "--check", stdout=io.StringIO())  # exit 0


def test_rebuild_of_one_cycle_leaves_the_others(scene):
    world, cycle, collectives = scene
    other = CycleFactory(unit=world.national, level=Level.NATIONAL, name="另一全国届次")
    RegistrationFactory(cycle=cycle, collective=collectives[0], state=S.APPROVED)
    RegistrationFactory(cycle=other, collective=collectives[0], state=S.SUBMITTED)
    RegistrationCount.objects.filter(cycle=other).update(n=5)

    counts.rebuild(cycle.pk)

    assert counts.differences(cycle.pk) == []
    assert set(RegistrationCount.objects.filter(cycle=other).values_list("n", flat=True)) == {5}
