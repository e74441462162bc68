"""The data migration of issue 10 item 1 (registrations 0005): a province's copy of a national
cycle becomes its allocations in the one national cycle, on a copy of the old demo data built
here; a collective that would end with two registrations keeps the copy in place."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qnwmh.cycles.models import Cycle, Quota
from qnwmh.registrations import counts
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration
from tests.cycles.factories import CycleFactory, QuotaFactory
from tests.registrations.factories import CollectiveFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("registrations", "0004_transition_action")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _old_demo(world):
    """The national committee's cycle and Hunan's copy "（湖南）" of the same period, as the
    old demo had them."""
    window = {
        "registration_opens": datetime.date(2025, 11, 1),
        "registration_closes": datetime.date(2026, 12, 31),
    }
    national = CycleFactory(unit=world.national, name="2025—2026年度全国青年文明号", **window)
    copy = CycleFactory(unit=world.hunan, name="2025—2026年度全国青年文明号（湖南）", **window)
    QuotaFactory(cycle=copy, unit=world.changde, required_registrations=6, evaluation_quota=1)
    QuotaFactory(cycle=copy, unit=world.wuling, required_registrations=2, evaluation_quota=0)
    QuotaFactory(cycle=national, unit=world.guangdong, required_registrations=60)
    return national, copy


def test_copy_becomes_allocations_of_the_one_national_cycle(world):
    migrate(BEFORE)
    national, copy = _old_demo(world)
    moved = RegistrationFactory(
        cycle=copy, collective=CollectiveFactory(unit=world.wuling), state=S.APPROVED
    )
    later = CycleFactory(unit=world.hunan, name="下一届", level="PROVINCIAL", previous=copy)

    migrate(_latest())

    assert not Cycle.objects.filter(pk=copy.pk).exists()
    assert Registration.objects.get(pk=moved.pk).cycle_id == national.pk
    assert Cycle.objects.get(pk=later.pk).previous_id == national.pk
    table = sorted(
        (q.unit.name, q.required_registrations, q.evaluation_quota)
        for q in Quota.objects.filter(cycle=national).select_related("unit")
    )
    assert table == [
        ("常德市团委", 6, 1),
        ("广东省团委", 60, 1),
        ("武陵区团委", 2, 0),
        ("湖南省团委", 6, 1),
    ]
    assert counts.differences() == []  # rebuild_registration_counts --check passes


def test_collective_registered_twice_keeps_the_copy_and_is_reported(world, capsys):
    migrate(BEFORE)
    national, copy = _old_demo(world)
    twice = CollectiveFactory(unit=world.wuling, name="武陵区两次报备的集体")
    RegistrationFactory(cycle=national, collective=twice, state=S.SUBMITTED)
    RegistrationFactory(cycle=copy, collective=twice, state=S.SUBMITTED)

    migrate(_latest())

    assert Cycle.objects.filter(pk=copy.pk).exists()
    assert Registration.objects.filter(cycle=copy).count() == 1
    assert "武陵区两次报备的集体" in capsys.readouterr().out
    assert counts.differences() == []
