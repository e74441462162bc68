"""No code leak across jurisdictions (issue 10 item 10) and the transfer request that replaces
it (seeds 000 Q4: 归口单位有误，由上级管理员转移). Personas: another province (广东), a sibling
city (长沙 beside 常德) and the caller's own subtree (常德 over 武陵)."""

import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.collectives import transfers
from qnwmh.collectives.enums import Ownership, TransferState
from qnwmh.collectives.models import Collective, TransferRequest
from qnwmh.core.errors import Conflict, Forbidden, InvalidInput
from qnwmh.core.roles import AdminRole
from qnwmh.notifications.models import Notification
from qnwmh.units.enums import Line, Tier
from tests.collectives.factories import CollectiveFactory, FormerNameFactory
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = "武陵区人民医院急诊科"


@pytest.fixture
def changsha(world):
    unit = UnitFactory(name="长沙市团委", parent=world.hunan, tier=Tier.SECOND)
    admin = UserFactory(username="admin-changsha", unit=unit, admin_role=AdminRole.BUSINESS)
    return unit, admin


def _form(unit, name=NAME, **extra):
    return {
        "name": name,
        "unit": unit.pk,
        "line": Line.REGION,
        "industry": "卫生健康",
        "ownership": Ownership.PUBLIC,
        "leader_name": "",
        "phone": "",
        **extra,
    }


def _api_body(unit, name=NAME):
    return {"name": name, "unit": unit.pk, "line": "REGION"}


# --- the 409 -----------------------------------------------------------------------------


def test_api_409_in_own_subtree_names_the_code(world, api_client):
    existing = CollectiveFactory(unit=world.wuling, name=NAME)
    response = api_client.as_user(world.users["changde"]).post(
        "/collectives", _api_body(world.changde)
    )
    assert response.status_code == 409
    assert response.json()["error"]["existing_code"] == existing.code


@pytest.mark.parametrize("persona", ["guangdong", "changsha"])
def test_api_409_outside_subtree_names_the_unit_and_a_transfer_request(
    world, api_client, changsha, persona
):
    existing = CollectiveFactory(unit=world.wuling, name=NAME)
    user, unit = (
        (world.users["guangdong"], world.guangdong) if persona == "guangdong" else changsha[::-1]
    )
    response = api_client.as_user(user).post("/collectives", _api_body(unit))
    assert response.status_code == 409
    error = response.json()["error"]
    assert existing.code not in response.content.decode()
    assert "existing_code" not in error
    assert error["existing_unit"] == {"id": world.wuling.pk, "name": "武陵区团委"}
    decider = world.national if persona == "guangdong" else world.hunan
    assert error["transfer_request"]["decided_by"] == {"id": decider.pk, "name": decider.name}
    assert error["transfer_request"]["name"] == NAME


def test_page_409_outside_subtree_offers_a_transfer_request_without_the_code(
    world, login_as, changsha
):
    existing = CollectiveFactory(unit=world.wuling, name=NAME)
    unit, admin = changsha
    response = login_as(admin).post("/collectives/new/", _form(unit, confirmed="on"))
    assert response.status_code == 409
    content = response.content.decode()
    assert existing.code not in content
    assert "武陵区团委" in content
    assert response.context["existing"] is None
    assert response.context["transfer_form"].initial == {"name": NAME, "unit": unit.pk}
    assert "提交转移申请" in content


# --- candidates --------------------------------------------------------------------------


def test_api_candidates_show_codes_only_inside_the_subtree(world, api_client, changsha):
    mine = CollectiveFactory(unit=world.wuling, name="常德烟草物流配送中心有限公司")
    response = api_client.as_user(world.users["changde"]).get(
        "/collectives/candidates", {"name": "常德烟草物流配送中心"}
    )
    [result] = response.json()["results"]
    assert (result["code"], result["in_jurisdiction"]) == (mine.code, True)
    for user in (changsha[1], world.users["guangdong"]):
        response = api_client.as_user(user).get(
            "/collectives/candidates", {"name": "常德烟草物流配送中心"}
        )
        [result] = response.json()["results"]
        assert (result["code"], result["in_jurisdiction"]) == (None, False)
        assert result["unit"] == {"id": world.wuling.pk, "name": "武陵区团委"}
        assert mine.code not in response.content.decode()


def test_page_candidates_partial_hides_codes_of_a_sibling_city(world, login_as, changsha):
    existing = CollectiveFactory(unit=world.wuling, name="常德烟草物流配送中心有限公司")
    client = login_as(changsha[1])
    response = client.get("/collectives/new/candidates/", {"name": "常德烟草物流配送中心"})
    content = response.content.decode()
    assert existing.code not in content
    assert "武陵区团委" in content and "其他管辖范围" in content
    response = client.post("/collectives/new/", _form(changsha[0], name="常德烟草物流配送中心"))
    assert existing.code not in response.content.decode()
    response = login_as(world.users["changde"]).get(
        "/collectives/new/candidates/", {"name": "常德烟草物流配送中心"}
    )
    assert existing.code in response.content.decode()


# --- the transfer request ----------------------------------------------------------------


def test_request_goes_to_the_lowest_common_unit_and_notifies_it(
    world, changsha, django_capture_on_commit_callbacks
):
    existing = CollectiveFactory(unit=world.wuling, name=NAME)
    unit, admin = changsha
    with django_capture_on_commit_callbacks(execute=True):
        made = transfers.request_transfer(admin, name=NAME, to_unit=unit, reason="实际归口长沙")
    assert (made.collective, made.from_unit, made.to_unit, made.deciding_unit, made.state) == (
        existing,
        world.wuling,
        unit,
        world.hunan,
        TransferState.PENDING,
    )
    assert AuditEntry.objects.filter(action="collective.transfer_request").count() == 1
    told = Notification.objects.get(kind="collective.transfer_requested")
    assert told.recipient == world.users["hunan"]
    assert existing.code not in told.subject


def test_request_by_former_name_and_refusals(world, changsha):
    existing = CollectiveFactory(unit=world.wuling, name=NAME)
    FormerNameFactory(collective=existing, name="武陵区医院急诊科")
    unit, admin = changsha
    made = transfers.request_transfer(admin, name="武陵区医院急诊科", to_unit=unit)
    assert made.collective == existing
    with pytest.raises(Conflict) as caught:
        transfers.request_transfer(admin, name=NAME, to_unit=unit)
    assert caught.value.code == "transfer_requested"
    with pytest.raises(InvalidInput):
        transfers.request_transfer(admin, name="不存在的集体", to_unit=unit)
    with pytest.raises(Forbidden):
        transfers.request_transfer(admin, name=NAME, to_unit=world.changde)
    with pytest.raises(Conflict) as caught:  # own subtree: a direct transfer, no request
        transfers.request_transfer(world.users["changde"], name=NAME, to_unit=world.changde)
    assert caught.value.code == "transfer_not_needed"


def test_accept_moves_the_collective_with_its_code_and_history(
    world, changsha, django_capture_on_commit_callbacks
):
    existing = CollectiveFactory(unit=world.wuling, name=NAME)
    FormerNameFactory(collective=existing, name="武陵区医院急诊科")
    unit, admin = changsha
    made = transfers.request_transfer(admin, name=NAME, to_unit=unit)
    with pytest.raises(Forbidden):  # the requester does not decide
        transfers.accept(admin, made)
    with pytest.raises(Forbidden):  # nor does the current holder's city
        transfers.accept(world.users["changde"], made)
    with django_capture_on_commit_callbacks(execute=True):
        done = transfers.accept(world.users["hunan"], made)
    assert done.state == TransferState.ACCEPTED and done.decided_by == world.users["hunan"]
    moved = Collective.objects.get(pk=existing.pk)
    assert (moved.code, moved.unit, moved.unit_path) == (existing.code, unit, unit.path)
    assert [f.name for f in moved.former_names.all()] == ["武陵区医院急诊科"]
    assert AuditEntry.objects.filter(action="collective.transfer").count() == 2
    assert AuditEntry.objects.filter(action="collective.transfer_accept").count() == 1
    assert Notification.objects.get(kind="collective.transfer_accepted").recipient == admin
    with pytest.raises(Conflict):
        transfers.accept(world.users["hunan"], made)


def test_decline_needs_a_reason_and_tells_the_requester(
    world, changsha, django_capture_on_commit_callbacks
):
    CollectiveFactory(unit=world.wuling, name=NAME)
    unit, admin = changsha
    made = transfers.request_transfer(admin, name=NAME, to_unit=unit)
    with pytest.raises(InvalidInput):
        transfers.decline(world.users["hunan"], made, " ")
    with django_capture_on_commit_callbacks(execute=True):
        transfers.decline(world.users["hunan"], made, "不是同一个集体")
    made.refresh_from_db()
    assert (made.state, made.decline_reason) == (TransferState.DECLINED, "不是同一个集体")
    told = Notification.objects.get(kind="collective.transfer_declined")
    assert (told.recipient, told.body) == (admin, "不是同一个集体")
    assert Collective.objects.get(name=NAME).unit == world.wuling


def test_transfer_request_api_round_trip(world, api_client, changsha):
    existing = CollectiveFactory(unit=world.wuling, name=NAME)
    unit, admin = changsha
    response = api_client.as_user(admin).post(
        "/collectives/transfer-requests", {"name": NAME, "unit": unit.pk, "reason": "归口有误"}
    )
    assert response.status_code == 201
    body = response.json()
    assert existing.code not in response.content.decode()
    assert (body["deciding_unit"]["name"], body["state"], body["can_decide"]) == (
        "湖南省团委",
        "pending",
        False,
    )
    hunan = api_client.as_user(world.users["hunan"])
    listed = hunan.get("/collectives/transfer-requests").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert listed["results"][0]["can_decide"] is True
    # Another province sees nothing of it.
    other = api_client.as_user(world.users["guangdong"])
    assert other.get("/collectives/transfer-requests").json()["count"] == 0
    assert other.post(f"/collectives/transfer-requests/{body['id']}/accept").status_code == 404
    hunan = api_client.as_user(world.users["hunan"])
    response = hunan.post(f"/collectives/transfer-requests/{body['id']}/accept")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    assert Collective.objects.get(pk=existing.pk).unit == unit


def test_transfer_request_pages(world, login_as, changsha):
    CollectiveFactory(unit=world.wuling, name=NAME)
    unit, admin = changsha
    client = login_as(admin)
    response = client.post(
        "/collectives/transfer-requests/", {"name": NAME, "unit": unit.pk, "reason": "归口有误"}
    )
    assert response.status_code == 302
    made = TransferRequest.objects.get()
    assert "同意并转移" not in client.get("/collectives/transfer-requests/").content.decode()
    hunan = login_as(world.users["hunan"])
    page = hunan.get("/collectives/transfer-requests/").content.decode()
    assert "同意并转移" in page and NAME in page
    response = hunan.post(f"/collectives/transfer-requests/{made.pk}/decline/", {})
    assert response.status_code == 400
    response = hunan.post(
        f"/collectives/transfer-requests/{made.pk}/decline/", {f"d{made.pk}-reason": "不同"}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.state == TransferState.DECLINED
