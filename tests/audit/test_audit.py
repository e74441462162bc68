import pytest

from qnwmh.accounts.enums import AdminRole
from qnwmh.audit import context
from qnwmh.audit.domain import diff, record
from qnwmh.audit.models import AppendOnlyError, AuditEntry
from qnwmh.units import domain as units_domain
from qnwmh.units.enums import Line
from tests.conftest import count_queries
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_entry_records_who_where_what(world):
    token = context.set_current(context.RequestMeta(ip="10.1.2.3", user_agent="UA", channel="web"))
    try:
        entry = record(
            "unit.rename",
            actor=world.users["changde"],
            obj=world.changde,
            changes=diff({"name": "旧"}, {"name": "新"}),
        )
    finally:
        context.reset(token)
    entry.refresh_from_db()
    assert (entry.actor_username, entry.actor_unit_name, entry.ip, entry.channel) == (
        "admin-changde",
        "常德市团委",
        "10.1.2.3",
        "web",
    )
    assert (entry.object_type, entry.object_id, entry.changes) == (
        "units.unit",
        str(world.changde.pk),
        {"name": ["旧", "新"]},
    )


def test_entries_cannot_be_changed_or_deleted(world):
    entry = record("x", actor=world.users["hunan"])
    entry.action = "y"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(action="z")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_diff_lists_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


def _two_units_created(world):
    """A unit created in Hunan and one in Guangdong, by each province's system administrator."""
    guangdong_system = UserFactory(
        username="admin-guangdong_system", unit=world.guangdong, admin_role=AdminRole.SYSTEM
    )
    units_domain.create_child_unit(
        world.users["hunan_system"], world.changde, name="鼎城区团委", line=Line.REGION, tier=3
    )
    units_domain.create_child_unit(
        guangdong_system, world.guangzhou, name="天河区团委", line=Line.REGION, tier=3
    )


def test_audit_admin_reads_only_its_subtree(world):
    _two_units_created(world)
    hunan_reads = AuditEntry.objects.visible_to(world.users["hunan_audit"])
    assert [e.object_repr for e in hunan_reads] == ["鼎城区团委"]
    national_reads = AuditEntry.objects.visible_to(world.users["national_audit"])
    assert [e.object_repr for e in national_reads] == [
        "天河区团委",
        "鼎城区团委",
    ]
    for other in ("judge", "hunan", "hunan_system", "hunan_security", "national"):
        assert list(AuditEntry.objects.visible_to(world.users[other])) == []


def test_audit_page_filters_and_scopes(world, login_as):
    _two_units_created(world)
    body = login_as(world.users["hunan_audit"]).get("/audit/", {"action": "unit."})
    body = body.content.decode()
    assert "鼎城区团委" in body and "天河区团委" not in body
    body = (
        login_as(world.users["national_audit"])
        .get("/audit/", {"actor": "admin-guangdong_system"})
        .content.decode()
    )
    assert "天河区团委" in body and "鼎城区团委" not in body


@pytest.mark.parametrize("persona", ["judge", "hunan", "hunan_system", "hunan_security"])
def test_audit_page_refused_to_all_but_the_audit_admin(world, login_as, persona):
    assert login_as(world.users[persona]).get("/audit/").status_code == 404


def test_audit_page_bad_filter_values_do_not_fail(world, login_as):
    response = login_as(world.users["hunan_audit"]).get("/audit/", {"date_from": "not-a-date"})
    assert response.status_code == 200


def test_audit_page_query_count_is_constant(world, login_as):
    client = login_as(world.users["national_audit"])
    record("x", actor=world.users["national"])
    few = count_queries(lambda: client.get("/audit/?page_size=200"))
    for i in range(60):
        UnitFactory(name=f"县{i}", parent=world.changde, tier=3)
        record("x", actor=world.users["national"], obj=world.changde)
    assert count_queries(lambda: client.get("/audit/?page_size=200")) == few
