import pytest

from qnwmh.accounts.models import User
from qnwmh.collectives import demo
from qnwmh.collectives.models import Collective
from qnwmh.titles.models import Title
from qnwmh.web.demo import SET_BY_HOLDER, load_units_and_admins

pytestmark = pytest.mark.django_db


def test_demo_loads_collectives_titles_and_frozen_records():
    units, _logins = load_units_and_admins()
    logins = demo.load(units)
    assert Collective.objects.count() == 10
    hospital = Collective.objects.get(name="武陵区人民医院急诊科")
    assert hospital.unit == units["hn-changde-wuling"]
    assert list(hospital.titles.values_list("level", "year", "name")) == [
        ("PROVINCIAL", 2022, "湖南省青年文明号")
    ]
    assert Collective.objects.get(name="广州地铁三号线乘务中心").unit == units["gd-guangzhou"]
    frozen = Collective.objects.filter(data_ok=False)
    assert frozen.count() == 2
    assert all(c.unit == units["hn-changde"] and c.frozen_reasons for c in frozen)
    assert [(login.role, login.username) for login in logins] == [
        ("集体（武陵区人民医院急诊科）", hospital.code),
        (
            "集体（常德市第一人民医院急诊科）",
            Collective.objects.get(name="常德市第一人民医院急诊科").code,
        ),
    ]
    assert hospital.user.check_password(logins[0].password)


def test_demo_is_idempotent_and_reissues_only_unchanged_passwords():
    units, _logins = load_units_and_admins()
    demo.load(units)
    counts = (Collective.objects.count(), Title.objects.count(), User.objects.count())
    hospital = Collective.objects.get(name="武陵区人民医院急诊科")
    User.objects.filter(pk=hospital.user.pk).update(must_change_password=False)
    logins = demo.load(units)
    assert (Collective.objects.count(), Title.objects.count(), User.objects.count()) == counts
    assert logins[0].password == SET_BY_HOLDER
    second = Collective.objects.get(name="常德市第一人民医院急诊科")
    assert second.user.check_password(logins[1].password)
