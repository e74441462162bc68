"""Checking what a collective typed into its profile (集体档案) and plan (创建计划).

Pure functions, shared by the web form, the API and the domain. They check the shape of the
data (numbers, dates, lengths, the prior-title list); whether the collective *qualifies* is
eligibility.py's business. A draft may be incomplete; `missing_for_submission` names what a
submission still needs.
"""

import datetime
import re

from django.utils.translation import gettext as _

from qnwmh.collectives.enums import Ownership
from qnwmh.cycles.enums import Level

PROFILE_FIELDS = (
    "member_count",
    "youth_count",
    "leader_name",
    "leader_birth_date",
    "ownership",
    "industry",
    "phone",
    "address",
    "prior_titles",
)
PLAN_FIELDS = ("goals", "measures", "commitment")
TEXT_LIMITS = {
    "leader_name": 50,
    "industry": 50,
    "phone": 30,
    "address": 200,
    "goals": 5000,
    "measures": 5000,
    "commitment": 5000,
}
MAX_MEMBERS = 100_000
MAX_PRIOR_TITLES = 20
FIRST_TITLE_YEAR = 1994  # 青年文明号 began in 1994.
# Needed before a submission; the numbers and the birth date are eligibility rules of their own.
REQUIRED_FOR_SUBMISSION = ("leader_name", "ownership", "phone", "goals", "measures", "commitment")
# Chinese phone numbers as people write them: 0736-1234567, (0736)1234567, 138 1234 5678, +86…
_PHONE = re.compile(r"^\+?[0-9()\- ]+(?:转[0-9]{1,6})?$")


def blank_profile() -> dict:
    return {
        "member_count": None,
        "youth_count": None,
        "leader_name": "",
        "leader_birth_date": None,
        "ownership": "",
        "industry": "",
        "phone": "",
        "address": "",
        "prior_titles": [],
    }


def blank_plan() -> dict:
    return {"goals": "", "measures": "", "commitment": ""}


def normalise(profile: dict, plan: dict) -> tuple[dict, dict]:
    """Missing keys become blank, text is stripped, None text becomes ""."""
    clean_profile = blank_profile()
    for key in PROFILE_FIELDS:
        value = profile.get(key, clean_profile[key])
        if key in TEXT_LIMITS or key == "ownership":
            value = (value or "").strip()
        clean_profile[key] = value
    clean_profile["prior_titles"] = [
        {
            "level": (item.get("level") or "").strip(),
            "year": item.get("year"),
            "name": (item.get("name") or "").strip(),
        }
        for item in (profile.get("prior_titles") or [])
    ]
    clean_plan = {key: (plan.get(key) or "").strip() for key in PLAN_FIELDS}
    return clean_profile, clean_plan


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_counts(profile: dict, errors: dict) -> None:
    for key in ("member_count", "youth_count"):
        value = profile[key]
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_MEMBERS
        ):
            _add(errors, key, _("Enter a whole number from 0 to %(max)d.") % {"max": MAX_MEMBERS})
    members, youth = profile["member_count"], profile["youth_count"]
    counts_ok = "member_count" not in errors and "youth_count" not in errors
    if counts_ok and members is not None and youth is not None and youth > members:
        _add(
            errors,
            "youth_count",
            _("%(youth)d young members cannot be more than all %(members)d members.")
            % {"youth": youth, "members": members},
        )


def _check_birth_date(profile: dict, today: datetime.date, errors: dict) -> None:
    born = profile["leader_birth_date"]
    if born is None:
        return
    if not isinstance(born, datetime.date) or isinstance(born, datetime.datetime):
        _add(errors, "leader_birth_date", _("Enter a date as YYYY-MM-DD."))
    elif born > today or born.year < 1900:
        _add(errors, "leader_birth_date", _("Enter a real date of birth."))


def _check_texts(values: dict, errors: dict) -> None:
    for key, value in values.items():
        limit = TEXT_LIMITS.get(key)
        if limit and len(value) > limit:
            _add(errors, key, _("At most %(limit)d characters.") % {"limit": limit})
    phone = values.get("phone")
    if phone and (not _PHONE.match(phone) or not 7 <= sum(c.isdigit() for c in phone) <= 20):
        _add(errors, "phone", _("Enter a phone number such as 0736-1234567 or 13812345678."))
    ownership = values.get("ownership")
    if ownership and ownership not in Ownership.values:
        _add(errors, "ownership", _("Choose one of the allowed values."))


def _check_prior_titles(titles: list, today: datetime.date, errors: dict) -> None:
    if len(titles) > MAX_PRIOR_TITLES:
        _add(errors, "prior_titles", _("At most %(max)d titles.") % {"max": MAX_PRIOR_TITLES})
        return
    for number, item in enumerate(titles, start=1):
        year = item["year"]
        if item["level"] not in Level.values:
            message = _("Title %(number)d: choose its level.")
        elif not isinstance(year, int) or isinstance(year, bool):
            message = _("Title %(number)d: enter the year it was awarded.")
        elif not FIRST_TITLE_YEAR <= year <= today.year:
            message = _("Title %(number)d: the year must be from %(first)d to %(last)d.")
        elif len(item["name"]) > 200:
            message = _("Title %(number)d: the name is at most 200 characters.")
        else:
            continue
        _add(
            errors,
            "prior_titles",
            message % {"number": number, "first": FIRST_TITLE_YEAR, "last": today.year},
        )


def validate(profile: dict, plan: dict, today: datetime.date) -> dict[str, list[str]]:
    """{field: [messages]} for every value that cannot be stored; {} when all are fine.
    `profile` and `plan` are already normalised."""
    errors: dict[str, list[str]] = {}
    _check_counts(profile, errors)
    _check_birth_date(profile, today, errors)
    _check_texts(
        {k: v for k, v in {**profile, **plan}.items() if isinstance(v, str)},
        errors,
    )
    _check_prior_titles(profile["prior_titles"], today, errors)
    return errors


def missing_for_submission(values: dict) -> dict[str, list[str]]:
    """The fields a submission cannot go without (a plan with no goals is no plan)."""
    return {
        key: [_("Required before submitting.")]
        for key in REQUIRED_FOR_SUBMISSION
        if not values.get(key)
    }
