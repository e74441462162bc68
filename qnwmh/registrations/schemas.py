"""The bodies of API v1 for 网络报备 (../shared/API.md, Bodies): what comes in (a draft, a
reason) and the one shape a registration goes out in, transitions included."""

import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from qnwmh.collectives.enums import Ownership
from qnwmh.core.api import StrictId, page_out
from qnwmh.cycles.enums import Level
from qnwmh.registrations import domain, validators
from qnwmh.registrations.enums import RegistrationState
from qnwmh.registrations.models import Registration, Transition


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PriorTitleIn(Strict):
    level: Level
    year: int = Field(..., ge=validators.FIRST_TITLE_YEAR, le=2100)
    name: str = Field("", max_length=200)


class ProfileIn(Strict):
    member_count: int | None = Field(None, ge=0, le=validators.MAX_MEMBERS)
    youth_count: int | None = Field(None, ge=0, le=validators.MAX_MEMBERS)
    leader_name: str | None = Field("", max_length=50)
    leader_birth_date: datetime.date | None = None
    ownership: Ownership | None = None
    industry: str | None = Field("", max_length=50)
    phone: str | None = Field("", max_length=30)
    address: str | None = Field("", max_length=200)
    prior_titles: list[PriorTitleIn] = Field(default_factory=list, max_length=20)


class PlanIn(Strict):
    goals: str | None = Field("", max_length=5000)
    measures: str | None = Field("", max_length=5000)
    commitment: str | None = Field("", max_length=5000)


class DraftIn(Strict):
    profile: ProfileIn = Field(default_factory=ProfileIn)
    plan: PlanIn = Field(default_factory=PlanIn)


class ReasonIn(Strict):
    reason: str = Field(..., max_length=domain.MAX_REASON)


class BulkIn(Strict):
    ids: list[StrictId] = Field(..., min_length=1, max_length=domain.MAX_BULK)


class CollectiveRef(Schema):
    code: str
    name: str


class EligibilityOut(Schema):
    rule: str
    passed: bool
    message: str


class HistoryOut(Schema):
    at: datetime.datetime
    actor: str | None
    from_: str = Field(..., alias="from")
    to: str
    reason: str


class PriorTitleOut(Schema):
    level: str
    year: int | None
    name: str


class ProfileOut(Schema):
    member_count: int | None
    youth_count: int | None
    leader_name: str
    leader_birth_date: datetime.date | None
    ownership: str | None
    industry: str
    phone: str
    address: str
    prior_titles: list[PriorTitleOut]


class PlanOut(Schema):
    goals: str
    measures: str
    commitment: str


class RegistrationOut(Schema):
    id: int
    cycle: int
    collective: CollectiveRef
    unit: int
    state: RegistrationState
    eligibility: list[EligibilityOut]
    history: list[HistoryOut]
    profile: ProfileOut
    plan: PlanOut
    return_reason: str
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None


RegistrationPage = page_out(RegistrationOut, "RegistrationPage")


class ProgressRegistrationOut(Schema):
    id: int
    cycle: int
    cycle_name: str
    state: RegistrationState


class ProgressOut(Schema):
    code: str
    name: str
    former_names: list[str]
    unit: int
    unit_name: str
    registrations: list[ProgressRegistrationOut]


ProgressPage = page_out(ProgressOut, "ProgressPage")


class BulkResultOut(Schema):
    id: int
    ok: bool
    code: str
    message: str
    state: RegistrationState | None


class BulkOut(Schema):
    results: list[BulkResultOut]


def _history(transition: Transition) -> dict:
    return {
        "at": transition.at,
        "actor": transition.actor.username if transition.actor else None,
        "from": transition.from_state,
        "to": transition.to_state,
        "reason": transition.reason,
    }


def registration_body(registration: Registration, results=None) -> dict:
    """The one shape of a registration (API.md, Bodies). `history` must be prefetched."""
    profile = domain.profile_of(registration)
    profile["leader_birth_date"] = registration.leader_birth_date
    profile["ownership"] = registration.ownership or None
    return {
        "id": registration.pk,
        "cycle": registration.cycle_id,
        "collective": {
            "code": registration.collective.code,
            "name": registration.collective.name,
        },
        "unit": registration.unit_id,
        "state": registration.state,
        "eligibility": results if results is not None else registration.eligibility,
        "history": [_history(t) for t in registration.history.all()],
        "profile": profile,
        "plan": domain.plan_of(registration),
        "return_reason": registration.return_reason,
        "submitted_at": registration.submitted_at,
        "approved_at": registration.approved_at,
    }
