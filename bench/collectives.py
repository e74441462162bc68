"""Generated collectives: code, Chinese name and keys, login, former names and titles, then the
registrations of each (bench/history.py)."""

import datetime
import json
import random

from bench import names
from bench.tree import GenUnit
from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import User
from qnwmh.collectives.codes import luhn_check_digit
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.collectives.names import loose_key, name_key
from qnwmh.cycles.enums import Level
from qnwmh.titles.models import Title

UTC = datetime.UTC
EPOCH = datetime.datetime(2015, 1, 1, tzinfo=UTC)
OWNERSHIP = ([Ownership.PUBLIC, Ownership.NON_PUBLIC, Ownership.SOCIAL_ORG], [80, 14, 6])
TITLE_LEVELS = ([Level.COUNTY, Level.CITY, Level.PROVINCIAL, Level.NATIONAL], [40, 35, 20, 5])
LEVEL_DEPTH = {Level.PROVINCIAL: 1, Level.CITY: 2, Level.COUNTY: 3}


def unusable_password(rng: random.Random) -> str:
    # What make_password(None) stores: "!" + random text, never matching any password.
    return f"!{rng.getrandbits(160):040x}"


def at_random(rng: random.Random, start: datetime.datetime, days: int) -> datetime.datetime:
    return start + datetime.timedelta(seconds=rng.randrange(max(1, days * 86400)))


class CollectiveMaker:
    """Adds one collective and everything that hangs off it to a batch of rows."""

    def __init__(self, rng: random.Random, ids: dict, history, first_user_id: int):
        self.rng = rng
        self.ids = ids
        self.history = history
        self.first_user_id = first_user_id
        self.codes: set[str] = set()
        self.keys: set[str] = set()

    def _code(self) -> str:
        while True:
            body = str(self.rng.randrange(100_000_000, 1_000_000_000))
            code = body + luhn_check_digit(body)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _name(self, unit: GenUnit) -> tuple[str, str]:
        for _attempt in range(5):
            name = names.collective_name(self.rng, unit.place)
            key = name_key(name)
            if key not in self.keys:
                self.keys.add(key)
                return name, key
        number = 2
        while name_key(f"{name}（{number}）") in self.keys:
            number += 1
        name = f"{name}（{number}）"
        key = name_key(name)
        self.keys.add(key)
        return name, key

    def add(self, pk: int, unit: GenUnit, batches: dict) -> None:
        rng = self.rng
        code = self._code()
        name, key = self._name(unit)
        created = at_random(rng, EPOCH, 3000)
        data_ok = rng.random() >= 0.01
        user_id = self.first_user_id + pk
        ownership = rng.choices(*OWNERSHIP)[0]
        industry = rng.choice(names.INDUSTRIES)
        leader, phone = names.person_name(rng), names.phone_number(rng)
        changed = rng.random() < 0.7
        batches[User].append(
            {
                "id": user_id,
                "username": code,
                "display_name": name,
                "kind": AccountKind.COLLECTIVE,
                "unit_id": unit.id,
                "password": unusable_password(rng),
                "is_active": data_ok,
                "must_change_password": not changed,
                "password_changed_at": created + datetime.timedelta(days=3) if changed else None,
                "created_at": created,
                "created_by_id": unit.id,
            }
        )
        row = {
            "id": pk,
            "code": code,
            "name": name,
            "name_key": key,
            "loose_key": loose_key(name),
            "unit_id": unit.id,
            "unit_path": unit.path,
            "line": unit.line,
            "industry": industry,
            "ownership": ownership,
            "user_id": user_id,
            "data_ok": data_ok,
            "leader_name": leader,
            "phone": phone,
            "created_at": created,
            "created_by_id": unit.id,
        }
        if not data_ok:
            row["frozen_reasons"] = '["条块未填写", "性质未填写"]'
            row["legacy_source"] = f"2016年旧系统导出.xls 第{pk + 1}行"
            row["legacy_code"] = f"hn{pk:06d}"
        batches[Collective].append(row)
        self._former_names(pk, unit, created, batches)
        titles = self._titles(pk, unit, batches)
        profile = {
            "collective_id": pk,
            "user_id": user_id,
            "unit": unit,
            "ownership": ownership,
            "industry": industry,
            "leader_name": leader,
            "phone": phone,
            "prior_titles": titles,
        }
        self.history.add(profile, batches)

    def _former_names(self, pk: int, unit: GenUnit, created, batches: dict) -> None:
        """曾用名: about one collective in ten was renamed once or twice."""
        if self.rng.random() >= 0.1:
            return
        for _ in range(self.rng.choice((1, 1, 2))):
            name = names.collective_name(self.rng, unit.place)
            batches[FormerName].append(
                {
                    "id": next(self.ids[FormerName]),
                    "collective_id": pk,
                    "name": name,
                    "name_key": name_key(name),
                    "loose_key": loose_key(name),
                    "replaced_at": at_random(self.rng, created, 1500),
                    "replaced_by_id": unit.id,
                }
            )

    def _titles(self, pk: int, unit: GenUnit, batches: dict) -> str:
        """A third of the collectives hold a title; returns the prior_titles JSON of its
        registrations."""
        if self.rng.random() >= 0.33:
            return "[]"
        level = self.rng.choices(*TITLE_LEVELS)[0]
        depth = LEVEL_DEPTH.get(level)
        place = "全国" if depth is None else unit.places[min(depth, len(unit.places)) - 1]
        year = self.rng.randint(2012, 2024)
        title = {"level": str(level), "year": year, "name": f"{place}青年文明号"}
        revoked = self.rng.random() < 0.02
        batches[Title].append(
            {
                "id": next(self.ids[Title]),
                "collective_id": pk,
                **title,
                "revoked_at": datetime.datetime(year + 1, 6, 1, tzinfo=UTC) if revoked else None,
            }
        )
        return "[]" if revoked else json.dumps([title], ensure_ascii=False)
