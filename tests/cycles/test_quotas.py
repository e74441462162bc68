import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.cycles.models import Quota
from tests.cycles.factories import CycleFactory, QuotaFactory
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _table(cycle):
    return sorted(
        (q.unit.name, q.required_registrations, q.evaluation_quota)
        for q in Quota.objects.filter(cycle=cycle).select_related("unit")
    )


def _put(api_client, user, cycle, body, unit=None):
    query = f"?unit={unit.pk}" if unit is not None else ""
    return api_client.as_user(user).put(f"/cycles/{cycle.pk}/quotas{query}", body)


def test_put_quotas_by_owner_replaces_table(world, api_client):
    cycle = CycleFactory(unit=world.hunan, level="PROVINCIAL")
    old = UnitFactory(name="衡阳市团委", parent=world.hunan)
    QuotaFactory(cycle=cycle, unit=old, required_registrations=7)
    body = [{"unit": world.changde.pk, "required_registrations": 6, "evaluation_quota": 1}]

    response = _put(api_client, world.users["hunan"], cycle, body)

    assert response.status_code == 200
    assert response.json() == {
        "unit": world.hunan.pk,
        "allocation": None,
        "children": [
            {
                "unit": world.changde.pk,
                "unit_name": "常德市团委",
                "required_registrations": 6,
                "evaluation_quota": 1,
            },
            {
                "unit": old.pk,
                "unit_name": "衡阳市团委",
                "required_registrations": 0,
                "evaluation_quota": 0,
            },
        ],
        "unallocated": {"required_registrations": 0, "evaluation_quota": 0},
    }
    assert _table(cycle) == [("常德市团委", 6, 1)]


def test_put_quotas_by_ancestor_of_owner(world, api_client):
    cycle = CycleFactory(unit=world.hunan, level="PROVINCIAL")
    body = [{"unit": world.changde.pk, "required_registrations": 6, "evaluation_quota": 1}]

    response = _put(api_client, world.users["national"], cycle, body, unit=world.hunan)

    assert response.status_code == 200
    assert _table(cycle) == [("常德市团委", 6, 1)]


def test_put_quotas_zero_rows_not_kept(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    body = [{"unit": world.changde.pk, "required_registrations": 0, "evaluation_quota": 0}]

    response = _put(api_client, world.users["hunan"], cycle, body, unit=world.hunan)

    assert response.status_code == 200
    assert _table(cycle) == []


def test_split_three_levels_with_the_409(world, api_client):
    """National → Hunan 115/18 → 常德 6/2 → 武陵区 (seeds 000 附件1): each unit splits its own
    allocation; evaluation quotas above the parent's are 409, required registrations may
    exceed it, and what is not passed down shows as unallocated."""
    cycle = CycleFactory(unit=world.national)
    national = [
        {"unit": world.hunan.pk, "required_registrations": 115, "evaluation_quota": 18},
        {"unit": world.guangdong.pk, "required_registrations": 60, "evaluation_quota": 6},
    ]
    assert _put(api_client, world.users["national"], cycle, national).status_code == 200
    hunan = [{"unit": world.changde.pk, "required_registrations": 6, "evaluation_quota": 2}]
    response = _put(api_client, world.users["hunan"], cycle, hunan)
    assert response.status_code == 200
    assert response.json()["allocation"] == {
        "required_registrations": 115,
        "evaluation_quota": 18,
    }
    assert response.json()["unallocated"] == {
        "required_registrations": 109,
        "evaluation_quota": 16,
    }
    too_many = [{"unit": world.wuling.pk, "required_registrations": 9, "evaluation_quota": 3}]
    response = _put(api_client, world.users["changde"], cycle, too_many)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quota_exceeds_allocation"
    more_required = [{"unit": world.wuling.pk, "required_registrations": 9, "evaluation_quota": 2}]
    response = _put(api_client, world.users["changde"], cycle, more_required)
    assert response.status_code == 200
    assert response.json()["unallocated"] == {"required_registrations": 0, "evaluation_quota": 0}
    assert _table(cycle) == [
        ("常德市团委", 6, 2),
        ("广东省团委", 60, 6),
        ("武陵区团委", 9, 2),
        ("湖南省团委", 115, 18),
    ]
    # The province cannot cut 常德 below what 常德 already passed down.
    cut = [{"unit": world.changde.pk, "required_registrations": 6, "evaluation_quota": 1}]
    assert _put(api_client, world.users["hunan"], cycle, cut).status_code == 409
    get = api_client.as_user(world.users["changde"]).get(f"/cycles/{cycle.pk}/quotas")
    assert get.json()["allocation"] == {"required_registrations": 6, "evaluation_quota": 2}


def test_split_without_allocation_refuses_evaluation_quota(world, api_client):
    cycle = CycleFactory(unit=world.national)
    body = [{"unit": world.changde.pk, "required_registrations": 6, "evaluation_quota": 1}]

    response = _put(api_client, world.users["hunan"], cycle, body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quota_exceeds_allocation"


def test_put_quotas_below_owner_forbidden(world, api_client):
    """The city splits its own allocation only, never its province's."""
    cycle = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6)
    body = [{"unit": world.changde.pk, "required_registrations": 99, "evaluation_quota": 0}]

    response = _put(api_client, world.users["changde"], cycle, body, unit=world.hunan)

    assert response.status_code == 404  # Hunan lies outside 常德's subtree
    response = _put(api_client, world.users["hunan"], cycle, [], unit=world.changde)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert _table(cycle) == [("常德市团委", 6, 1)]


def test_put_quotas_other_province_404(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    body = [{"unit": world.guangzhou.pk, "required_registrations": 1, "evaluation_quota": 1}]

    response = api_client.as_user(world.users["guangdong"]).put(f"/cycles/{cycle.pk}/quotas", body)

    assert response.status_code == 404
    assert Quota.objects.count() == 0


def test_put_quotas_unit_outside_subtree_rejected_atomically(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6)
    body = [
        {"unit": world.changde.pk, "required_registrations": 8, "evaluation_quota": 1},
        {"unit": world.guangzhou.pk, "required_registrations": 3, "evaluation_quota": 0},
        {"unit": world.wuling.pk, "required_registrations": 2, "evaluation_quota": 0},
    ]

    response = api_client.as_user(world.users["hunan"]).put(f"/cycles/{cycle.pk}/quotas", body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "1.unit": ["该单位不在届次组织单位的下级范围内。"],
        "2.unit": ["该单位不在届次组织单位的下级范围内。"],
    }
    assert _table(cycle) == [("常德市团委", 6, 1)]
    assert not AuditEntry.objects.filter(action="cycle.quotas").exists()


def test_put_quotas_duplicate_and_negative_rejected(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    body = [
        {"unit": world.changde.pk, "required_registrations": 8, "evaluation_quota": 1},
        {"unit": world.changde.pk, "required_registrations": -1, "evaluation_quota": 1},
    ]

    response = api_client.as_user(world.users["hunan"]).put(f"/cycles/{cycle.pk}/quotas", body)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "1.unit": ["该单位重复出现。"],
        "1.required_registrations": ["请输入 0 到 100000 之间的整数。"],
    }
    assert Quota.objects.count() == 0


def test_put_quotas_bad_types_400(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    body = [{"unit": "常德", "required_registrations": 8}]

    response = api_client.as_user(world.users["hunan"]).put(f"/cycles/{cycle.pk}/quotas", body)

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"0.unit", "0.evaluation_quota"}


def test_put_quotas_not_a_list_400(world, api_client):
    cycle = CycleFactory(unit=world.hunan)

    response = api_client.as_user(world.users["hunan"]).put(
        f"/cycles/{cycle.pk}/quotas", {"unit": 1}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_put_quotas_audited_before_after(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6, evaluation_quota=1)
    body = [{"unit": world.changde.pk, "required_registrations": 8, "evaluation_quota": 2}]

    api_client.as_user(world.users["hunan"]).put(f"/cycles/{cycle.pk}/quotas", body)

    entry = AuditEntry.objects.get(action="cycle.quotas")
    assert entry.actor == world.users["hunan"]
    assert entry.object_id == str(cycle.pk)
    assert entry.scope_path == world.hunan.path
    assert entry.changes == {
        "unit": "湖南省团委",
        "quotas": [{"常德市团委": [6, 1]}, {"常德市团委": [8, 2]}],
    }


def test_get_quotas_visible_below(world, api_client):
    cycle = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6, evaluation_quota=1)

    response = api_client.as_user(world.users["changde"]).get(f"/cycles/{cycle.pk}/quotas")

    assert response.json()["allocation"] == {"required_registrations": 6, "evaluation_quota": 1}
    assert response.json()["children"][0]["unit_name"] == "武陵区团委"


def test_quota_page_shows_children_and_totals(world, login_as):
    cycle = CycleFactory(unit=world.hunan)
    hengyang = UnitFactory(name="衡阳市团委", parent=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6, evaluation_quota=1)
    QuotaFactory(cycle=cycle, unit=hengyang, required_registrations=7, evaluation_quota=2)

    response = login_as(world.users["hunan"]).get(f"/cycles/{cycle.pk}/quotas/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["unit"].name for row in rows] == ["常德市团委", "衡阳市团委"]
    assert response.context["totals"] == {"required_registrations": 13, "evaluation_quota": 3}
    assert "13" in response.text


def _post_data(rows):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, (unit, required, quota) in enumerate(rows):
        data[f"form-{i}-unit"] = str(unit)
        data[f"form-{i}-required_registrations"] = str(required)
        data[f"form-{i}-evaluation_quota"] = str(quota)
    return data


def test_quota_page_save_replaces_table(world, login_as):
    cycle = CycleFactory(unit=world.hunan)
    hengyang = UnitFactory(name="衡阳市团委", parent=world.hunan)
    data = _post_data([(world.changde.pk, 6, 1), (hengyang.pk, 0, 0)])

    response = login_as(world.users["hunan"]).post(f"/cycles/{cycle.pk}/quotas/", data)

    assert response.status_code == 302
    assert response["Location"] == f"/cycles/{cycle.pk}/"
    assert _table(cycle) == [("常德市团委", 6, 1)]
    assert AuditEntry.objects.filter(action="cycle.quotas").count() == 1


def test_quota_page_errors_keep_typed_values(world, login_as):
    cycle = CycleFactory(unit=world.hunan)
    data = _post_data([(world.changde.pk, 6, 1), (world.guangzhou.pk, 5, 1)])
    data["form-0-required_registrations"] = "abc"

    response = login_as(world.users["hunan"]).post(f"/cycles/{cycle.pk}/quotas/", data)

    assert response.status_code == 400
    assert 'value="abc"' in response.text
    assert Quota.objects.count() == 0


def test_quota_page_domain_errors_next_to_row(world, login_as):
    cycle = CycleFactory(unit=world.hunan)
    data = _post_data([(world.changde.pk, 6, 1), (world.guangzhou.pk, 5, 1)])

    response = login_as(world.users["hunan"]).post(f"/cycles/{cycle.pk}/quotas/", data)

    assert response.status_code == 400
    forms = response.context["formset"].forms
    assert forms[0].errors == {}
    assert forms[1].errors == {"unit": ["该单位不在届次组织单位的下级范围内。"]}
    assert "该单位不在届次组织单位的下级范围内。" in response.text
    assert Quota.objects.count() == 0


def test_quota_page_of_another_unit_403(world, login_as):
    cycle = CycleFactory(unit=world.hunan)

    response = login_as(world.users["hunan"]).get(
        f"/cycles/{cycle.pk}/quotas/?unit={world.changde.pk}"
    )

    assert response.status_code == 403


def test_quota_page_city_splits_its_allocation(world, login_as):
    cycle = CycleFactory(unit=world.hunan)
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6, evaluation_quota=1)
    client = login_as(world.users["changde"])

    page = client.get(f"/cycles/{cycle.pk}/quotas/")
    assert page.status_code == 200
    assert page.context["split"].allocation.required_registrations == 6
    response = client.post(f"/cycles/{cycle.pk}/quotas/", _post_data([(world.wuling.pk, 4, 2)]))
    assert response.status_code == 400
    assert "常德市团委" in response.context["formset"].non_form_errors()[0]
    response = client.post(f"/cycles/{cycle.pk}/quotas/", _post_data([(world.wuling.pk, 4, 1)]))
    assert response.status_code == 302
    page = client.get(f"/cycles/{cycle.pk}/quotas/")
    assert page.context["unallocated"] == {"required_registrations": 2, "evaluation_quota": 0}


def test_quota_page_other_province_404(world, login_as):
    cycle = CycleFactory(unit=world.hunan)

    response = login_as(world.users["guangdong"]).get(f"/cycles/{cycle.pk}/quotas/")

    assert response.status_code == 404
