import datetime
from types import SimpleNamespace

import pytest

from qnwmh.cycles.validators import CycleInput, QuotaRow, validate_cycle, validate_quota_rows

UNIT = SimpleNamespace(pk=1)


def _input(**changes):
    values = {
        "name": "届次",
        "level": "NATIONAL",
        "unit": UNIT,
        "registration_opens": datetime.date(2025, 1, 1),
        "registration_closes": datetime.date(2025, 12, 31),
    }
    values.update(changes)
    return CycleInput(**values).with_defaults()


def test_validate_cycle_defaults_valid():
    data = _input()

    assert validate_cycle(data) == {}
    assert data.prior_title_levels == ["NATIONAL", "PROVINCIAL"]


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("evaluation_quota_multiplier", 1, 100),
        ("min_youth_percent", 1, 100),
        ("youth_max_age", 14, 45),
        ("leader_max_age", 18, 70),
        ("min_members", 1, 10000),
    ],
)
def test_validate_cycle_number_boundaries(field, low, high):
    extra = {"max_members": 10000} if field == "min_members" else {}

    assert validate_cycle(_input(**{field: low}, **extra)) == {}
    assert validate_cycle(_input(**{field: high}, **extra)) == {}
    assert list(validate_cycle(_input(**{field: low - 1}, **extra))) == [field]
    assert list(validate_cycle(_input(**{field: high + 1}, **extra))) == [field]


def test_validate_cycle_rejects_booleans_as_numbers():
    assert list(validate_cycle(_input(min_youth_percent=True))) == ["min_youth_percent"]


def test_validate_cycle_member_range_ordered():
    assert validate_cycle(_input(min_members=20, max_members=20)) == {}
    assert list(validate_cycle(_input(min_members=21, max_members=20))) == ["max_members"]


def test_validate_cycle_window_ordered():
    same_day = datetime.date(2025, 5, 1)
    assert validate_cycle(_input(registration_opens=same_day, registration_closes=same_day)) == {}
    errors = validate_cycle(
        _input(registration_opens=same_day, registration_closes=datetime.date(2025, 4, 30))
    )
    assert list(errors) == ["registration_closes"]


def test_validate_cycle_prior_title_year_bounds():
    assert validate_cycle(_input(prior_title_min_year=1990)) == {}
    assert validate_cycle(_input(prior_title_min_year=None)) == {}
    assert list(validate_cycle(_input(prior_title_min_year=1989))) == ["prior_title_min_year"]


def test_validate_cycle_prior_levels_known_and_unique():
    assert validate_cycle(_input(prior_title_levels=[])) == {}
    assert list(validate_cycle(_input(prior_title_levels=["GALAXY"]))) == ["prior_title_levels"]
    twice = _input(prior_title_levels=["CITY", "CITY"])
    assert list(validate_cycle(twice)) == ["prior_title_levels"]


def test_validate_cycle_previous_closes_strictly_before():
    previous = SimpleNamespace(pk=9, registration_closes=datetime.date(2024, 12, 31))
    same = SimpleNamespace(pk=9, registration_closes=datetime.date(2025, 12, 31))

    assert validate_cycle(_input(previous=previous)) == {}
    assert list(validate_cycle(_input(previous=same))) == ["previous"]


@pytest.mark.parametrize(
    ("opens", "errors"),
    [
        (None, {}),  # derived: the day after the previous deadline
        (datetime.date(2025, 1, 1), {}),
        (datetime.date(2024, 12, 31), ["registration_opens"]),  # the deadline itself
        (datetime.date(2025, 1, 2), ["registration_opens"]),  # a day late
    ],
)
def test_validate_cycle_opens_the_day_after_the_previous_deadline(opens, errors):
    """Seeds 001, 004: the window runs from the previous cycle's deadline."""
    previous = SimpleNamespace(pk=9, registration_closes=datetime.date(2024, 12, 31))
    data = _input(previous=previous, registration_opens=opens)

    assert data.registration_opens == (opens or datetime.date(2025, 1, 1))
    assert list(validate_cycle(data)) == list(errors)


def test_validate_cycle_not_own_previous():
    instance = SimpleNamespace(pk=9)
    previous = SimpleNamespace(pk=9, registration_closes=datetime.date(2020, 1, 1))

    assert list(validate_cycle(_input(previous=previous), instance=instance)) == ["previous"]


def test_validate_cycle_name_and_level_required():
    errors = validate_cycle(_input(name=" ", level="", unit=None))

    assert list(errors) == ["name", "level", "unit"]


def test_validate_quota_rows_all_errors_listed():
    rows = [
        QuotaRow(1, 5, 1),
        QuotaRow(2, 0, 0),
        QuotaRow(1, 3, 1),
        QuotaRow(3, -1, 100001),
    ]

    assert validate_quota_rows(rows, {1, 3}) == {
        "1.unit": ["该单位不在届次组织单位的下级范围内。"],
        "2.unit": ["该单位重复出现。"],
        "3.required_registrations": ["请输入 0 到 100000 之间的整数。"],
        "3.evaluation_quota": ["请输入 0 到 100000 之间的整数。"],
    }


def test_validate_quota_rows_empty_table_valid():
    assert validate_quota_rows([], set()) == {}
