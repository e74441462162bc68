"""Generated registrations and their history: for each collective and cycle, whether it
registered, the state it reached, and one Transition row per step on the way there (who, when,
from, to, why) — the same steps the registrations domain takes."""

import datetime
import itertools
import json
import random
from collections import Counter, defaultdict

from bench import names
from qnwmh.core import paths
from qnwmh.cycles.enums import Level
from qnwmh.registrations.enums import APPROVED_OR_LATER, REGISTERED
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration, Transition
from qnwmh.titles.models import Title

UTC = datetime.UTC
# Share of collectives registering in the first, second and latest cycle.
SHARE = (0.35, 0.45, 0.6)
# The state a registration has reached: the open cycle is under way, older ones are settled.
OPEN_STATES = (
    [S.DRAFT, S.SUBMITTED, S.PRE_APPROVED, S.APPROVED, S.RETURNED, S.CANCELLED],
    [12, 22, 14, 38, 10, 4],
)
CLOSED_STATES = (
    [S.APPROVED, S.CANCELLED, S.RETURNED, S.NOMINATED, S.PUBLICIZED, S.NAMED, S.NOT_NAMED],
    [30, 5, 4, 2, 2, 17, 40],
)
_TO_APPROVED = [(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.PRE_APPROVED), (S.PRE_APPROVED, S.APPROVED)]
_TO_NOMINATED = [*_TO_APPROVED, (S.APPROVED, S.NOMINATED)]
STEPS = {
    S.DRAFT: [],
    S.SUBMITTED: _TO_APPROVED[:1],
    S.PRE_APPROVED: _TO_APPROVED[:2],
    S.APPROVED: _TO_APPROVED,
    S.RETURNED: [(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.RETURNED)],
    S.CANCELLED: [*_TO_APPROVED, (S.APPROVED, S.CANCELLED)],
    S.NOMINATED: _TO_NOMINATED,
    S.PUBLICIZED: [*_TO_NOMINATED, (S.NOMINATED, S.PUBLICIZED)],
    S.NAMED: [*_TO_NOMINATED, (S.NOMINATED, S.PUBLICIZED), (S.PUBLICIZED, S.NAMED)],
    S.NOT_NAMED: [*_TO_NOMINATED, (S.NOMINATED, S.NOT_NAMED)],
}
# A returned registration sent in again: the loop some approved ones went through first.
RESUBMITTED = [(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.RETURNED), (S.RETURNED, S.SUBMITTED)]
REASONS = {
    S.RETURNED: "创建计划过于笼统，请补充具体措施后重新提交。",
    S.CANCELLED: "整改不到位，取消创建资格。",
}
RULES = (
    "prior_title", "registration_window", "one_per_cycle", "single_channel",
    "member_count", "youth_share", "leader_age",
)  # fmt: skip
PASSED = json.dumps(
    [{"rule": rule, "passed": True, "message": ""} for rule in RULES], ensure_ascii=False
)


def steps_to(state: str, resubmitted: bool) -> list[tuple[str, str]]:
    steps = STEPS[state]
    if resubmitted and len(steps) > 2 and steps[1] == (S.SUBMITTED, S.PRE_APPROVED):
        return [*RESUBMITTED, *steps[1:]]
    return steps


class RegistrationMaker:
    """Adds the registrations of one collective (and their Transition rows) to a batch."""

    def __init__(self, rng: random.Random, cycles: list, states: Counter, ids: dict):
        self.rng = rng
        self.cycles = cycles
        self.states = states
        self.ids = ids
        # The first registrations of each cycle take every state once, so a tiny data set
        # still has them all.
        self.forced = {c.id: list(OPEN_STATES[0] if c.latest else CLOSED_STATES[0]) for c in cycles}
        # (cycle, level-1 or level-2 unit) → [registered, approved], for the quotas.
        self.per_unit: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, profile: dict, batches: dict) -> None:
        for cycle, share in zip(self.cycles, SHARE[-len(self.cycles) :], strict=True):
            if self.rng.random() < share:
                self._registration(cycle, profile, batches)

    def _state(self, cycle) -> str:
        if self.forced[cycle.id]:
            return self.forced[cycle.id].pop(0)
        return self.rng.choices(*(OPEN_STATES if cycle.latest else CLOSED_STATES))[0]

    def _registration(self, cycle, profile: dict, batches: dict) -> None:
        rng = self.rng
        state = self._state(cycle)
        unit = profile["unit"]
        pk = next(self.ids[Registration])
        window = (cycle.closes - cycle.opens).days
        opened = datetime.datetime.combine(cycle.opens, datetime.time(), UTC)
        created = opened + datetime.timedelta(seconds=rng.randrange(window * 86400 // 2))
        steps = steps_to(state, rng.random() < 0.1)
        moments = self._transitions(pk, steps, created, profile, batches)
        members = rng.randint(6, 200)
        row = {
            "id": pk,
            "cycle_id": cycle.id,
            "collective_id": profile["collective_id"],
            "unit_id": unit.id,
            "unit_path": unit.path,
            "state": state,
            "member_count": members,
            "youth_count": rng.randint((members + 1) // 2, members),
            "leader_name": profile["leader_name"],
            "leader_birth_date": datetime.date(cycle.year - rng.randint(24, 40), 1, 1)
            + datetime.timedelta(days=rng.randrange(365)),
            "ownership": profile["ownership"],
            "industry": profile["industry"],
            "phone": profile["phone"],
            "address": names.address(rng, unit.places),
            "prior_titles": profile["prior_titles"],
            "goals": rng.choice(names.SENTENCES),
            "measures": rng.choice(names.SENTENCES),
            "commitment": rng.choice(names.SENTENCES),
            "eligibility": PASSED if state != S.DRAFT else "[]",
            "return_reason": REASONS[S.RETURNED] if state == S.RETURNED else "",
            "submitted_at": _last(moments, S.SUBMITTED),
            "approved_at": _last(moments, S.APPROVED),
            "created_at": created,
            "updated_at": moments[-1][1] if moments else created,
        }
        batches[Registration].append(row)
        self.states[state] += 1
        if state == S.NAMED:
            self._named_title(cycle, profile, batches)
        self._count(cycle, unit, state)

    def _transitions(self, pk, steps, created, profile, batches) -> list[tuple[str, object]]:
        """One Transition per step; returns [(to_state, at)]."""
        unit = profile["unit"]
        at, moments = created, []
        for from_state, to_state in steps:
            at = at + datetime.timedelta(seconds=self.rng.randrange(3600, 20 * 86400))
            if to_state == S.SUBMITTED:
                actor = profile["user_id"]
            elif to_state == S.PRE_APPROVED:
                actor = unit.id
            else:
                actor = unit.first_tier_id
            batches[Transition].append(
                {
                    "id": next(self.ids[Transition]),
                    "registration_id": pk,
                    "at": at,
                    "actor_id": actor,
                    "from_state": from_state,
                    "to_state": to_state,
                    "reason": REASONS.get(to_state, ""),
                }
            )
            moments.append((to_state, at))
        return moments

    def _named_title(self, cycle, profile: dict, batches: dict) -> None:
        batches[Title].append(
            {
                "id": next(self.ids[Title]),
                "collective_id": profile["collective_id"],
                "level": Level.NATIONAL,
                "year": cycle.year,
                "name": cycle.name,
                "revoked_at": None,
            }
        )

    def _count(self, cycle, unit, state: str) -> None:
        approved = state in APPROVED_OR_LATER
        width = paths.SEGMENT_WIDTH
        for depth in (1, 2):
            if len(unit.path) >= (depth + 1) * width:
                unit_id = int(unit.path[depth * width : (depth + 1) * width])
                counts = self.per_unit[(cycle.id, unit_id)]
                counts[0] += state in REGISTERED
                counts[1] += approved


def _last(moments, state: str):
    found = [at for to_state, at in moments if to_state == state]
    return found[-1] if found else None


def id_sequences() -> dict:
    return defaultdict(lambda: itertools.count(1))
