"""The subtree counts stay exact under concurrent writers, on a real PostgreSQL (SQLite
serialises writers): many decisions at once on the same hot rows (the national and province
counts), and a collective's ownership or titles changing while its registration moves."""

import pytest
from django.db import connection, transaction

from qnwmh.collectives import domain as collectives_domain
from qnwmh.collectives.enums import Ownership
from qnwmh.registrations import counts, domain
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration
from tests.registrations.counting import table_differs_from_live
from tests.registrations.factories import CollectiveFactory, RegistrationFactory, TitleFactory
from tests.registrations.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")


def _fresh(registration) -> Registration:
    return Registration.objects.select_related("cycle", "collective", "unit").get(
        pk=registration.pk
    )


def test_concurrent_decisions_keep_counts_exact(world, cycle):
    units = [world.wuling, world.changde, world.wuling, world.changde] * 2
    registrations = [
        RegistrationFactory(
            cycle=cycle,
            collective=CollectiveFactory(unit=unit, code=f"cc{i:04d}", name=f"并发集体{i}"),
            state=S.SUBMITTED,
        )
        for i, unit in enumerate(units)
    ]
    decisions = [
        lambda r=r: domain.approve(world.users["hunan"], _fresh(r)) for r in registrations[:4]
    ] + [
        lambda r=r: domain.return_registration(world.users["changde"], _fresh(r), "材料不全")
        for r in registrations[4:6]
    ]
    # Two reviewers deciding the same registrations at once: one of each pair loses.
    decisions += [
        lambda r=r: domain.cancel(world.users["hunan"], _fresh(r), "撤销")
        for r in registrations[:2]
    ]
    decisions += [
        lambda r=r: domain.pre_approve(world.users["wuling"], _fresh(r)) for r in registrations[6:]
    ]

    outcomes = run_at_once(*decisions)

    assert all(isinstance(o, Registration | Exception) for o in outcomes)
    assert counts.differences(cycle.pk) == []
    assert table_differs_from_live(cycle) == {}


def test_ownership_and_title_change_during_a_transition(world, cycle):
    """The registration leaves its ownership blank, so it counts as its collective's: the
    collective turning non-public, gaining a title and the registration being approved, all at
    once, must add up whatever the order."""
    for attempt in range(3):
        collective = CollectiveFactory(
            unit=world.wuling, code=f"oc{attempt:04d}", name=f"所有制集体{attempt}"
        )
        registration = RegistrationFactory(
            cycle=cycle, collective=collective, state=S.SUBMITTED, ownership=""
        )

        def gain_title(collective=collective):
            with transaction.atomic():
                TitleFactory(collective=collective)

        outcomes = run_at_once(
            lambda r=registration: domain.approve(world.users["hunan"], _fresh(r)),
            lambda c=collective: collectives_domain.update_details(
                world.users["changde"], c, ownership=Ownership.NON_PUBLIC
            ),
            gain_title,
        )

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert counts.differences(cycle.pk) == []
        assert table_differs_from_live(cycle) == {}
    approved = counts.stored_rows(cycle.pk)[(cycle.pk, world.national.path, S.APPROVED, True, True)]
    assert approved == 3
