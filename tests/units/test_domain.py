import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.accounts.enums import AdminRole
from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import Conflict, Forbidden, InvalidInput
from qnwmh.units import domain
from qnwmh.units.enums import Line, Tier
from qnwmh.units.models import Unit
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_child_unit_gets_path_below_its_parent(world):
    child = domain.create_child_unit(
        world.users["hunan_system"],
        world.hunan,
        name="衡阳市团委",
        line=Line.REGION,
        tier=Tier.SECOND,
    )
    assert child.path == world.hunan.path + f"{child.pk:08d}"
    assert Unit.objects.get(pk=child.pk).path == child.path


def test_child_unit_creation_is_audited(world):
    child = domain.create_child_unit(
        world.users["hunan_system"],
        world.hunan,
        name="衡阳市团委",
        line=Line.REGION,
        tier=Tier.SECOND,
    )
    entry = AuditEntry.objects.get(action="unit.create", object_id=str(child.pk))
    assert (entry.actor_username, entry.scope_path) == ("admin-hunan_system", child.path)
    assert entry.changes["name"] == [None, "衡阳市团委"]


def test_ancestor_admin_may_create_deep_below(world):
    unit = domain.create_child_unit(
        world.users["national_system"], world.changde, name="鼎城区团委", line=Line.REGION, tier=3
    )
    assert unit.parent == world.changde


@pytest.mark.parametrize(
    "persona",
    [
        *("changde", "guangdong", "guangzhou", "transport", "national", "hunan"),
        *("hunan_security", "hunan_audit", "national_audit"),
    ],
)
def test_only_a_system_admin_over_the_unit_creates_under_it(world, persona):
    """Admins outside or below, and admins of the other three roles (三权分立)."""
    with pytest.raises(Forbidden):
        domain.create_child_unit(
            world.users[persona], world.hunan, name="新单位", line=Line.REGION, tier=2
        )


def test_judge_cannot_create_units(world):
    with pytest.raises(Forbidden):
        domain.create_child_unit(
            world.users["judge"], world.hunan, name="新单位", line=Line.REGION, tier=2
        )


@pytest.mark.parametrize("tier", [0, 1, 4])
def test_tier_must_be_below_parent_and_at_most_three(world, tier):
    with pytest.raises(InvalidInput) as exc:
        domain.create_child_unit(
            world.users["hunan_system"], world.hunan, name="新单位", line=Line.REGION, tier=tier
        )
    assert list(exc.value.fields) == ["tier"]


def test_industry_unit_has_only_industry_units_below(world):
    with pytest.raises(InvalidInput) as exc:
        domain.create_child_unit(
            UserFactory(unit=world.transport, admin_role=AdminRole.SYSTEM),
            world.transport,
            name="地方单位",
            line=Line.REGION,
            tier=2,
        )
    assert exc.value.fields["line"] == ["行业单位之下只能设立行业单位。"]


def test_region_unit_may_hold_an_industry_unit(world):
    unit = domain.create_child_unit(
        world.users["hunan_system"],
        world.hunan,
        name="湖南省电力行业团委",
        line=Line.INDUSTRY,
        tier=2,
    )
    assert unit.line == Line.INDUSTRY


def test_blank_name_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        domain.create_child_unit(
            world.users["hunan_system"], world.hunan, name="   ", line=Line.REGION, tier=2
        )
    assert exc.value.fields["name"] == ["请填写单位名称。"]


def test_duplicate_name_under_same_parent_conflicts(world):
    with pytest.raises(Conflict) as exc:
        domain.create_child_unit(
            world.users["hunan_system"], world.hunan, name="常德市团委", line=Line.REGION, tier=2
        )
    assert exc.value.code == "unit_exists"


def test_subtree_is_one_query_and_exact(world):
    with CaptureQueriesContext(connection) as queries:
        names = sorted(Unit.objects.subtree_of(world.hunan).values_list("name", flat=True))
    assert names == ["常德市团委", "武陵区团委", "湖南省团委"]
    assert len(queries) == 1
    assert "LIKE" not in queries[0]["sql"].upper()


def test_subtree_does_not_leak_into_a_sibling_with_a_higher_id(world):
    # A sibling created later has a larger id; its path must fall outside the range.
    late = UnitFactory(name="后建单位", parent=world.national, tier=1)
    assert late not in Unit.objects.subtree_of(world.hunan)


def test_root_unit_can_exist_only_once(world):
    with pytest.raises(Conflict):
        domain.create_root_unit(name="第二个组委会")
