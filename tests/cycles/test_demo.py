import datetime

import pytest

from qnwmh.cycles import demo
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.web.demo import load_units_and_admins

pytestmark = pytest.mark.django_db


def test_demo_loads_seed_cycles_idempotently():
    units, _logins = load_units_and_admins()
    demo.load(units)
    demo.load(units)

    assert Cycle.objects.count() == 3
    earlier = Cycle.objects.get(name="2015—2016年度全国青年文明号")
    assert (earlier.unit, earlier.level) == (units["hunan"], "NATIONAL")
    assert (earlier.registration_opens, earlier.registration_closes) == (
        datetime.date(2013, 7, 1),
        datetime.date(2015, 10, 31),
    )
    quotas = {q.unit.name: q.required_registrations for q in earlier.quotas.select_related("unit")}
    assert len(quotas) == 18
    assert sum(quotas.values()) == 115
    assert quotas["长沙市团委"] == 10
    assert quotas["省非公团工委"] == 8
    current = Cycle.objects.get(name="2025—2026年度全国青年文明号（湖南）")
    assert current.previous == earlier
    assert current.is_open(datetime.date(2026, 6, 1))
    assert current.quotas.count() == 18
    guangdong = Cycle.objects.get(name="2025—2026年度广东省青年文明号")
    assert (guangdong.evaluation_quota_multiplier, guangdong.level) == (2, "PROVINCIAL")
    assert guangdong.prior_title_levels == ["NATIONAL", "PROVINCIAL", "CITY"]
    assert Quota.objects.count() == 18 + 18 + 3
