"""The world of the access matrix: the `world` units of tests/conftest.py plus the units the
relations need (a sibling city and county, a county of the other province, a unit below the
industry line), the personas, and for each unit the objects a route can name — built lazily,
once per test, with the apps' own factories."""

import datetime
import hashlib
import io
import time
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from qnwmh.accounts.domain import issue_api_token
from qnwmh.accounts.middleware import SESSION_STARTED_KEY
from qnwmh.accounts.models import UserSession
from qnwmh.audit.models import AuditEntry
from qnwmh.collectives.models import TransferRequest
from qnwmh.cycles.enums import Level
from qnwmh.jobs.models import Job
from qnwmh.notifications.models import Notification
from qnwmh.registrations.enums import RegistrationState
from qnwmh.units.enums import Line, Tier
from tests.collectives.factories import CollectiveFactory, FrozenCollectiveFactory
from tests.factories import UnitFactory, UserFactory
from tests.registrations.factories import CycleFactory, RegistrationFactory, years_ago

HUNAN = {
    "own": "hunan",
    "parent": "national",
    "child": "changde",
    "sibling": "transport",
    "other": "guangdong",
}
# Relation → the unit (key in Scene.units) holding the object, per persona. The unit personas
# are business administrators (业务管理员).
RELATIONS = {
    "national": {"own": "national", "child": "hunan"},
    "hunan": HUNAN,
    "changde": {
        "own": "changde",
        "parent": "hunan",
        "child": "wuling",
        "sibling": "yueyang",
        "other": "guangzhou",
    },
    "wuling": {"own": "wuling", "parent": "changde", "sibling": "dingcheng", "other": "tianhe"},
    # 三权分立: Hunan's system, security and audit administrators, with Hunan's relations.
    "hunan_system": HUNAN,
    "hunan_security": HUNAN,
    "hunan_audit": HUNAN,
    "transport": {
        "own": "transport",
        "parent": "national",
        "child": "transport_hn",
        "sibling": "hunan",
        "other": "guangdong",
    },
    "collective": {
        "own": "wuling",
        "peer": "wuling",
        "parent": "changde",
        "sibling": "dingcheng",
        "other": "tianhe",
    },
    "judge": {"any": "wuling"},
    "anonymous": {"any": "wuling"},
}
PERSONAS = tuple(RELATIONS)
LEVEL_OF_TIER = {0: Level.NATIONAL, 1: Level.PROVINCIAL, 2: Level.CITY, 3: Level.COUNTY}
# Object kinds that have no "peer" (the collective persona's unit is the same for both).
UNIT_LEVEL_KINDS = ("unit", "cycle")


@dataclass
class Persona:
    key: str
    kind: str  # admin / collective / judge / anonymous
    tier: int
    user: object
    role: str = ""  # the administrator role (AdminRole), "" for everyone else
    line: str = ""  # the unit's line (units.enums.Line), "" without a unit


class Scene:
    def __init__(self, world):
        self.world = world
        self.units = dict(world.units)
        hunan, changde = world.hunan, world.changde
        self.units["yueyang"] = UnitFactory(name="岳阳市团委", parent=hunan, tier=Tier.SECOND)
        self.units["dingcheng"] = UnitFactory(name="鼎城区团委", parent=changde, tier=Tier.THIRD)
        self.units["tianhe"] = UnitFactory(
            name="天河区团委", parent=world.guangzhou, tier=Tier.THIRD
        )
        self.units["transport_hn"] = UnitFactory(
            name="湖南省交通运输厅团委",
            parent=world.transport,
            tier=Tier.SECOND,
            line=Line.INDUSTRY,
        )
        self.own_collective = CollectiveFactory(
            unit=world.wuling, code="5100009990", name="武陵区人民医院急诊科"
        )
        self._targets: dict[tuple, Target] = {}
        self.objects: dict[tuple, object] = {}
        self._cycles: dict[str, object] = {}
        self.personas = {key: self._persona(key) for key in PERSONAS}

    def _persona(self, key) -> Persona:
        if key == "anonymous":
            return Persona(key, "anonymous", 9, None)
        if key == "judge":
            return Persona(key, "judge", 9, self.world.users["judge"])
        if key == "collective":
            return Persona(key, "collective", 9, self.own_collective.user)
        user = self.world.users[key]
        return Persona(key, "admin", user.unit.tier, user, user.admin_role, user.unit.line)

    def relations(self, persona: str, kind: str | None) -> list[str]:
        if kind is None:
            return ["none"]
        relations = list(RELATIONS[persona])
        if kind in UNIT_LEVEL_KINDS and "peer" in relations:
            relations.remove("peer")
        return relations

    def target(self, persona: str, relation: str) -> "Target":
        unit_key = RELATIONS[persona].get(relation, "wuling")
        mine = persona == "collective" and relation == "own"
        holder = self.personas[persona].user if relation == "own" else None
        key = (unit_key, mine, holder.pk if holder else None)
        if key not in self._targets:
            self._targets[key] = Target(self, unit_key, mine=mine, holder=holder)
        return self._targets[key]

    def cycle_of(self, unit_key: str):
        if unit_key not in self._cycles:
            unit = self.units[unit_key]
            self._cycles[unit_key] = CycleFactory(
                unit=unit, level=LEVEL_OF_TIER[unit.tier], name=f"{unit.name}测试届次"
            )
        return self._cycles[unit_key]

    # --- clients ---------------------------------------------------------------------------

    def page_client(self, persona: str) -> Client:
        client = Client()
        user = self.personas[persona].user
        if user is not None:
            client.force_login(user)
            session = client.session
            session[SESSION_STARTED_KEY] = time.time()
            session.save()
        return client

    def api_headers(self, persona: str) -> dict:
        user = self.personas[persona].user
        return {"Authorization": f"Bearer {issue_api_token(user)}"} if user else {}


class Target:
    """The objects of one unit a route may name, as seen from one relation."""

    def __init__(self, scene: Scene, unit_key: str, *, mine: bool, holder):
        self.scene, self.unit_key, self.mine, self.holder = scene, unit_key, mine, holder
        self.unit = scene.units[unit_key]

    def _shared(self, kind: str, build):
        """One object of `kind` per unit, whichever relation reaches it."""
        key = (self.unit_key, kind)
        if key not in self.scene.objects:
            self.scene.objects[key] = build()
        return self.scene.objects[key]

    @property
    def account(self):
        if self.mine:
            return self.scene.own_collective.user
        return self._shared(
            "account", lambda: UserFactory(username=f"peer-{self.unit_key}", unit=self.unit)
        )

    @property
    def collective(self):
        if self.mine:
            return self.scene.own_collective
        return self._shared("collective", lambda: CollectiveFactory(unit=self.unit))

    @property
    def transfer_request(self):
        """A pending transfer request decided by (and asked for) the unit."""

        def build():
            return TransferRequest.objects.create(
                collective=CollectiveFactory(unit=self.unit),
                from_unit=self.unit,
                to_unit=self.unit,
                to_unit_path=self.unit.path,
                deciding_unit=self.unit,
                requested_by=self.account,
            )

        return self._shared("transfer_request", build)

    @property
    def frozen(self):
        return self._shared("frozen", lambda: FrozenCollectiveFactory(unit=self.unit))

    @property
    def cycle(self):
        """A cycle run by the unit; the collective persona has a draft in each cycle it may
        register in, so its own pages and endpoints have something to show."""
        cycle = self.scene.cycle_of(self.unit_key)
        own = self.scene.own_collective
        registrable = own.unit_path.startswith(self.unit.path)
        if registrable and not cycle.registrations.filter(collective=own).exists():
            RegistrationFactory(cycle=cycle, collective=own)
        return cycle

    @property
    def registration(self):
        collective = self.collective
        key = ("registration", collective.pk)
        if key not in self.scene.objects:
            self.scene.objects[key] = RegistrationFactory(
                cycle=self.scene.cycle_of("national"),
                collective=collective,
                state=RegistrationState.SUBMITTED,
            )
        return self.scene.objects[key]

    @property
    def job(self):
        creator = self.scene.own_collective.user if self.mine else self.account
        key = ("job", creator.pk)
        if key not in self.scene.objects:
            job = Job(title="导出", handler="x", created_by=creator, scope_path=self.unit.path)
            job.output_file.save("out.csv", ContentFile(b"a,b\r\n"), save=False)
            job.output_name = "out.csv"
            job.save()
            self.scene.objects[key] = job
        return self.scene.objects[key]

    @property
    def own_job(self):
        """A job started by the persona itself (relation own), else by another account."""
        creator = self.holder if self.holder is not None else self.account
        key = ("own_job", creator.pk)
        if key not in self.scene.objects:
            job = Job(title="导出", handler="x", created_by=creator, scope_path=self.unit.path)
            job.output_file.save("own.csv", ContentFile(b"a,b\r\n"), save=False)
            job.output_name = "own.csv"
            job.status = "done"
            job.save()
            self.scene.objects[key] = job
        return self.scene.objects[key]

    @property
    def notification(self):
        """One notification of the holder (relation own), else of another account of the unit."""
        recipient = self.holder if self.holder is not None else self.account
        key = ("notification", recipient.pk)
        if key not in self.scene.objects:
            self.scene.objects[key] = Notification.objects.create(
                recipient=recipient,
                kind="matrix",
                subject="矩阵通知",
                created_at=timezone.now(),
            )
        return self.scene.objects[key]

    @cached_property
    def session(self):
        owner = self.holder if self.holder is not None else self.account
        found = UserSession.objects.filter(user=owner).first()
        return found or UserSession.objects.create(
            user=owner, session_key=f"matrix-{owner.pk}-{self.unit_key}"
        )

    def ident(self, kind: str):
        """The URL parameter naming the object of `kind`."""
        obj = getattr(self, kind)
        return obj.code if kind in ("collective", "frozen") else obj.pk


# --- request bodies of the writes ---------------------------------------------------------


def _cycle_fields(t: Target, *, api: bool) -> dict:
    unit = t.unit
    today = datetime.date.today()
    fields = {
        "name": "矩阵测试届次",
        "level": LEVEL_OF_TIER[unit.tier],
        "unit": unit.pk,
        "registration_opens": today.isoformat(),
        "registration_closes": (today + datetime.timedelta(days=30)).isoformat(),
        "evaluation_quota_multiplier": 10,
    }
    rules = {
        "min_members": 6,
        "max_members": 200,
        "youth_max_age": 35,
        "min_youth_percent": 50,
        "leader_max_age": 40,
    }
    return {**fields, "rules": rules} if api else {**fields, **rules}


def _profile() -> dict:
    return {
        "member_count": 20,
        "youth_count": 12,
        "leader_name": "张青",
        "leader_birth_date": years_ago(30).isoformat(),
        "ownership": "PUBLIC",
        "industry": "卫生健康",
        "phone": "0736-1234567",
    }


def _quota_form(t: Target) -> dict:
    return {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-unit": t.unit.pk,
        "form-0-required_registrations": "3",
        "form-0-evaluation_quota": "1",
    }


def _import_file(t: Target) -> dict:
    data = "集体名称,归口单位,条块,性质\r\n矩阵导入集体,武陵区团委,地方,公有\r\n".encode()
    upload = io.BytesIO(data)
    upload.name = "import.csv"
    return {"file": upload}


BODIES = {
    "password": lambda t: {
        "old_password": "wrong",
        "new_password": "Matrix-Pw-12345",
        "new_password2": "Matrix-Pw-12345",
    },
    "otp": lambda t: {"otp": "123456"},
    "policy": lambda t: {
        "version": "0",
        "lockout_max_failures": "3",
        "lockout_window_minutes": "30",
        "lockout_duration_minutes": "60",
        "throttle_max_failures_per_address": "10",
        "admin_idle_minutes": "5",
        "idle_minutes": "10",
        "admin_password_prompt_days": "30",
    },
    "child_unit": lambda t: {"name": "矩阵新单位", "line": t.unit.line, "tier": 3},
    "unit_admin": lambda t: {"username": "matrix-intruder", "display_name": "入侵者"},
    "cycle_form": lambda t: _cycle_fields(t, api=False),
    "quota_form": _quota_form,
    # The cycle's own unit: never delegable (the organiser or the tier-1 unit itself).
    "delegation_form": lambda t: {"unit": t.unit.pk},
    "collective_form": lambda t: {
        "name": "矩阵新集体",
        "unit": t.unit.pk,
        "line": t.unit.line,
        "ownership": "PUBLIC",
    },
    "import_file": _import_file,
    "rename": lambda t: {"name": "矩阵改名集体"},
    "details": lambda t: {"ownership": "NON_PUBLIC", "industry": "矩阵"},
    "transfer": lambda t: {"unit": t.scene.units["wuling"].pk},
    "unfreeze": lambda t: {"line": "REGION", "ownership": "PUBLIC"},
    "registration_form": lambda t: {**_profile(), "goals": "矩阵", "action": "save"},
    "bulk": lambda t: {"ids": [t.registration.pk], "confirm": "yes"},
    "export": lambda t: {"cycle": t.scene.cycle_of("national").pk, "unit": t.unit.pk},
    "reason": lambda t: {"reason": "矩阵退回", "return-reason": "矩阵退回"},
    "api_password": lambda t: {"old_password": "wrong", "new_password": "Matrix-Pw-12345"},
    "api_otp": lambda t: {"otp": "123456"},
    "api_child_unit": lambda t: {
        "name": "矩阵新单位",
        "line": t.unit.line,
        "tier": min(t.unit.tier + 1, 3),
        "parent": t.unit.pk,
    },
    "api_unit_admin": lambda t: {"username": "matrix-intruder", "display_name": "入侵者"},
    "api_cycle": lambda t: _cycle_fields(t, api=True),
    "api_delegation": lambda t: {"unit": t.unit.pk},
    "api_quotas": lambda t: [
        {"unit": t.unit.pk, "required_registrations": 3, "evaluation_quota": 1}
    ],
    "transfer_request": lambda t: {"name": "矩阵集体", "unit": t.unit.pk},
    "decline": lambda t: {f"d{t.transfer_request.pk}-reason": "不是同一个集体"},
    "api_transfer_request": lambda t: {"name": "矩阵集体", "unit": t.unit.pk},
    "api_decline": lambda t: {"reason": "不是同一个集体"},
    "page_export": lambda t: {"kind": "summary", "format": "xlsx"},
    "api_export": lambda t: {
        "kind": "summary",
        "cycle": t.scene.cycle_of("national").pk,
        "unit": t.unit.pk,
        "format": "xlsx",
    },
    "api_collective": lambda t: {"name": "矩阵新集体", "unit": t.unit.pk, "line": t.unit.line},
    "api_patch": lambda t: {"name": "矩阵改名集体", "phone": "13800000000"},
    "api_unfreeze": lambda t: {"line": "REGION", "ownership": "PUBLIC"},
    "api_bulk": lambda t: {"ids": [t.registration.pk]},
    "api_reason": lambda t: {"reason": "矩阵退回"},
    "api_draft": lambda t: {"profile": _profile(), "plan": {"goals": "矩阵"}},
    "email": lambda t: {"email": "matrix@example.cn"},
}


# --- "nothing changed" -----------------------------------------------------------------------

# Rows every request may touch: sessions and tokens record their last use, logins their attempts.
VOLATILE_MODELS = {"accounts.usersession", "accounts.apitoken", "accounts.loginattempt"}
VOLATILE_FIELDS = {"last_login", "last_seen_at", "last_used_at"}
WATCHED_APPS = (
    "units",
    "accounts",
    "audit",
    "notifications",
    "cycles",
    "collectives",
    "registrations",
    "jobs",
)


def fingerprint() -> str:
    """One hash over every stored row of the domain's tables (volatile bookkeeping left out)."""
    digest = hashlib.sha256()
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in VOLATILE_MODELS:
                continue
            names = [
                f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE_FIELDS
            ]
            rows = model._default_manager.order_by("pk").values_list(*names)
            digest.update(f"{model._meta.label_lower}:{list(rows)!r}".encode())
    return digest.hexdigest()


def audit_count() -> int:
    return AuditEntry.objects.count()
