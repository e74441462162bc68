"""Eligibility (报备条件): computed, never declared.

`evaluate` is pure: it reads the cycle's rule settings, the collective, the profile typed so
far and a `Facts` bundle (what the database knows: titles on record, other registrations), and
returns one result per rule, in a fixed order:

    prior_title, registration_window, one_per_cycle, single_channel,
    member_count, youth_share, leader_age, data_qualified

each {"rule", "passed", "message"} with a Chinese message that names the numbers. The web
form's live panel, the API and `domain.submit` all call it, so what the collective is shown while
typing is exactly what decides the submission. `gather_facts` is the one place that queries.

Sources: seeds 001/003 (prior title per platform), 001/004 (window, 一届次一申报),
000/001 (one channel through the jurisdiction), 004 附件1 (6–200 members, ≥ 50 % aged ≤ 35,
leader ≤ 40); 000 Q3 (a frozen legacy record cannot act).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.cycles.enums import Level
from qnwmh.registrations.enums import ACTIVE, RegistrationState
from qnwmh.titles.enums import TitleStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A registration in one of these states "claims" its collective's name in the cycle (single
# channel): everything alive except a draft, which has not been sent through any channel yet.
CLAIMING = tuple(s for s in ACTIVE if s != RegistrationState.DRAFT)


def today_in_shanghai() -> datetime.date:
    """The calendar day in China, whatever the server's zone: windows are Beijing dates."""
    return timezone.localdate(timezone=SHANGHAI)


@dataclass(frozen=True)
class Facts:
    """What the database knows about a registration-to-be, gathered once by `gather_facts`."""

    titles: tuple[dict, ...] = ()  # unrevoked titles on record: {"level", "year", "name"}
    has_other_registration: bool = False
    unit_id: int | None = None  # the unit it registers through
    unit_path: str = ""
    unit_name: str = ""
    jurisdiction_name: str = ""  # the collective's own unit (归口单位)
    organiser_path: str = ""  # the cycle's organising unit
    organiser_name: str = ""
    same_name_registered: tuple[str, ...] = ()
    first_submitted_on: datetime.date | None = None


@dataclass(frozen=True)
class Subject:
    cycle: object
    collective: object
    profile: dict
    facts: Facts
    today: datetime.date


def _result(rule: str, passed: bool, message: str) -> dict:
    return {"rule": rule, "passed": passed, "message": message}


def _title_text(title: dict) -> str:
    level = str(Level(title["level"]).label) if title["level"] in Level.values else title["level"]
    return _("%(name)s (%(level)s, %(year)s)") % {
        "name": title.get("name") or _("Youth Civilization Title"),
        "level": level,
        "year": title["year"],
    }


def title_texts(titles) -> list[str]:
    """'湖南省青年文明号（省级，2024年）' for each distinct title, for tables and messages."""
    seen, texts = set(), []
    for title in titles:
        key = (title["level"], title["year"], title.get("name") or "")
        if key not in seen:
            seen.add(key)
            texts.append(_title_text(title))
    return texts


def prior_title(s: Subject) -> dict:
    """National needs a national or provincial title, provincial a city title… — the levels
    and the earliest year are cycle settings (seeds 001, 003). A title on record or one the
    profile declares counts; reviewers check declared ones."""
    levels = list(s.cycle.prior_title_levels or [])
    if not levels:
        return _result("prior_title", True, _("This cycle requires no prior title."))
    since = s.cycle.prior_title_min_year
    for title in (*s.facts.titles, *s.profile.get("prior_titles", [])):
        year = title.get("year")
        if (
            title.get("level") in levels
            and isinstance(year, int)
            and (since is None or year >= since)
        ):
            return _result(
                "prior_title", True, _("Holds %(title)s.") % {"title": _title_text(title)}
            )
    names = "、".join(str(Level(level).label) for level in levels if level in Level.values)
    if since is None:
        message = _("Needs a prior title of level %(levels)s; none found.") % {"levels": names}
    else:
        message = _(
            "Needs a prior title of level %(levels)s awarded in %(year)d or later; none found."
        ) % {
            "levels": names,
            "year": since,
        }
    return _result("prior_title", False, message)


def registration_window(s: Subject) -> dict:
    """From the opening to the closing day, both inclusive, in Beijing dates (seeds 001, 004).
    Decision: a registration returned for corrections and first submitted inside the window
    may be resubmitted after it closes — the collective was on time, the review took longer."""
    opens, closes = s.cycle.registration_opens, s.cycle.registration_closes
    values = {
        "opens": opens.isoformat(),
        "closes": closes.isoformat(),
        "today": s.today.isoformat(),
    }
    if opens <= s.today <= closes:
        return _result(
            "registration_window",
            True,
            _("Within the registration period %(opens)s to %(closes)s.") % values,
        )
    first = s.facts.first_submitted_on
    if first is not None and opens <= first <= closes:
        return _result(
            "registration_window",
            True,
            _("First submitted on %(date)s, within the registration period.")
            % {"date": first.isoformat()},
        )
    if s.today < opens:
        message = _("Registration opens on %(opens)s; today is %(today)s.") % values
    else:
        message = _("Registration closed on %(closes)s; today is %(today)s.") % values
    return _result("registration_window", False, message)


def one_per_cycle(s: Subject) -> dict:
    """一届次一申报: one registration per collective per cycle (seeds 001, 004)."""
    if s.facts.has_other_registration:
        return _result(
            "one_per_cycle",
            False,
            _("This collective already has a registration in this cycle (one per cycle)."),
        )
    return _result("one_per_cycle", True, _("No other registration in this cycle."))


def single_channel(s: Subject) -> dict:
    """One channel: through the collective's own jurisdiction, inside the organising unit's
    subtree, and no other collective of the same (or a former) name already registered
    (seeds 000, 001)."""
    f = s.facts
    if f.unit_id != s.collective.unit_id:
        message = _(
            "Registering through %(unit)s, but the collective's jurisdiction is %(own)s."
        ) % {"unit": f.unit_name, "own": f.jurisdiction_name}
        return _result("single_channel", False, message)
    if not f.unit_path.startswith(f.organiser_path):
        message = _("%(unit)s is not under %(organiser)s, which runs this cycle.") % {
            "unit": f.unit_name,
            "organiser": f.organiser_name,
        }
        return _result("single_channel", False, message)
    if f.same_name_registered:
        message = _(
            "A collective with the same or a former name is already registered in this cycle: "
            "%(names)s."
        ) % {"names": "、".join(f.same_name_registered)}
        return _result("single_channel", False, message)
    return _result(
        "single_channel",
        True,
        _("Registering through its own jurisdiction %(unit)s.") % {"unit": f.unit_name},
    )


def member_count(s: Subject) -> dict:
    """6–200 members by default (seeds 004 附件1); both bounds are cycle settings, inclusive."""
    count, low, high = s.profile.get("member_count"), s.cycle.min_members, s.cycle.max_members
    values = {"count": count, "min": low, "max": high}
    if count is None:
        return _result("member_count", False, _("Enter the number of members."))
    if count < low:
        return _result(
            "member_count",
            False,
            _("%(count)d members, fewer than the minimum of %(min)d.") % values,
        )
    if count > high:
        return _result(
            "member_count",
            False,
            _("%(count)d members, more than the maximum of %(max)d.") % values,
        )
    return _result("member_count", True, _("%(count)d members, within %(min)d–%(max)d.") % values)


def _percent_text(part: int, whole: int) -> str:
    """One decimal, rounded down, so a share below the minimum never prints as reaching it."""
    tenths = part * 1000 // whole
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def youth_share(s: Subject) -> dict:
    """At least 50 % of the members aged 35 or under (seeds 004 附件1). Exact integer arithmetic:
    youth × 100 ≥ percent × members, so 10 of 20 at 50 % passes."""
    members, youth = s.profile.get("member_count"), s.profile.get("youth_count")
    values = {"age": s.cycle.youth_max_age, "min": s.cycle.min_youth_percent}
    if not members or youth is None:
        return _result(
            "youth_share",
            False,
            _("Enter the number of members and of members aged %(age)d or under.") % values,
        )
    values.update(youth=youth, count=members, percent=_percent_text(youth, members))
    if youth > members:
        message = _("%(youth)d members aged %(age)d or under is more than all %(count)d members.")
        return _result("youth_share", False, message % values)
    if youth * 100 >= s.cycle.min_youth_percent * members:
        message = _(
            "%(youth)d of %(count)d members aged %(age)d or under (%(percent)s%%), "
            "at least %(min)d%%."
        )
        return _result("youth_share", True, message % values)
    message = _(
        "%(youth)d of %(count)d members aged %(age)d or under (%(percent)s%%), below %(min)d%%."
    )
    return _result("youth_share", False, message % values)


def full_years(born: datetime.date, on: datetime.date) -> int:
    """Age in full years (周岁) on a day; one more year on the birthday itself. Someone born on
    29 February turns a year older on 1 March in common years (no 29 February to wait for)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def leader_age(s: Subject) -> dict:
    """号长 at most 40 years old (seeds 004 附件1): exactly 40 passes, the 41st birthday fails."""
    born = s.profile.get("leader_birth_date")
    if born is None:
        return _result("leader_age", False, _("Enter the leader's date of birth."))
    values = {
        "age": full_years(born, s.today),
        "date": s.today.isoformat(),
        "max": s.cycle.leader_max_age,
    }
    if values["age"] <= s.cycle.leader_max_age:
        message = _("On %(date)s the leader is %(age)d years old, not over %(max)d.")
        return _result("leader_age", True, message % values)
    message = _("On %(date)s the leader is %(age)d years old, over %(max)d.")
    return _result("leader_age", False, message % values)


def data_qualified(s: Subject) -> dict:
    """数据合格: a legacy record imported incomplete stays frozen until an admin completes it
    (seeds 000 Q3)."""
    if s.collective.data_ok:
        return _result("data_qualified", True, _("The collective's record is complete."))
    reasons = "；".join(str(r) for r in (s.collective.frozen_reasons or [])) or _(
        "incomplete record"
    )
    message = _(
        "The collective's record is frozen (data not qualified): %(reasons)s. "
        "Ask your managing unit to complete it."
    ) % {"reasons": reasons}
    return _result("data_qualified", False, message)


RULES: tuple[Callable[[Subject], dict], ...] = (
    prior_title,
    registration_window,
    one_per_cycle,
    single_channel,
    member_count,
    youth_share,
    leader_age,
    data_qualified,
)


def evaluate(cycle, collective, profile: dict, facts: Facts, today: datetime.date) -> list[dict]:
    """Every rule's result, in RULES order. Pure: no queries, no clock."""
    subject = Subject(cycle, collective, profile, facts, today)
    return [rule(subject) for rule in RULES]


def passed(results: list[dict]) -> bool:
    return all(r["passed"] for r in results)


def failures(results: list[dict]) -> list[dict]:
    return [r for r in results if not r["passed"]]


def _same_name_registered(cycle, collective) -> tuple[str, ...]:
    """The names of other collectives registered (CLAIMING) in the cycle under the same name or
    a former name, either way round. By index, whatever the cycle's size: first the collectives
    whose name or a former name has one of this collective's keys (both `name_key` columns are
    indexed), then — only when there are any — their registrations in the cycle."""
    from qnwmh.collectives.models import Collective, FormerName
    from qnwmh.registrations.models import Registration

    keys = [collective.name_key, *collective.former_names.values_list("name_key", flat=True)]
    named = Collective.objects.filter(name_key__in=keys).order_by().values_list("pk", flat=True)
    formerly = FormerName.objects.filter(name_key__in=keys).order_by().values_list("collective_id")
    others = set(named.union(formerly).order_by()) - {collective.pk}
    if not others:
        return ()
    names = (
        Registration.objects.filter(cycle=cycle, state__in=CLAIMING, collective_id__in=others)
        .values_list("collective__name", flat=True)
        .order_by()
        .distinct()
    )
    return tuple(sorted(names))


def gather_facts(cycle, collective, registration=None) -> Facts:
    """The database side of eligibility, in a few small queries. `registration` is the row being
    checked (None for a registration not yet saved): it never counts against itself, and it
    keeps the unit it registered through."""
    from qnwmh.registrations.models import Registration

    if registration is not None and registration.pk:
        # One per (cycle, collective) is a unique constraint: a stored row has no other.
        has_other = False
    else:
        has_other = Registration.objects.filter(cycle=cycle, collective=collective).exists()
    unit = registration.unit if registration is not None else collective.unit
    submitted_at = registration.submitted_at if registration is not None else None
    return Facts(
        titles=tuple(
            collective.titles.filter(status=TitleStatus.VALID, revoked_at__isnull=True).values(
                "level", "year", "name"
            )
        ),
        has_other_registration=has_other,
        unit_id=unit.pk,
        unit_path=unit.path,
        unit_name=unit.name,
        jurisdiction_name=collective.unit.name,
        organiser_path=cycle.unit.path,
        organiser_name=cycle.unit.name,
        same_name_registered=_same_name_registered(cycle, collective),
        first_submitted_on=timezone.localdate(submitted_at, SHANGHAI) if submitted_at else None,
    )


def assess(cycle, collective, profile: dict, registration=None, today=None) -> list[dict]:
    """Gather the facts and evaluate: what forms, API and submit call."""
    facts = gather_facts(cycle, collective, registration)
    return evaluate(cycle, collective, profile, facts, today or today_in_shanghai())
