import pytest

from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import User
from qnwmh.audit.models import AuditEntry
from qnwmh.collectives import codes, domain, duplicates
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective
from qnwmh.core.errors import Conflict, Forbidden, InvalidInput
from qnwmh.units.enums import Line, Tier
from tests.collectives.factories import CollectiveFactory, FormerNameFactory
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _create(actor, unit, name="武陵区人民医院急诊科", **extra):
    values = {"line": Line.REGION, "industry": "卫生健康", "ownership": Ownership.PUBLIC}
    return domain.create_collective(actor, name=name, unit=unit, **{**values, **extra})


def test_create_collective_makes_code_login_and_one_time_password(world):
    collective, one_time_password = _create(world.users["changde"], world.wuling)
    collective.refresh_from_db()
    assert codes.is_valid_code(collective.code)
    assert (collective.name, collective.name_key, collective.unit, collective.unit_path) == (
        "武陵区人民医院急诊科",
        "武陵区人民医院急诊科",
        world.wuling,
        world.wuling.path,
    )
    account = collective.user
    assert (account.username, account.kind, account.unit, account.display_name) == (
        collective.code,
        AccountKind.COLLECTIVE,
        world.wuling,
        "武陵区人民医院急诊科",
    )
    assert account.must_change_password is True
    assert account.check_password(one_time_password)
    assert collective.created_by == world.users["changde"]


def test_create_collective_is_audited(world):
    collective, _password = _create(world.users["changde"], world.wuling)
    entry = AuditEntry.objects.get(action="collective.create")
    assert (entry.actor, entry.object_id, entry.scope_path) == (
        world.users["changde"],
        str(collective.pk),
        world.wuling.path,
    )
    assert entry.changes["code"] == [None, collective.code]
    assert entry.changes["name"] == [None, "武陵区人民医院急诊科"]
    assert AuditEntry.objects.filter(action="account.create", object_id=str(collective.user.pk))


def test_create_collective_cleans_name_and_phone(world):
    collective, _password = _create(
        world.users["wuling"],
        world.wuling,
        name=" 武陵区 人民医院（急诊科） ",
        phone="139 0736 1234",
    )
    assert (collective.name, collective.phone) == ("武陵区人民医院（急诊科）", "13907361234")


@pytest.mark.parametrize(
    "spelling",
    [
        "武陵区人民医院急诊科",
        "武陵区人民医院（急诊科）",
        " 武陵区 人民医院 急诊科",
        "武陵区人民医院·急诊科",
    ],
)
def test_create_collective_same_name_answers_existing_code(world, spelling):
    existing = CollectiveFactory(unit=world.changde, name="武陵区人民医院急诊科")
    with pytest.raises(Conflict) as caught:
        _create(world.users["changde"], world.wuling, name=spelling)
    error = caught.value
    assert (error.code, error.extra) == ("collective_exists", {"existing_code": existing.code})
    assert error.message == (
        f"集体“武陵区人民医院急诊科”已存在，编码为 {existing.code}（归口单位：常德市团委）。"
        "一个集体只有一个编码：请使用现有编码；如归口单位有误，请由同时管辖两个单位的上级管理员将其转移。"
    )
    assert error.fields == {"name": [error.message]}
    assert Collective.objects.count() == 1
    assert not User.objects.filter(kind=AccountKind.COLLECTIVE).exclude(pk=existing.user.pk)


def test_create_collective_former_name_answers_existing_code(world):
    existing = CollectiveFactory(unit=world.changde, name="常德市第一人民医院急诊科")
    FormerNameFactory(collective=existing, name="常德市人民医院急诊科")
    with pytest.raises(Conflict) as caught:
        _create(world.users["changde"], world.changde, name="常德市人民医院（急诊科）")
    assert caught.value.extra == {"existing_code": existing.code}


def test_create_collective_in_another_province_names_its_unit_never_its_code(world):
    """Issue 10 item 10: the code is the collective's login name; another province learns only
    the jurisdiction and where to send a transfer request (the national committee)."""
    existing = CollectiveFactory(unit=world.guangzhou, name="广州地铁三号线乘务中心")
    with pytest.raises(Conflict) as caught:
        _create(world.users["hunan"], world.hunan, name="广州地铁三号线乘务中心")
    error = caught.value
    assert error.code == "collective_exists"
    assert error.extra == {
        "existing_unit": {"id": world.guangzhou.pk, "name": "广州市团委"},
        "transfer_request": {
            "name": "广州地铁三号线乘务中心",
            "decided_by": {"id": world.national.pk, "name": "全国组委会"},
            "url": "/api/v1/collectives/transfer-requests",
        },
    }
    assert existing.code not in error.message
    assert "广州市团委" in error.message and "转移申请" in error.message


def test_create_collective_outside_subtree_forbidden(world):
    with pytest.raises(Forbidden):
        _create(world.users["guangdong"], world.wuling)
    with pytest.raises(Forbidden):
        _create(world.users["wuling"], world.changde)  # a county admin cannot file at the city
    assert Collective.objects.count() == 0


def test_create_collective_by_collective_or_judge_forbidden(world):
    collective_user = CollectiveFactory(unit=world.wuling).user
    for actor in (collective_user, world.users["judge"]):
        with pytest.raises(Forbidden):
            _create(actor, world.wuling, name="另一个集体")
    assert Collective.objects.count() == 1


def test_create_collective_by_disabled_admin_forbidden(world):
    admin = world.users["changde"]
    admin.is_active = False
    with pytest.raises(Forbidden):
        _create(admin, world.wuling)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "  "}, "name", "请输入集体的规范名称。"),
        ({"name": "（）"}, "name", "名称至少要有两个汉字、字母或数字。"),
        ({"name": "科"}, "name", "名称至少要有两个汉字、字母或数字。"),
        ({"name": "集" * 201}, "name", "名称不能超过 200 个字符。"),
        ({"line": "CITY"}, "line", "请选择地方或行业。"),
        ({"ownership": "PRIVATE"}, "ownership", "性质请选择公有制、非公有制经济或社会组织。"),
        ({"industry": "行" * 51}, "industry", "行业不能超过 50 个字符。"),
        ({"phone": "12345"}, "phone", "请输入 11 位手机号码或带区号的固定电话，如 0736-1234567。"),
    ],
)
def test_create_collective_bad_input(world, values, field, message):
    with pytest.raises(InvalidInput) as caught:
        _create(world.users["changde"], world.changde, **values)
    assert caught.value.fields[field] == [message]
    assert Collective.objects.count() == 0


def test_create_collective_name_of_200_characters_accepted(world):
    collective, _password = _create(world.users["changde"], world.changde, name="集" * 200)
    assert len(collective.name) == 200
    assert collective.user.display_name == "集" * 100  # an account's name holds 100


def test_create_collective_under_industry_unit_must_be_industry(world):
    railway = UnitFactory(name="湖南省交通运输团委", parent=world.hunan, line=Line.INDUSTRY)
    with pytest.raises(InvalidInput) as caught:
        _create(world.users["hunan"], railway, line=Line.REGION)
    assert caught.value.fields == {"line": ["归口于行业单位的集体只能属于行业条块。"]}
    collective, _password = _create(world.users["hunan"], railway, line=Line.INDUSTRY)
    assert collective.line == Line.INDUSTRY


def test_create_collective_under_region_unit_may_be_industry(world):
    collective, _password = _create(
        world.users["changde"], world.changde, name="常德烟草物流配送中心", line=Line.INDUSTRY
    )
    assert collective.line == Line.INDUSTRY


def test_create_collective_by_tier_three_admin(world):
    county = UnitFactory(name="桃源县团委", parent=world.changde, tier=Tier.THIRD)
    admin = UserFactory(username="admin-taoyuan", unit=county)
    collective, _password = _create(admin, county, name="桃源县人民医院儿科")
    assert collective.unit == county


def test_near_duplicates_lists_loose_and_former_name_matches(world):
    bank = CollectiveFactory(unit=world.changde, name="常德银行股份有限公司营业部")
    renamed = CollectiveFactory(unit=world.wuling, name="武陵区新名称营业部")
    FormerNameFactory(collective=renamed, name="常德银行有限公司营业部")
    CollectiveFactory(unit=world.changde, name="常德银行分行营业部")
    found = duplicates.near_duplicates("常德银行营业部")
    assert [(c.collective, c.matched_name, c.exact) for c in found] == [
        (bank, "常德银行股份有限公司营业部", False),
        (renamed, "常德银行有限公司营业部", False),
    ]


def test_near_duplicates_exact_first_and_country_wide(world):
    loose = CollectiveFactory(
        code="5000000001", unit=world.changde, name="广州地铁三号线乘务中心有限公司"
    )
    exact = CollectiveFactory(
        code="5000000002", unit=world.guangzhou, name="广州地铁三号线乘务中心"
    )
    found = duplicates.near_duplicates("广州地铁3号线乘务中心")
    assert [(c.collective, c.exact) for c in found] == [(loose, False), (exact, False)]
    found = duplicates.near_duplicates("广州地铁三号线（乘务中心）")
    assert [(c.collective, c.exact) for c in found] == [(exact, True), (loose, False)]


def test_near_duplicates_of_nothing(world):
    CollectiveFactory(unit=world.changde)
    assert duplicates.near_duplicates("") == []
    assert duplicates.near_duplicates("完全不同的名字") == []


def test_create_collective_losing_a_race_on_the_name_is_409(world, monkeypatch):
    """Two admins create the same name at once: the check passes for both, the unique name key
    lets one insert win and the other gets 409 with the winner's code (nothing half-made)."""
    winner = CollectiveFactory(unit=world.changde, name="武陵区人民医院急诊科")
    calls = []

    def not_yet_seen(name, **kwargs):
        calls.append(name)
        return None if len(calls) == 1 else duplicates.holder_of_name(name, **kwargs)

    monkeypatch.setattr(domain, "holder_of_name", not_yet_seen)
    with pytest.raises(Conflict) as caught:
        _create(world.users["changde"], world.wuling)
    assert caught.value.extra == {"existing_code": winner.code}
    assert len(calls) == 2
    assert Collective.objects.count() == 1
    assert User.objects.filter(kind=AccountKind.COLLECTIVE).count() == 1
