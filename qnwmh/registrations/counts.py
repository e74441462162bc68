"""Subtree counts of registrations for the progress dashboard (进度), kept exact at every change.

A registration is counted under its *key*: (cycle, unit_path, state, non_public,
previous_title). `RegistrationCount` holds, for every unit, the number of registrations of
each key in the unit's whole subtree, so a dashboard reads one row per child instead of
aggregating every registration below it (docs/performance.md §1).

How it stays exact:
- Whatever changes a registration's key — a state transition, a draft following its
  collective, the collective's ownership, a title gained or lost — runs inside the same
  transaction as `recounting(...)` (or `transitioned(...)` after its compare-and-swap).
- The registrations concerned are locked before their keys are read, so a concurrent change of
  the same registration waits and then reads the new values; a change of the collective locks
  the collective first, which a new registration's foreign-key check waits for.
- `n` changes only through `n = n + delta` in SQL (INSERT … ON CONFLICT DO UPDATE, PostgreSQL
  and SQLite ≥ 3.24): two transactions moving the same row add up, nothing is read into Python
  and written back. The rows of one statement go in key order, so writers lock in one order.
- Those rows are shared: every submission of a cycle moves the national, province, city and
  county rows, and an upsert holds them until the commit. Inside `added_last()` (what the
  registration domain runs in) the deltas are summed instead and written in one statement at
  the block's end, the last before the audit entry and the commit, so the rows are locked for
  that statement and the commit only, not for the rest of the request.
- `rebuild()` recomputes a cycle from the registrations in one set-based statement, and
  `differences()` compares the table with the live aggregate (`manage.py
  rebuild_registration_counts [--check]`).
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from qnwmh.collectives.enums import NON_PUBLIC_KINDS
from qnwmh.collectives.models import Collective
from qnwmh.core import paths
from qnwmh.registrations.models import Registration, RegistrationCount
from qnwmh.titles.enums import TitleStatus
from qnwmh.titles.models import Title

# (cycle_id, unit_path, state, non_public, previous_title)
Key = tuple[int, str, str, bool, bool]

TABLE = RegistrationCount._meta.db_table
COLUMNS = ("cycle_id", "unit_path", "depth", "state", "non_public", "previous_title", "n")
KEY_COLUMNS = ("cycle_id", "unit_path", "state", "non_public", "previous_title")
MAX_DEPTH = Registration._meta.get_field("unit_path").max_length // paths.SEGMENT_WIDTH
BATCH = 100  # rows per INSERT: 700 parameters, far below either database's limit


# --- what a registration counts as -------------------------------------------------------


def non_public() -> Q:
    """Seeds 000's non-public economy or social organisation: the profile's ownership, or the
    collective's when the profile leaves it blank."""
    return Q(ownership__in=NON_PUBLIC_KINDS) | (
        Q(ownership="") & Q(collective__ownership__in=NON_PUBLIC_KINDS)
    )


def previous_title() -> Q:
    """A previous title: one declared in the profile, or one the collective holds now."""
    holds_title = Exists(
        Title.objects.filter(
            collective=OuterRef("collective_id"), status=TitleStatus.VALID, revoked_at__isnull=True
        )
    )
    return ~Q(prior_titles=[]) | Q(holds_title)


def keyed(registrations: QuerySet) -> QuerySet:
    """Each registration's key, as a values_list in KEY_COLUMNS order."""
    return (
        registrations.annotate(
            key_non_public=ExpressionWrapper(non_public(), output_field=BooleanField()),
            key_previous_title=ExpressionWrapper(previous_title(), output_field=BooleanField()),
        )
        .values_list("cycle_id", "unit_path", "state", "key_non_public", "key_previous_title")
        .order_by()
    )


_MARKER = -7_340_033  # stands for the registration's id in the SQL compiled once


@cache
def _one_key_sql(vendor: str) -> tuple[str, tuple, int]:
    """`keyed()` of one registration, compiled once per database kind: every change reads a
    key or two, and compiling the annotations costs more than running the query."""
    sql, params = keyed(Registration.objects.filter(pk=_MARKER)).query.sql_with_params()
    return sql, tuple(params), params.index(_MARKER)


def _keys_of(ids: list[int]) -> Counter:
    if not ids:
        return Counter()
    if len(ids) == 1:
        sql, params, at = _one_key_sql(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params[:at], ids[0], *params[at + 1 :]])
            rows = cursor.fetchall()
    else:
        rows = keyed(Registration.objects.filter(pk__in=ids))
    return Counter((c, p, s, bool(np), bool(pt)) for c, p, s, np, pt in rows)


# --- moving counts ----------------------------------------------------------------------------


def _upsert_sql(rows: int) -> str:
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * rows)
    # Only constant names and placeholders are put together; every value is a parameter.
    return (
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET n = {TABLE}.n + excluded.n"
    )


# The deltas of the innermost `added_last()` block, not yet written.
_pending: ContextVar[Counter | None] = ContextVar("counts_pending", default=None)


@contextmanager
def added_last() -> Iterator[None]:
    """Inside a transaction: the deltas the block adds are summed and written in one statement
    at its end. A nested block hands its deltas to the outer one, and only if it succeeds (a
    savepoint rolled back drops them with its changes)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("added_last() must run inside the change's transaction")
    outer = _pending.get()
    deltas: Counter = Counter()
    token = _pending.set(deltas)
    try:
        yield
    finally:
        _pending.reset(token)
    if outer is not None:
        outer.update(deltas)
    else:
        _write(deltas)


def add(deltas: Counter) -> None:
    """Add each key's delta to the rows of its unit and of every ancestor: now, or at the end
    of the enclosing `added_last()` block."""
    pending = _pending.get()
    if pending is None:
        _write(deltas)
    else:
        pending.update(deltas)


def _write(deltas: Counter) -> None:
    moved: Counter = Counter()
    for (cycle_id, unit_path, state, is_non_public, has_title), delta in deltas.items():
        for path in paths.ancestor_paths(unit_path):
            moved[(cycle_id, path, state, is_non_public, has_title)] += delta
    rows = [
        (cycle_id, path, paths.depth(path), state, is_non_public, has_title, delta)
        for (cycle_id, path, state, is_non_public, has_title), delta in sorted(moved.items())
        if delta
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.execute(_upsert_sql(len(batch)), [value for row in batch for value in row])


def _locked_ids(registrations: QuerySet) -> list[int]:
    return list(
        registrations.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True)
    )


@contextmanager
def recounting(registrations: QuerySet, *, collective_id: int | None = None):
    """Run the block's change and move the counts of `registrations` from their keys before to
    their keys after. Pass `collective_id` when the change is to the collective (ownership,
    titles): it is locked first, so no registration of it can appear meanwhile unseen."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("recounting() must run inside the change's transaction")
    if collective_id is not None:
        list(Collective.objects.select_for_update().filter(pk=collective_id).values("pk"))
    ids = _locked_ids(registrations)
    before = _keys_of(ids)
    yield
    after = _keys_of(ids)
    after.subtract(before)
    add(after)


def created(registration_id: int) -> None:
    """A new registration: count it (its insert holds the collective against changes)."""
    add(_keys_of([registration_id]))


def transitioned(registration_id: int, old_state: str) -> None:
    """After a state's compare-and-swap (which locks the row): move it from the old state."""
    deltas = Counter()
    for key, number in _keys_of([registration_id]).items():
        deltas[key] += number
        deltas[(key[0], key[1], old_state, key[3], key[4])] -= number
    add(deltas)


def of_collective(collective_id: int) -> QuerySet:
    return Registration.objects.filter(collective_id=collective_id)


# --- rebuilding and checking ------------------------------------------------------------------


def _depths_sql() -> str:
    return " UNION ALL ".join(f"SELECT {d} AS depth" for d in range(1, MAX_DEPTH + 1))


def _subtree_sql(cycle_id: int) -> tuple[str, list]:
    """The table's rows for one cycle, from the registrations: each key counted in its unit
    and every ancestor (one set-based statement)."""
    keys, params = keyed(Registration.objects.filter(cycle_id=cycle_id)).query.sql_with_params()
    prefix = f"substr(k.unit_path, 1, d.depth * {paths.SEGMENT_WIDTH})"
    # The ORM's own SQL with its parameters, wrapped in constant text.
    sql = (
        f"SELECT k.cycle_id, {prefix}, d.depth, k.state, k.key_non_public, "  # noqa: S608
        f"k.key_previous_title, count(*) "
        f"FROM ({keys}) k JOIN ({_depths_sql()}) d "
        f"ON d.depth * {paths.SEGMENT_WIDTH} <= length(k.unit_path) "
        f"GROUP BY k.cycle_id, {prefix}, d.depth, k.state, k.key_non_public, "
        f"k.key_previous_title"
    )
    return sql, list(params)


def cycles_with_data(cycle_id: int | None = None) -> list[int]:
    from qnwmh.cycles.models import Cycle

    cycles = Cycle.objects.order_by("pk")
    if cycle_id is not None:
        cycles = cycles.filter(pk=cycle_id)
    return list(cycles.values_list("pk", flat=True))


def rebuild(cycle_id: int | None = None) -> int:
    """Recompute the counts of one cycle (or every cycle) from the registrations; returns the
    number of rows written. Concurrent changes wait for it (PostgreSQL: the table is locked
    against writers for the rebuild's transaction) and then add their deltas on top."""
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        for cycle in cycles_with_data(cycle_id):
            RegistrationCount.objects.filter(cycle_id=cycle).delete()
            select, params = _subtree_sql(cycle)
            cursor.execute(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) {select}", params)
            written += cursor.rowcount
    return written


def live_rows(cycle_id: int) -> dict[Key, int]:
    select, params = _subtree_sql(cycle_id)
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        return {(c, p, s, bool(np), bool(pt)): n for c, p, _d, s, np, pt, n in cursor.fetchall()}


def stored_rows(cycle_id: int) -> dict[Key, int]:
    rows = RegistrationCount.objects.filter(cycle_id=cycle_id).exclude(n=0)
    return {(c, p, s, np, pt): n for c, p, s, np, pt, n in rows.values_list(*KEY_COLUMNS, "n")}


def differences(cycle_id: int | None = None) -> list[tuple[Key, int, int]]:
    """(key, stored, live) for every key whose stored count differs from the registrations."""
    found = []
    for cycle in cycles_with_data(cycle_id):
        stored, live = stored_rows(cycle), live_rows(cycle)
        for key in sorted(stored.keys() | live.keys()):
            if stored.get(key, 0) != live.get(key, 0):
                found.append((key, stored.get(key, 0), live.get(key, 0)))
    return found
