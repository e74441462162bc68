"""Demo registrations, loaded by `manage.py load_demo` after the cycles and collectives demos:
the national committee's open national cycle (Hunan's part of it) with one registration in each
review state — draft, submitted, pre-approved, approved, returned — made through the domain
functions by the collectives and the demo admins. 武陵区人民医院急诊科 is left without a
registration, so a person can walk the whole flow with its demo login. Idempotent: a collective
that has a registration is left alone. When the cycle or the collectives are missing, nothing is
created."""

import datetime
import logging

from django.db import transaction

from qnwmh.accounts.models import User
from qnwmh.collectives.models import Collective
from qnwmh.core.errors import DomainError
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.registrations import domain
from qnwmh.registrations.eligibility import today_in_shanghai
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration

logger = logging.getLogger(__name__)

CYCLE_NAME = "2025—2026年度全国青年文明号"
KEEP_FREE = "武陵区人民医院急诊科"
UNIT_KEYS = ("hn-changde-wuling", "hn-changde", "hn-changsha")
# The state each demo collective ends in, in the order the collectives are taken.
TARGETS = (S.PRE_APPROVED, S.APPROVED, S.RETURNED, S.SUBMITTED, S.DRAFT)
RETURN_REASON = "青年成员人数与花名册不一致，请核对后补充花名册说明并重新提交。"
TITLE_NAMES = {
    Level.NATIONAL: "全国青年文明号",
    Level.PROVINCIAL: "湖南省青年文明号",
    Level.CITY: "常德市青年文明号",
    Level.COUNTY: "区县级青年文明号",
}


def _profile(cycle: Cycle, collective: Collective) -> tuple[dict, dict]:
    today = today_in_shanghai()
    level = (cycle.prior_title_levels or [Level.PROVINCIAL])[-1]  # the lowest that qualifies
    year = max(cycle.prior_title_min_year or 0, today.year - 2)
    profile = {
        "member_count": 24,
        "youth_count": 16,
        "leader_name": "李青",
        "leader_birth_date": datetime.date(today.year - 32, 5, 4),
        "ownership": collective.ownership,
        "industry": collective.industry,
        "phone": "0736-7221234",
        "address": "湖南省常德市",
        "prior_titles": [{"level": level, "year": year, "name": TITLE_NAMES[Level(level)]}],
    }
    plan = {
        "goals": "以“强服务、树形象、创一流”为目标，两年内争创全国青年文明号。",
        "measures": "设立青年突击队和岗位能手评选，每季度开展一次志愿服务。",
        "commitment": "亮身份、亮形象、亮承诺：服务热情，办事高效，接受群众监督。",
    }
    return profile, plan


def _reviewer_below_province(collective: Collective, units: dict) -> User | None:
    """The county or city admin who pre-approves: only in 武陵区 and 常德市."""
    for key in ("hn-changde-wuling", "hn-changde"):
        if collective.unit_path.startswith(units[key].path):
            return User.objects.filter(username=key).first()
    return None


def _walk(registration: Registration, target, collective, units) -> None:
    """Move a fresh draft to `target` through the real transitions."""
    province = User.objects.get(username="hunan")
    if target == S.DRAFT:
        return
    domain.submit(collective.user, registration)
    reviewer = _reviewer_below_province(collective, units)
    if target in (S.PRE_APPROVED, S.APPROVED) and reviewer is not None:
        domain.pre_approve(reviewer, registration)
    if target == S.APPROVED:
        domain.approve(province, registration)
    elif target == S.RETURNED:
        domain.return_registration(reviewer or province, registration, RETURN_REASON)


@transaction.atomic
def load(units: dict) -> list:
    cycle = Cycle.objects.filter(name=CYCLE_NAME, unit=units.get("national")).first()
    if cycle is None or not all(key in units for key in UNIT_KEYS):
        return []
    order = {units[key].pk: position for position, key in enumerate(UNIT_KEYS)}
    candidates = sorted(
        Collective.objects.filter(unit__in=list(order), user__is_active=True, data_ok=True)
        .exclude(name=KEEP_FREE)
        .select_related("user"),
        key=lambda c: (order[c.unit_id], c.code),  # 武陵区 first: its admins pre-approve
    )
    for collective, target in zip(candidates, TARGETS, strict=False):
        if Registration.objects.filter(cycle=cycle, collective=collective).exists():
            continue
        registration = domain.save_draft(collective.user, cycle, *_profile(cycle, collective))
        try:
            _walk(registration, target, collective, units)
        except DomainError as exc:  # e.g. the window has closed since the demo was written
            logger.warning(
                "demo registration of %s stays %s: %s", collective, registration.state, exc
            )
    return []
