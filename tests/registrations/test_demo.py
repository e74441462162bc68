"""The demo registrations: one per review state through the real transitions, 武陵区人民医院急诊科
left free for a walk-through, nothing twice."""

import pytest

from qnwmh.registrations import demo
from qnwmh.registrations.models import Registration, Transition
from qnwmh.web.demo import load_units_and_admins
from tests.registrations.factories import CollectiveFactory, CycleFactory


@pytest.fixture
def units(db):
    units, _logins = load_units_and_admins()
    return units


@pytest.fixture
def demo_collectives(units):
    names = {
        "hn-changde-wuling": [
            "武陵区人民医院急诊科",
            "武陵区德诚会计师事务所审计部",
            "武陵区青年志愿者协会服务队",
        ],
        "hn-changde": ["常德市第一人民医院急诊科", "常德烟草物流配送中心"],
        "hn-changsha": ["长沙市地铁1号线客运部"],
    }
    return [
        CollectiveFactory(unit=units[key], name=name)
        for key, unit_names in names.items()
        for name in unit_names
    ]


def test_demo_makes_one_registration_per_state_and_is_idempotent(units, demo_collectives):
    CycleFactory(
        unit=units["national"], name=demo.CYCLE_NAME, prior_title_levels=["NATIONAL", "PROVINCIAL"]
    )
    demo.load(units)
    states = dict(Registration.objects.values_list("collective__name", "state"))
    assert sorted(states.values()) == sorted(
        ["draft", "submitted", "pre_approved", "approved", "returned"]
    )
    assert "武陵区人民医院急诊科" not in states
    returned = Registration.objects.get(state="returned")
    assert returned.return_reason == demo.RETURN_REASON
    actors = set(
        Transition.objects.exclude(actor__kind="COLLECTIVE").values_list(
            "actor__username", flat=True
        )
    )
    assert actors <= {"hn-changde-wuling", "hn-changde", "hunan"}
    counts = (Registration.objects.count(), Transition.objects.count())
    demo.load(units)
    assert (Registration.objects.count(), Transition.objects.count()) == counts


def test_demo_without_the_cycle_creates_nothing(units, demo_collectives):
    assert demo.load(units) == []
    assert not Registration.objects.exists()
