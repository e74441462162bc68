import datetime

import pytest
from django.utils import timezone

from qnwmh.accounts.domain import issue_api_token
from qnwmh.accounts.enums import AccountKind, LoginChannel, LoginOutcome
from qnwmh.accounts.models import ApiToken, LoginAttempt, User
from qnwmh.audit.models import AuditEntry
from qnwmh.collectives import domain, frozen, queries
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.core.errors import AlreadyHandled, Conflict, Forbidden, InvalidInput
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.registrations.models import Registration
from qnwmh.titles.models import Title
from qnwmh.units.enums import Line
from tests.collectives.factories import (
    CollectiveFactory,
    FormerNameFactory,
    FrozenCollectiveFactory,
    TitleFactory,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


# --- rename (seeds 000 Q5) -------------------------------------------------------------------


def test_rename_keeps_old_name_as_former_name(world):
    collective = CollectiveFactory(unit=world.wuling, name="武陵区人民医院急诊科")
    renamed = domain.rename(world.users["changde"], collective, "常德市武陵区人民医院急诊科")
    renamed.refresh_from_db()
    assert (renamed.name, renamed.name_key, renamed.code) == (
        "常德市武陵区人民医院急诊科",
        "常德市武陵区人民医院急诊科",
        collective.code,
    )
    assert list(renamed.former_names.values_list("name", "name_key", "replaced_by")) == [
        ("武陵区人民医院急诊科", "武陵区人民医院急诊科", world.users["changde"].pk)
    ]
    assert User.objects.get(pk=collective.user.pk).display_name == "常德市武陵区人民医院急诊科"
    entry = AuditEntry.objects.get(action="collective.rename")
    assert entry.changes == {"name": ["武陵区人民医院急诊科", "常德市武陵区人民医院急诊科"]}


def test_rename_old_name_cannot_be_created_again(world):
    collective = CollectiveFactory(unit=world.wuling, name="武陵区人民医院急诊科")
    domain.rename(world.users["wuling"], collective, "武陵区第一人民医院急诊科")
    with pytest.raises(Conflict) as caught:
        domain.create_collective(
            world.users["wuling"],
            name="武陵区人民医院急诊科",
            unit=world.wuling,
            line=Line.REGION,
        )
    assert caught.value.extra == {"existing_code": collective.code}


def test_rename_to_another_collectives_name_or_former_name_conflicts(world):
    other = CollectiveFactory(unit=world.guangzhou, name="广州地铁三号线乘务中心")
    FormerNameFactory(collective=other, name="广州地铁3号线乘务组")
    collective = CollectiveFactory(unit=world.wuling)
    for taken in ("广州地铁三号线（乘务中心）", "广州地铁3号线乘务组"):
        with pytest.raises(Conflict) as caught:
            domain.rename(world.users["wuling"], collective, taken)
        # Another province's collective: named by its unit only (issue 10 item 10).
        assert caught.value.code == "collective_exists"
        assert caught.value.extra["existing_unit"] == {
            "id": world.guangzhou.pk,
            "name": "广州市团委",
        }
        assert "existing_code" not in caught.value.extra
        assert other.code not in caught.value.message
    assert FormerName.objects.filter(collective=collective).count() == 0


def test_rename_back_to_own_former_name(world):
    collective = CollectiveFactory(unit=world.wuling, name="甲科室")
    domain.rename(world.users["wuling"], collective, "乙科室")
    domain.rename(world.users["wuling"], collective, "甲科室")
    collective.refresh_from_db()
    assert collective.name == "甲科室"
    assert list(collective.former_names.values_list("name", flat=True)) == ["乙科室"]


def test_rename_punctuation_only_is_no_former_name(world):
    collective = CollectiveFactory(unit=world.wuling, name="武陵区人民医院(急诊科)")
    domain.rename(world.users["wuling"], collective, "武陵区人民医院（急诊科）")
    collective.refresh_from_db()
    assert collective.name == "武陵区人民医院（急诊科）"
    assert collective.former_names.count() == 0


def test_rename_same_name_or_bad_name_is_400(world):
    collective = CollectiveFactory(unit=world.wuling, name="甲科室")
    with pytest.raises(InvalidInput) as caught:
        domain.rename(world.users["wuling"], collective, " 甲科室 ")
    assert caught.value.fields == {"name": ["新名称与现名称相同。"]}
    with pytest.raises(InvalidInput) as caught:
        domain.rename(world.users["wuling"], collective, "")
    assert caught.value.fields == {"name": ["请输入集体的规范名称。"]}


def test_rename_outside_subtree_forbidden(world):
    collective = CollectiveFactory(unit=world.changde, name="甲科室")
    for actor in (world.users["wuling"], world.users["guangdong"], collective.user):
        with pytest.raises(Forbidden):
            domain.rename(actor, collective, "乙科室")
    assert Collective.objects.get(pk=collective.pk).name == "甲科室"


def test_search_finds_by_code_name_and_former_name(world):
    renamed = CollectiveFactory(code="5200000001", unit=world.wuling, name="武陵区人民医院急诊科")
    other = CollectiveFactory(code="5300000001", unit=world.changde, name="常德烟草物流配送中心")
    domain.rename(world.users["changde"], renamed, "常德市武陵区人民医院急诊科")
    everything = Collective.objects.all()
    assert list(queries.search(everything, "5200000001")) == [renamed]
    assert list(queries.search(everything, "52000")) == [renamed]
    assert list(queries.search(everything, "５３")) == [other]
    assert list(queries.search(everything, "人民医院 急诊")) == [renamed]
    assert list(queries.search(everything, "武陵区人民医院（急诊科）")) == [renamed]
    assert list(queries.search(everything, "烟草")) == [other]
    assert list(queries.search(everything, "")) == [renamed, other]
    assert list(queries.search(everything, "不存在")) == []
    assert list(queries.search(everything, "（）")) == []


def test_search_is_scoped_by_visible_to(world):
    CollectiveFactory(unit=world.guangzhou, name="广州地铁三号线乘务中心")
    visible = Collective.objects.visible_to(world.users["hunan"])
    assert list(queries.search(visible, "广州地铁")) == []


# --- details ------------------------------------------------------------------------------


def test_update_details_changes_and_audits(world):
    collective = CollectiveFactory(unit=world.wuling, industry="卫生")
    domain.update_details(
        world.users["wuling"],
        collective,
        industry="卫生健康",
        ownership=Ownership.NON_PUBLIC,
        phone="0736-7221234",
    )
    collective.refresh_from_db()
    assert (collective.industry, collective.ownership, collective.phone) == (
        "卫生健康",
        Ownership.NON_PUBLIC,
        "0736-7221234",
    )
    entry = AuditEntry.objects.get(action="collective.update")
    # (the audit log masks phone numbers itself; only the plain fields are compared here)
    assert sorted(entry.changes) == ["industry", "ownership", "phone"]
    assert (entry.changes["industry"], entry.changes["ownership"]) == (
        ["卫生", "卫生健康"],
        ["PUBLIC", "NON_PUBLIC"],
    )


def test_update_details_without_change_writes_no_audit(world):
    collective = CollectiveFactory(unit=world.wuling, industry="卫生")
    domain.update_details(world.users["wuling"], collective, industry=" 卫生 ")
    assert not AuditEntry.objects.filter(action="collective.update").exists()


def test_update_details_refuses_name_and_unit(world):
    collective = CollectiveFactory(unit=world.wuling)
    with pytest.raises(InvalidInput) as caught:
        domain.update_details(world.users["wuling"], collective, name="新名字", unit=world.changde)
    assert caught.value.fields == {"name": ["此处不能修改该项。"], "unit": ["此处不能修改该项。"]}


# --- passwords (seeds 000 Q2) ----------------------------------------------------------------


def test_reset_password_by_admin_above(world):
    collective = CollectiveFactory(unit=world.wuling)
    account = collective.user
    ApiToken.objects.create(user=account, key_hash="x" * 64, expires_at=timezone.now())
    for admin in ("wuling", "changde", "hunan", "national"):
        one_time_password = domain.reset_password(world.users[admin], collective)
        account.refresh_from_db()
        assert account.check_password(one_time_password)
        assert account.must_change_password is True
    assert not ApiToken.objects.filter(user=account).exists()
    assert AuditEntry.objects.filter(action="account.password_reset").count() == 4


def test_reset_password_refused_for_another_province(world):
    collective = CollectiveFactory(unit=world.wuling)
    for admin in ("guangdong", "guangzhou", "transport"):
        with pytest.raises(Forbidden):
            domain.reset_password(world.users[admin], collective)
    with pytest.raises(Forbidden):
        domain.reset_password(collective.user, collective)
    assert not AuditEntry.objects.filter(action="account.password_reset").exists()


def test_reset_password_of_frozen_record_refused(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    with pytest.raises(Conflict) as caught:
        domain.reset_password(world.users["changde"], collective)
    assert caught.value.code == "collective_frozen"


def test_reset_password_creates_missing_login(world):
    collective = CollectiveFactory(unit=world.changde, user=None)
    one_time_password = domain.reset_password(world.users["changde"], collective)
    collective.refresh_from_db()
    assert collective.user.username == collective.code
    assert collective.user.kind == AccountKind.COLLECTIVE
    assert collective.user.check_password(one_time_password)


def test_unlock_by_admin_above(world):
    collective = CollectiveFactory(unit=world.wuling)
    account = collective.user
    account.locked_until = timezone.now() + datetime.timedelta(minutes=10)
    account.save()
    with pytest.raises(Forbidden):
        domain.unlock(world.users["guangdong"], collective)
    domain.unlock(world.users["changde"], collective)
    account.refresh_from_db()
    assert account.locked_until is None
    assert AuditEntry.objects.filter(action="account.unlock").count() == 1


# --- transfer (seeds 000 Q4) -----------------------------------------------------------------


def test_transfer_moves_the_same_collective_and_code(world):
    collective = CollectiveFactory(unit=world.changde, name="武陵区人民医院急诊科")
    TitleFactory(collective=collective)
    FormerNameFactory(collective=collective, name="武陵区医院急诊科")
    moved = domain.transfer(world.users["changde"], collective, world.wuling)
    moved.refresh_from_db()
    assert (moved.pk, moved.code, moved.unit, moved.unit_path) == (
        collective.pk,
        collective.code,
        world.wuling,
        world.wuling.path,
    )
    assert User.objects.get(pk=collective.user.pk).unit == world.wuling
    assert Title.objects.filter(collective=moved).count() == 1
    assert FormerName.objects.filter(collective=moved).count() == 1
    entries = AuditEntry.objects.filter(action="collective.transfer").order_by("id")
    assert [e.scope_path for e in entries] == [world.changde.path, world.wuling.path]
    assert entries[0].changes == {"unit": ["常德市团委", "武陵区团委"]}
    assert list(Collective.objects.visible_to(world.users["wuling"])) == [moved]


def test_transfer_needs_an_admin_over_both_units(world):
    collective = CollectiveFactory(unit=world.wuling)
    with pytest.raises(Forbidden):
        domain.transfer(world.users["changde"], collective, world.guangzhou)
    with pytest.raises(Forbidden):
        domain.transfer(world.users["guangzhou"], collective, world.guangzhou)
    moved = domain.transfer(world.users["national"], collective, world.guangzhou)
    assert moved.unit == world.guangzhou


def test_transfer_to_industry_unit_joins_industry_line(world):
    collective = CollectiveFactory(unit=world.changde)
    power = UnitFactory(name="湖南省电力行业团委", parent=world.hunan, line=Line.INDUSTRY)
    moved = domain.transfer(world.users["hunan"], collective, power)
    assert moved.line == Line.INDUSTRY
    entry = AuditEntry.objects.filter(action="collective.transfer").first()
    assert entry.changes["line"] == ["REGION", "INDUSTRY"]


def test_transfer_to_same_unit_is_400(world):
    collective = CollectiveFactory(unit=world.changde)
    with pytest.raises(InvalidInput) as caught:
        domain.transfer(world.users["changde"], collective, world.changde)
    assert caught.value.fields == {"unit": ["该集体已归口于常德市团委。"]}


# --- frozen records (seeds 000 Q3) -----------------------------------------------------------


def test_unfreeze_requires_the_missing_fields(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    with pytest.raises(InvalidInput) as caught:
        frozen.unfreeze(world.users["changde"], collective)
    assert caught.value.fields == {"ownership": ["性质请选择公有制、非公有制经济或社会组织。"]}
    with pytest.raises(InvalidInput) as caught:
        frozen.unfreeze(world.users["changde"], collective, ownership="MIXED")
    assert caught.value.fields == {"ownership": ["性质请选择公有制、非公有制经济或社会组织。"]}
    assert Collective.objects.get(pk=collective.pk).data_ok is False


def test_unfreeze_completes_and_enables_login(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    frozen.unfreeze(
        world.users["hunan"], collective, ownership=Ownership.SOCIAL_ORG, industry="社会服务"
    )
    collective.refresh_from_db()
    assert (collective.data_ok, collective.frozen_reasons, collective.ownership) == (
        True,
        [],
        Ownership.SOCIAL_ORG,
    )
    assert User.objects.get(pk=collective.user.pk).is_active is True
    entry = AuditEntry.objects.get(action="collective.unfreeze")
    assert entry.changes["data_ok"] == [False, True]
    assert entry.changes["ownership"] == ["", "SOCIAL_ORG"]
    assert entry.changes["industry"] == ["", "社会服务"]


def test_unfreeze_twice_is_already_handled(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    frozen.unfreeze(world.users["changde"], collective, ownership=Ownership.PUBLIC)
    with pytest.raises(AlreadyHandled):
        frozen.unfreeze(world.users["changde"], collective, ownership=Ownership.PUBLIC)


def test_unfreeze_outside_subtree_forbidden(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    with pytest.raises(Forbidden):
        frozen.unfreeze(world.users["guangdong"], collective, ownership=Ownership.PUBLIC)


def test_delete_frozen_removes_record_and_login(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    account_pk = collective.user.pk
    frozen.delete_frozen(world.users["changde"], collective)
    assert not Collective.objects.filter(pk=collective.pk).exists()
    assert not User.objects.filter(pk=account_pk).exists()
    entry = AuditEntry.objects.get(action="collective.delete")
    assert entry.changes["code"] == [collective.code, None]


def test_unfreeze_enables_the_login_through_the_accounts_domain(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    frozen.unfreeze(world.users["changde"], collective, ownership=Ownership.PUBLIC)
    entry = AuditEntry.objects.get(action="account.enable")
    assert (entry.object_id, entry.changes["is_active"]) == (str(collective.user.pk), [False, True])


def test_delete_frozen_with_login_history_disables_the_login_and_ends_its_access(world):
    """A login that was ever used stays (its history), disabled like set_active would: tokens
    and sessions ended, the audit log told — not a silent update of is_active."""
    collective = FrozenCollectiveFactory(unit=world.changde)
    account = collective.user
    User.objects.filter(pk=account.pk).update(is_active=True)
    account.refresh_from_db()
    issue_api_token(account)
    LoginAttempt.objects.create(
        username=account.username,
        user=account,
        channel=LoginChannel.API,
        outcome=LoginOutcome.SUCCESS,
    )
    frozen.delete_frozen(world.users["changde"], collective)
    assert User.objects.get(pk=account.pk).is_active is False
    assert not ApiToken.objects.filter(user=account).exists()
    entry = AuditEntry.objects.get(action="account.disable")
    assert entry.changes["is_active"] == [True, False]


def test_delete_frozen_refuses_a_qualified_record(world):
    collective = CollectiveFactory(unit=world.changde)
    with pytest.raises(Conflict) as caught:
        frozen.delete_frozen(world.users["changde"], collective)
    assert (caught.value.code, caught.value.message) == ("not_frozen", "只能删除已冻结的记录。")


def test_delete_frozen_refuses_a_record_with_registrations(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    cycle = Cycle.objects.create(
        name="2025—2026年度测试",
        level=Level.PROVINCIAL,
        unit=world.hunan,
        registration_opens=datetime.date(2025, 1, 1),
        registration_closes=datetime.date(2026, 6, 30),
    )
    Registration.objects.create(
        cycle=cycle, collective=collective, unit=world.changde, unit_path=world.changde.path
    )
    with pytest.raises(Conflict) as caught:
        frozen.delete_frozen(world.users["changde"], collective)
    assert caught.value.code == "has_registrations"


def test_delete_frozen_outside_subtree_forbidden(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    with pytest.raises(Forbidden):
        frozen.delete_frozen(world.users["guangzhou"], collective)
    assert Collective.objects.filter(pk=collective.pk).exists()


def test_search_needs_two_characters_of_a_name_but_not_of_a_code(world):
    hospital = CollectiveFactory(code="5200000001", unit=world.wuling, name="武陵区人民医院急诊科")
    everything = Collective.objects.all()
    assert list(queries.search(everything, "医")) == []
    assert queries.name_too_short("医")
    assert list(queries.search(everything, "医院")) == [hospital]
    assert list(queries.search(everything, "5")) == [hospital]
    assert not queries.name_too_short("5")


def test_search_finds_a_two_character_word_in_a_former_name_only(world):
    renamed = CollectiveFactory(unit=world.wuling, name="武陵区急救站")
    domain.rename(world.users["changde"], renamed, "武陵区人民医院急诊科")
    CollectiveFactory(unit=world.wuling, name="常德烟草物流配送中心")
    assert list(queries.search(Collective.objects.all(), "救站")) == [renamed]
