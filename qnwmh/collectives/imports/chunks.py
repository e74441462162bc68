"""Storing a legacy import a chunk of rows at a time (docs/performance.md §8).

The rows of a chunk arrive checked and assessed (imports.prepare: a name, a unit in the
importer's subtree, legacy.assess). Here they are matched against what exists with a fixed
number of queries per chunk — collectives and former names by name key, legacy codes, taken
codes — then against the rows before them in the same chunk, and the new ones are inserted with
bulk_create in one transaction: accounts, collectives, titles and one audit entry.

The outcome of every row is the one the row-by-row import gives (imports.import_row):
- a name key (canonical or former) or a usable legacy code already known is "已存在，跳过",
  naming the holder — the lowest id for a name, the lowest code for a legacy code, and an
  earlier row of the same file, exactly as if that row had been stored first;
- a usable legacy code that is some account's login freezes the record with a new code.
Earlier chunks are committed before a later one is matched, so duplicates across chunks are
found by the same queries.

Audit (docs/decisions/004): every entry costs an advisory lock, a read of the chain's tail and
an insert, and holds the lock until commit. Two entries per row would make a 100,000-row
import 600,000 queries and serialize every other write for its whole duration. A chunk
therefore writes one `collective.import` entry on the job, whose changes list each created
collective as [line, code, data qualified] (the account's login is the code; name, unit and
frozen reasons are on the record itself); the job keeps its `job.start` and
`collective.import_finished` entries. Every write is still recorded, per chunk.

When an insert fails on a unique key (a name or code created concurrently by someone else),
the chunk rolls back and returns None: the caller stores its rows one by one with
imports.import_row, so each row's report stays exact.
"""

import json
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import User
from qnwmh.audit.domain import record
from qnwmh.collectives import codes
from qnwmh.collectives.imports import rows as legacy
from qnwmh.collectives.models import Collective, FormerName, title_model
from qnwmh.collectives.names import loose_key
from qnwmh.core.expressions import OneOf
from qnwmh.units.models import Unit

CHUNK = 1000
_DISPLAY_NAME_MAX = User._meta.get_field("display_name").max_length
CREATED, FROZEN, EXISTS, REJECTED = "created", "frozen", "exists", "rejected"


@dataclass
class RowOutcome:
    kind: str
    messages: list[str]


@dataclass
class Prepared:
    """A row with a name and a unit, assessed and ready to be matched and stored."""

    line: int
    name: str
    key: str
    unit: Unit
    assessed: legacy.Assessed


class Holder(NamedTuple):
    """Who already has a name or legacy code: what the "already exists" message names."""

    pk: int | None
    name: str
    code: str
    unit_name: str


def exists_outcome(holder: Holder) -> RowOutcome:
    return RowOutcome(
        EXISTS,
        [
            _("Already exists as %(name)s (code %(code)s, %(unit)s); skipped.")
            % {"name": holder.name, "code": holder.code, "unit": holder.unit_name}
        ],
    )


def settle_code(assessed: legacy.Assessed, is_taken) -> tuple[str | None, list[str]]:
    """The legacy code to keep as login (None: a new one is needed) and the reasons that freeze
    the record, the code's own reason first. `assessed` is left as it is."""
    code, problem = assessed.usable_code, assessed.code_problem
    if code and is_taken(code):
        problem = _("the code %(code)s is already used by another account") % {"code": code}
        code = None
    reasons = list(assessed.reasons)
    if problem:
        reasons.insert(
            0,
            _("Legacy code unusable: %(problem)s; a new code was assigned.") % {"problem": problem},
        )
    return code, reasons


def stored_outcome(reasons: list[str], notes: list[str]) -> RowOutcome:
    if reasons:
        text = "；".join(reason.rstrip("。.") for reason in reasons)
        frozen = _("Imported frozen (data qualified: no): %(reasons)s.") % {"reasons": text}
        return RowOutcome(FROZEN, [frozen, *notes])
    return RowOutcome(CREATED, list(notes))


@dataclass
class _New:
    row: Prepared
    code: str
    reasons: list[str]
    fresh_code: bool  # the code was generated here (checked against the database afterwards)


def write_chunk(actor, rows: list[Prepared], source: str, job) -> list[RowOutcome] | None:
    """Match and store a chunk; the outcome of each row in order, or None when a concurrent
    write got in the way (nothing of the chunk is stored then)."""
    by_key = _holders_by_key({row.key for row in rows})
    legacy_codes = {row.assessed.usable_code for row in rows if row.assessed.usable_code}
    by_legacy = _holders_by_legacy(legacy_codes)
    used = _taken(legacy_codes)
    avoid = used | legacy_codes  # new codes never meet a legacy code of the chunk
    outcomes: list[RowOutcome | None] = []
    new: list[_New] = []
    for row in rows:
        usable = row.assessed.usable_code
        holder = by_key.get(row.key) or (by_legacy.get(usable) if usable else None)
        if holder is not None:
            outcomes.append(exists_outcome(holder))
            continue
        code, reasons = settle_code(row.assessed, used.__contains__)
        fresh = code is None
        if fresh:
            code = codes.new_unique_code(lambda c: c in avoid or c in used)
        used.add(code)
        created = Holder(None, row.name, code, row.unit.name)
        by_key[row.key] = created
        if row.assessed.legacy_code:
            by_legacy.setdefault(row.assessed.legacy_code, created)
        new.append(_New(row, code, reasons, fresh))
        outcomes.append(None)
    _replace_taken_fresh_codes(new, avoid | used)
    if new:
        try:
            with transaction.atomic():
                _insert(actor, new, source, job)
        except IntegrityError:
            return None
    stored = iter(stored_outcome(n.reasons, n.row.assessed.notes) for n in new)
    return [outcome or next(stored) for outcome in outcomes]


def _holders_by_key(keys: set[str]) -> dict[str, Holder]:
    """Name key → the collective holding it as canonical or former name (the lowest id)."""
    found: dict[str, Holder] = {}
    canonical = Collective.objects.filter(OneOf("name_key", keys)).values_list(
        "name_key", "pk", "name", "code", "unit__name"
    )
    former = (
        FormerName.objects.filter(OneOf("name_key", keys))
        .order_by()
        .values_list(
            "name_key",
            "collective_id",
            "collective__name",
            "collective__code",
            "collective__unit__name",
        )
    )
    for key, *holder in [*canonical, *former]:
        if key not in found or holder[0] < found[key].pk:
            found[key] = Holder(*holder)
    return found


def _holders_by_legacy(legacy_codes: set[str]) -> dict[str, Holder]:
    """Legacy code → the collective that came in with it (the lowest code, as Collective's
    default ordering has it)."""
    found: dict[str, Holder] = {}
    rows = (
        Collective.objects.filter(OneOf("legacy_code", legacy_codes))
        .order_by("code")
        .values_list("legacy_code", "pk", "name", "code", "unit__name")
    )
    for legacy_code, *holder in rows:
        found.setdefault(legacy_code, Holder(*holder))
    return found


def _taken(candidates: set[str]) -> set[str]:
    """The candidates that are a collective's code or an account's login already."""
    if not candidates:
        return set()
    return set(
        Collective.objects.filter(OneOf("code", candidates)).values_list("code", flat=True)
    ) | set(User.objects.filter(OneOf("username", candidates)).values_list("username", flat=True))


def _replace_taken_fresh_codes(new: list[_New], used: set[str]) -> None:
    """Generated codes were only checked in memory: check them all at once and draw again for
    the few a collective or account already holds (one in a million at national size)."""
    fresh = [n for n in new if n.fresh_code]
    while fresh:
        taken = _taken({n.code for n in fresh})
        fresh = [n for n in fresh if n.code in taken]
        for n in fresh:
            n.code = codes.new_unique_code(lambda c: c in used)
            used.add(n.code)


def _insert(actor, new: list[_New], source: str, job) -> None:
    """Accounts, collectives and titles of a chunk, then its audit entry (recorded last: it
    takes the audit lock, docs/decisions/004)."""
    account_ids = insert_rows(User, [_account(actor, n) for n in new])
    collectives = [
        _collective(actor, n, account_id, source)
        for n, account_id in zip(new, account_ids, strict=True)
    ]
    collective_ids = insert_rows(Collective, collectives)
    insert_rows(
        title_model(),
        [
            {"collective_id": collective_id, **n.row.assessed.title}
            for n, collective_id in zip(new, collective_ids, strict=True)
            if n.row.assessed.title
        ],
    )
    record(
        "collective.import",
        actor=actor,
        obj=job,
        scope_unit=getattr(actor, "unit", None),
        changes={
            "source": [None, source],
            # [line, code, data qualified] of each collective created (its account's login is
            # the code): compact, as the entry is hashed and masked whole.
            "created": [None, [[n.row.line, n.code, not n.reasons] for n in new]],
        },
    )


def _account(actor, new: _New) -> dict:
    """The login: the code as username, no usable password (the admin issues a one-time one on
    request), disabled while frozen. "!" + random text is what Django's set_unusable_password
    stores; its 40 separate random draws per row would cost more than the rest of the row."""
    return {
        "kind": AccountKind.COLLECTIVE,
        "username": new.code,
        "display_name": new.row.name[:_DISPLAY_NAME_MAX],
        "unit_id": new.row.unit.pk,
        "created_by_id": actor.pk,
        "must_change_password": True,
        "is_active": not new.reasons,
        "password": UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
    }


def _collective(actor, new: _New, account_id: int, source: str) -> dict:
    row, assessed = new.row, new.row.assessed
    return {
        "code": new.code,
        "name_key": row.key,
        "loose_key": loose_key(row.name),
        "unit_id": row.unit.pk,
        "unit_path": row.unit.path,
        "user_id": account_id,
        "created_by_id": actor.pk,
        "data_ok": not new.reasons,
        "frozen_reasons": new.reasons,
        "legacy_source": f"{source} 第{row.line}行"[:200],
        "legacy_code": assessed.legacy_code,
        **assessed.fields,
    }


def insert_rows(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert rows given as {attname: value}; their new ids, in order. A field left out takes
    its default (so a field another app adds with a default needs nothing here).

    PostgreSQL: ids drawn from the table's sequence in one query, then one COPY — about twice
    as fast as bulk_create here, which spends its time building model instances and a
    statement with tens of thousands of placeholders. Elsewhere: bulk_create."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return [obj.pk for obj in model.objects.bulk_create([model(**row) for row in rows])]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    absent = _absent_values(fields)
    # Fields whose default is made per row (a callable), and JSON fields, to finish per row.
    made = [(i, f) for i, f in enumerate(fields) if absent[i][1] is _PER_ROW]
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        copying = cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN")
        # Django's IntegrityError (not psycopg's) for a unique key met, as the caller expects.
        with connection.wrap_database_errors, copying as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = [row.get(attname, value) for attname, value in absent]
                for i, field in made:
                    if values[i] is _PER_ROW:
                        values[i] = field.get_default()
                for i in json_at:
                    values[i] = json.dumps(values[i], ensure_ascii=False)
                copy.write_row([pk, *values])
    return ids


def _absent_values(fields: list[models.Field]) -> list[tuple[str, object]]:
    """(attname, the value stored when a row leaves the field out) per field: the time of the
    insert for auto_now fields, the default, or _PER_ROW for a default made by a callable."""
    now = timezone.now()
    found = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default() and callable(field.default):
            value = _PER_ROW
        else:
            value = field.get_default()
        found.append((field.attname, value))
    return found


_PER_ROW = object()
