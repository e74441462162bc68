"""委托审核 per tier-1 unit, per cycle, to named units below it (seeds 000 附件3; API.md
/cycles/{id}/delegations): granted, used, withdrawn, audited."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import Forbidden
from qnwmh.cycles.models import Delegation
from qnwmh.registrations import domain as registrations
from qnwmh.registrations.enums import RegistrationState as S
from tests.cycles.factories import CycleFactory
from tests.factories import UnitFactory
from tests.registrations.factories import CollectiveFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _delete(api, cycle, unit):
    return api.client.delete(
        f"/api/v1/cycles/{cycle.pk}/delegations",
        json.dumps({"unit": unit.pk}),
        content_type="application/json",
        headers=api._headers(),
    )


@pytest.fixture
def cycle(world):
    return CycleFactory(unit=world.national)


def test_delegation_granted_used_and_withdrawn(world, api_client, cycle):
    collective = CollectiveFactory(unit=world.wuling)
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=S.PRE_APPROVED)
    with pytest.raises(Forbidden):
        registrations.approve(world.users["changde"], registration)

    hunan = api_client.as_user(world.users["hunan"])
    response = hunan.post(f"/cycles/{cycle.pk}/delegations", {"unit": world.changde.pk})
    assert response.status_code == 201
    assert response.json()["unit_name"] == "常德市团委"
    listed = hunan.get(f"/cycles/{cycle.pk}/delegations").json()
    assert [row["unit"] for row in listed["results"]] == [world.changde.pk]
    assert registrations.approve(world.users["changde"], registration).state == S.APPROVED

    other = RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling), state=S.PRE_APPROVED
    )
    # Named units only: 武陵区 was not named.
    with pytest.raises(Forbidden):
        registrations.approve(world.users["wuling"], other)
    response = _delete(hunan, cycle, world.changde)
    assert response.status_code == 204
    with pytest.raises(Forbidden):
        registrations.approve(world.users["changde"], other)
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions.count("cycle.delegate") == 1
    assert actions.count("cycle.undelegate") == 1


def test_delegation_only_by_a_tier_one_unit_above(world, api_client, cycle):
    body = {"unit": world.wuling.pk}
    for persona in ("changde", "national"):
        response = api_client.as_user(world.users[persona]).post(
            f"/cycles/{cycle.pk}/delegations", body
        )
        assert response.status_code == 403, persona
    response = api_client.as_user(world.users["guangdong"]).post(
        f"/cycles/{cycle.pk}/delegations", body
    )
    assert response.status_code == 404  # 武陵区 is outside Guangdong's subtree
    response = api_client.as_user(world.users["hunan"]).post(
        f"/cycles/{cycle.pk}/delegations", {"unit": world.hunan.pk}
    )
    assert response.status_code == 403  # not to itself
    assert Delegation.objects.count() == 0


def test_delegation_grant_is_idempotent_and_withdraw_of_none_404(world, api_client, cycle):
    hunan = api_client.as_user(world.users["hunan"])
    for _ in range(2):
        hunan.post(f"/cycles/{cycle.pk}/delegations", {"unit": world.changde.pk})

    assert Delegation.objects.count() == 1
    response = _delete(hunan, cycle, world.wuling)
    assert response.status_code == 404


def test_delegation_shows_in_the_queue_of_the_named_unit(world, cycle):
    from qnwmh.registrations.models import Registration
    from qnwmh.registrations.rules import awaiting_action

    RegistrationFactory(
        cycle=cycle, collective=CollectiveFactory(unit=world.wuling), state=S.PRE_APPROVED
    )
    waiting = Registration.objects.filter(awaiting_action(world.users["changde"]))
    assert waiting.count() == 0
    Delegation.objects.create(cycle=cycle, unit=world.changde)
    assert waiting.count() == 1


def test_delegation_list_query_count_constant(world, api_client, cycle):
    hunan = api_client.as_user(world.users["hunan"])
    Delegation.objects.create(cycle=cycle, unit=world.changde)
    url = f"/cycles/{cycle.pk}/delegations"
    with CaptureQueriesContext(connection) as one:
        hunan.get(url)
    for n in range(10):
        Delegation.objects.create(cycle=cycle, unit=UnitFactory(name=f"市{n}", parent=world.hunan))
    with CaptureQueriesContext(connection) as many:
        assert hunan.get(url).json()["count"] == 11

    assert len(many) == len(one)


def test_city_approves_in_its_own_city_cycle(world):
    city = CycleFactory(unit=world.changde, level="CITY")
    registration = RegistrationFactory(
        cycle=city, collective=CollectiveFactory(unit=world.wuling), state=S.PRE_APPROVED
    )

    assert registrations.approve(world.users["changde"], registration).state == S.APPROVED


def test_delegation_page_grants_and_withdraws(world, login_as, cycle):
    client = login_as(world.users["hunan"])
    page = client.get(f"/cycles/{cycle.pk}/delegations/")
    assert page.status_code == 200
    assert [row["unit"].name for row in page.context["rows"]] == ["常德市团委"]

    response = client.post(f"/cycles/{cycle.pk}/delegations/", {"unit": world.changde.pk})
    assert response.status_code == 302
    assert Delegation.objects.filter(cycle=cycle, unit=world.changde).exists()
    assert "已委托" in client.get(f"/cycles/{cycle.pk}/delegations/").text
    client.post(
        f"/cycles/{cycle.pk}/delegations/", {"unit": world.changde.pk, "action": "withdraw"}
    )
    assert not Delegation.objects.exists()


def test_delegation_page_other_tiers_403(world, login_as, cycle):
    for persona in ("national", "changde"):
        response = login_as(world.users[persona]).get(f"/cycles/{cycle.pk}/delegations/")
        assert response.status_code == 403, persona
