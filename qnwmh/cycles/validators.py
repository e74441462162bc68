"""Pure checks of a cycle's settings and of a quota table, shared by the pages, the API and the
demo loader. They return {field: [message, ...]}; the domain turns a non-empty result into
InvalidInput."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from qnwmh.cycles.enums import DEFAULT_PRIOR_LEVELS, LEVEL_ORDER, Level

# Bounds of the rule settings. The defaults come from seeds 004 (6–200 members, ≥ 50 % aged
# ≤ 35, leader ≤ 40) and 000/001 (10×, Guangdong 2×); the bounds only keep out typing mistakes.
MEMBERS_RANGE = (1, 10000)
YOUTH_AGE_RANGE = (14, 45)
PERCENT_RANGE = (1, 100)
LEADER_AGE_RANGE = (18, 70)
MULTIPLIER_RANGE = (1, 100)
YEAR_RANGE = (1990, 2100)
NAME_MAX_LENGTH = 100

# The rule settings as the API nests them under "rules".
RULE_FIELDS = (
    "min_members",
    "max_members",
    "youth_max_age",
    "min_youth_percent",
    "leader_max_age",
    "prior_title_levels",
    "prior_title_min_year",
    "approval_delegated",
)
# Everything a cycle is made of, in the order of the form and of the audit entry.
CYCLE_FIELDS = (
    "name",
    "level",
    "unit",
    "previous",
    "registration_opens",
    "registration_closes",
    "evaluation_quota_multiplier",
    *RULE_FIELDS,
)


@dataclass
class CycleInput:
    """The values of a cycle as typed; `unit` and `previous` already resolved within scope."""

    name: str
    level: str
    unit: object
    registration_opens: date | None
    registration_closes: date
    previous: object = None
    evaluation_quota_multiplier: int = 10
    min_members: int = 6
    max_members: int = 200
    youth_max_age: int = 35
    min_youth_percent: int = 50
    leader_max_age: int = 40
    # None = the defaults of the level (enums.DEFAULT_PRIOR_LEVELS).
    prior_title_levels: list[str] | None = None
    prior_title_min_year: int | None = None
    approval_delegated: bool = False

    def with_defaults(self) -> "CycleInput":
        # Seeds 001, 004: the window runs from the previous cycle's deadline.
        if self.registration_opens is None and self.previous is not None:
            self.registration_opens = opening_after(self.previous)
        if self.prior_title_levels is None and self.level in Level.values:
            self.prior_title_levels = [str(v) for v in DEFAULT_PRIOR_LEVELS[Level(self.level)]]
        self.name = (self.name or "").strip()
        return self


def opening_after(previous) -> date:
    """The day a cycle opens when it follows `previous`: the day after its deadline (seeds
    001 "自上一届…截止之日起", 004)."""
    return previous.registration_closes + timedelta(days=1)


def default_rules(level: str) -> dict:
    """The rule settings a new cycle of `level` starts with."""
    return {
        "min_members": 6,
        "max_members": 200,
        "youth_max_age": 35,
        "min_youth_percent": 50,
        "leader_max_age": 40,
        "prior_title_levels": [str(v) for v in DEFAULT_PRIOR_LEVELS.get(level, [])],
        "prior_title_min_year": None,
        "approval_delegated": False,
        "evaluation_quota_multiplier": 10,
    }


def _out_of(value, bounds: tuple[int, int]) -> bool:
    return (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not (bounds[0] <= value <= bounds[1])
    )


def _range_message(bounds: tuple[int, int]) -> str:
    return _("Enter a whole number from %(low)d to %(high)d.") % {
        "low": bounds[0],
        "high": bounds[1],
    }


@dataclass
class _Errors:
    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)


def validate_cycle(data: CycleInput, *, instance=None) -> dict[str, list[str]]:
    """The settings of one cycle: a name, a known level, an ordered window, an ordered member
    range, percentages 1–100, ages and ratio within sense, and a previous cycle that ended
    before this one (seeds 001, 004: the window runs from the previous deadline)."""
    errors = _Errors()
    _check_identity(data, errors)
    _check_window(data, errors, instance)
    _check_numbers(data, errors)
    _check_prior_titles(data, errors)
    return errors.fields


def _check_identity(data: CycleInput, errors: _Errors) -> None:
    name = (data.name or "").strip()
    if not name:
        errors.add("name", _("Please enter the cycle's name."))
    elif len(name) > NAME_MAX_LENGTH:
        errors.add("name", _("The name is at most 100 characters."))
    if data.level not in Level.values:
        errors.add("level", _("Choose national, provincial, city or county."))
    if data.unit is None:
        errors.add("unit", _("Choose the organising unit."))


def _check_window(data: CycleInput, errors: _Errors, instance) -> None:
    opens, closes = data.registration_opens, data.registration_closes
    if opens is None:
        errors.add("registration_opens", _("Enter a date as YYYY-MM-DD."))
    if closes is None:
        errors.add("registration_closes", _("Enter a date as YYYY-MM-DD."))
    if opens and closes and opens > closes:
        errors.add(
            "registration_closes",
            _("The registration deadline cannot be before the opening date."),
        )
    previous = data.previous
    if previous is None:
        return
    if instance is not None and previous.pk == instance.pk:
        errors.add("previous", _("A cycle cannot be its own previous cycle."))
    elif closes and previous.registration_closes >= closes:
        errors.add(
            "previous",
            _("The previous cycle must close before this one (it closes on %(date)s).")
            % {"date": previous.registration_closes.isoformat()},
        )
    elif opens and opens != opening_after(previous):
        errors.add(
            "registration_opens",
            _("Registration opens the day after the previous cycle's deadline: %(date)s.")
            % {"date": opening_after(previous).isoformat()},
        )


def _check_numbers(data: CycleInput, errors: _Errors) -> None:
    bounded = [
        ("evaluation_quota_multiplier", MULTIPLIER_RANGE),
        ("min_members", MEMBERS_RANGE),
        ("max_members", MEMBERS_RANGE),
        ("youth_max_age", YOUTH_AGE_RANGE),
        ("min_youth_percent", PERCENT_RANGE),
        ("leader_max_age", LEADER_AGE_RANGE),
    ]
    for name, bounds in bounded:
        if _out_of(getattr(data, name), bounds):
            errors.add(name, _range_message(bounds))
    low, high = data.min_members, data.max_members
    if "min_members" not in errors.fields and "max_members" not in errors.fields and low > high:
        errors.add("max_members", _("The maximum cannot be below the minimum."))
    year = data.prior_title_min_year
    if year is not None and _out_of(year, YEAR_RANGE):
        errors.add("prior_title_min_year", _range_message(YEAR_RANGE))


def _check_prior_titles(data: CycleInput, errors: _Errors) -> None:
    levels = data.prior_title_levels or []
    if any(level not in Level.values for level in levels):
        errors.add("prior_title_levels", _("Choose among national, provincial, city and county."))
    elif len(set(levels)) != len(levels):
        errors.add("prior_title_levels", _("Each level can be chosen once."))


def ordered_levels(levels: list[str]) -> list[str]:
    """Levels from the highest down, whatever order they were typed in."""
    return [str(level) for level in LEVEL_ORDER if str(level) in levels]


@dataclass
class QuotaRow:
    """One line of the quota table (附件1): a unit id and its two numbers."""

    unit: int
    required_registrations: int
    evaluation_quota: int


def validate_quota_rows(rows: list[QuotaRow], allowed_unit_ids: set[int]) -> dict[str, list[str]]:
    """A quota table is all or nothing: every row names a unit below the organising unit, once,
    with numbers that are not negative. Errors are keyed "<row index>.<field>"."""
    errors = _Errors()
    seen: set[int] = set()
    for index, row in enumerate(rows):
        if row.unit not in allowed_unit_ids:
            errors.add(
                f"{index}.unit",
                _("This unit is not below the cycle's organising unit."),
            )
        elif row.unit in seen:
            errors.add(f"{index}.unit", _("This unit appears more than once."))
        seen.add(row.unit)
        for name in ("required_registrations", "evaluation_quota"):
            value = getattr(row, name)
            if _out_of(value, (0, 100000)):
                errors.add(f"{index}.{name}", _range_message((0, 100000)))
    return errors.fields
