"""The unit picker: a text box and at most 20 radio buttons of the admin's subtree, in place of
a <select> of every unit (docs/performance.md §3). Works without JavaScript: a typed name is
resolved on the server."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.units.picker import MAX_MATCHES, matching_units
from tests.collectives.factories import CollectiveFactory
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _pick(client, text, field="unit"):
    return client.get("/units/pick/", {"field": field, f"{field}_name": text})


def test_pick_offers_units_of_the_subtree_whose_name_contains_the_text(world, login_as):
    client = login_as(world.users["hunan"])
    page = _pick(client, "团委").content.decode()
    for unit in (world.hunan, world.changde, world.wuling):
        assert f'name="unit" value="{unit.pk}"' in page
    assert f'value="{world.guangdong.pk}"' not in page
    assert f'value="{world.national.pk}"' not in page


def test_pick_names_the_radio_buttons_after_the_field(world, login_as):
    page = _pick(login_as(world.users["hunan"]), "武陵", field="new_unit").content.decode()
    assert f'type="radio" name="new_unit" value="{world.wuling.pk}"' in page


def test_pick_says_when_nothing_matches(world, login_as):
    page = _pick(login_as(world.users["changde"]), "广州").content.decode()
    assert "radio" not in page
    assert "您的管辖范围内没有符合的单位。" in page


def test_pick_is_for_admins_only(world, login_as):
    collective_user = CollectiveFactory(unit=world.wuling).user
    assert _pick(login_as(collective_user), "武陵").status_code == 404
    assert _pick(login_as(world.users["judge"]), "武陵").status_code == 404


def test_matching_units_ranks_exact_then_prefix_and_stops_at_the_limit(world):
    for number in range(MAX_MATCHES + 5):
        UnitFactory(name=f"武陵区第{number}团委", parent=world.changde, tier=3)
    UnitFactory(name="武陵", parent=world.changde, tier=3)
    found = matching_units(world.users["hunan"], "武陵")
    assert len(found) == MAX_MATCHES
    assert found[0].name == "武陵"
    assert all(u.name.startswith("武陵") for u in found[1:])


def test_pick_query_count_does_not_grow_with_matches(world, login_as):
    client = login_as(world.users["hunan"])
    UnitFactory(name="常德市第0团委", parent=world.changde, tier=3)
    with CaptureQueriesContext(connection) as one:
        _pick(client, "常德")
    for number in range(1, 12):
        UnitFactory(name=f"常德市第{number}团委", parent=world.changde, tier=3)
    with CaptureQueriesContext(connection) as many:
        page = _pick(client, "常德").content.decode()
    assert page.count('type="radio"') == 13
    assert len(many) == len(one)


# --- the picker in a form, without JavaScript ---------------------------------------------------


def _list(client, **params):
    return client.get("/collectives/", params)


def test_a_typed_unit_name_is_resolved_on_the_server(world, login_as):
    CollectiveFactory(code="5200000001", unit=world.wuling)
    CollectiveFactory(code="5200000002", unit=world.changde)
    response = _list(login_as(world.users["hunan"]), unit_name="武陵区团委")
    assert [c.code for c in response.context["page"].items] == ["5200000001"]
    page = response.content.decode()
    assert f'name="unit" value="{world.wuling.pk}" checked' in page
    assert 'value="武陵区团委"' in page


def test_a_part_of_a_name_matching_one_unit_is_enough(world, login_as):
    response = _list(login_as(world.users["hunan"]), unit_name="武陵")
    assert response.context["form"].cleaned_data["unit"] == world.wuling


def test_several_matching_units_are_offered_to_choose_from(world, login_as):
    CollectiveFactory(code="5200000001", unit=world.wuling)
    response = _list(login_as(world.users["hunan"]), unit_name="团委")
    page = response.content.decode()
    assert "有多个单位符合“团委”，请在下方选择。" in page
    assert f'name="unit" value="{world.wuling.pk}"' in page
    assert 'value="团委"' in page  # what was typed stays


def test_a_name_outside_the_subtree_matches_nothing(world, login_as):
    page = _list(login_as(world.users["hunan"]), unit_name="广州市团委").content.decode()
    assert "您的管辖范围内没有名称包含“广州市团委”的单位。" in page


def test_a_chosen_radio_button_wins_over_the_text_it_was_found_by(world, login_as):
    response = _list(login_as(world.users["hunan"]), unit=world.changde.pk, unit_name="团委")
    assert response.context["form"].cleaned_data["unit"] == world.changde


def test_without_javascript_a_changed_or_emptied_text_replaces_the_choice(world, login_as):
    client = login_as(world.users["hunan"])
    changed = _list(client, unit=world.changde.pk, unit_name="武陵")
    assert changed.context["form"].cleaned_data["unit"] == world.wuling
    emptied = _list(client, unit=world.changde.pk, unit_name="")
    assert emptied.context["form"].cleaned_data["unit"] is None


def test_no_page_lists_every_unit_in_a_select(world, login_as):
    client = login_as(world.users["national"])
    for number in range(30):
        UnitFactory(name=f"某县{number}团委", parent=world.changde, tier=3)
    collective = CollectiveFactory(unit=world.wuling)
    for path in ("/collectives/", "/collectives/new/", f"/collectives/{collective.code}/"):
        page = client.get(path).content.decode()
        assert "某县1团委" not in page, path
        assert f'<option value="{world.changde.pk}"' not in page, path
