import datetime

import pytest

from qnwmh.cycles import demo
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.web.demo import load_units_and_admins

pytestmark = pytest.mark.django_db


def test_demo_loads_seed_cycles_idempotently():
    """One national cycle per period run by the national committee, Hunan's 附件1 split of its
    115 over 18 units (seeds 000), Hunan's provincial and 常德's city cycle."""
    units, _logins = load_units_and_admins()
    demo.load(units)
    demo.load(units)

    assert Cycle.objects.count() == 5
    earlier = Cycle.objects.get(name="2015—2016年度全国青年文明号")
    assert (earlier.unit, earlier.level) == (units["national"], "NATIONAL")
    assert (earlier.registration_opens, earlier.registration_closes) == (
        datetime.date(2013, 7, 1),
        datetime.date(2015, 10, 31),
    )
    current = Cycle.objects.get(name="2025—2026年度全国青年文明号")
    assert current.unit == units["national"]
    assert current.is_open(datetime.date(2026, 6, 1))
    for cycle in (earlier, current):
        hunan = cycle.quotas.get(unit=units["hunan"])
        assert (hunan.required_registrations, hunan.evaluation_quota) == (115, 18)
        split = {
            q.unit.name: q.required_registrations
            for q in cycle.quotas.filter(unit__parent=units["hunan"]).select_related("unit")
        }
        assert len(split) == 18
        assert sum(split.values()) == 115
        assert split["长沙市团委"] == 10
        assert split["省非公团工委"] == 8
    provincial = Cycle.objects.get(name="2025—2026年度湖南省青年文明号")
    assert (provincial.unit, provincial.level) == (units["hunan"], "PROVINCIAL")
    city = Cycle.objects.get(name="2025—2026年度常德市青年文明号")
    assert (city.unit, city.level) == (units["hn-changde"], "CITY")
    guangdong = Cycle.objects.get(name="2025—2026年度广东省青年文明号")
    assert (guangdong.evaluation_quota_multiplier, guangdong.level) == (2, "PROVINCIAL")
    assert guangdong.prior_title_levels == ["NATIONAL", "PROVINCIAL", "CITY"]
    assert Quota.objects.count() == 2 * (3 + 18) + 3 + 1 + 3
