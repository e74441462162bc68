"""Fast bulk writes for generated rows: PostgreSQL `COPY … FROM STDIN` (psycopg 3
`cursor.copy`), SQLite `executemany` in large transactions.

Columns come from the model's `_meta`, so a field another app adds later is filled from its
default (or NULL, or "" for a blank text field) without touching the generator; a new required
field without a default stops the generator with a message naming it.
"""

import datetime
import json
import operator
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection, models


class MissingValue(Exception):
    """A required field the generator does not fill and that has no default."""


_UNSET = object()
_TEXT_TYPES = ("CharField", "TextField", "SlugField", "EmailField", "URLField")


def _default(field: models.Field):
    if field.has_default():
        return field.get_default()
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _UNSET  # the caller must give it (generated data has fixed, reproducible times)
    if field.null:
        return None
    if field.blank and field.get_internal_type() in _TEXT_TYPES:
        return ""
    return _UNSET


def _json(value):
    """JSON values given as str are already JSON text (shared constants, serialized once)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _sqlite_datetime(value: datetime.datetime) -> str:
    # Django stores aware datetimes on SQLite as naive UTC text ("2024-03-01 08:00:00").
    if value.tzinfo is None:
        return value.isoformat(" ")
    if value.utcoffset():
        value = value.astimezone(datetime.UTC)
    return value.isoformat(" ")[:-6]  # without "+00:00"


def _converter(field: models.Field, vendor: str):
    kind = field.get_internal_type()
    if kind == "JSONField":
        return _json
    if vendor != "sqlite":
        return None
    if kind == "DateTimeField":
        return _sqlite_datetime
    if kind == "DateField":
        return datetime.date.isoformat
    if kind == "BooleanField":
        return int
    return None


class TableWriter:
    """Writes rows given as {attname: value} dicts into one model's table; with
    `explicit_ids=False` the database numbers them."""

    def __init__(self, model: type[models.Model], *, explicit_ids: bool = True):
        self.model = model
        self.vendor = connection.vendor
        fields = [f for f in model._meta.concrete_fields if explicit_ids or f is not model._meta.pk]
        self.attnames = [f.attname for f in fields]
        self.defaults = {f.attname: _default(f) for f in fields}
        self._pick = operator.itemgetter(*self.attnames)
        self.converters = [
            (index, conv)
            for index, f in enumerate(fields)
            if (conv := _converter(f, self.vendor)) is not None
        ]
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in fields)
        self.rows_written = 0

    def _values(self, row: dict) -> list:
        values = list(self._pick(self.defaults | row))
        for index, convert in self.converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        return values

    def _check(self, values: list) -> None:
        for name, value in zip(self.attnames, values, strict=True):
            if value is _UNSET:
                raise MissingValue(
                    f"{self.model._meta.label}.{name} is required and has no default: "
                    "teach bench/generate.py to fill it"
                )

    def write(self, rows: Iterable[dict]) -> int:
        """Append the rows inside the caller's transaction; returns how many were written."""
        prepared = [self._values(row) for row in rows]
        if not prepared:
            return 0
        self._check(prepared[0])
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                sql = f"COPY {self.table} ({self.columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for values in prepared:
                        copy.write_row(values)
        else:
            marks = ", ".join("?" * len(self.attnames))
            sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})"
            connection.ensure_connection()
            connection.connection.executemany(sql, prepared)
        self.rows_written += len(prepared)
        return len(prepared)


def reset_sequences(model_list: list[type[models.Model]]) -> None:
    """After inserting explicit ids: the next id the database hands out follows the largest.
    (SQLite's AUTOINCREMENT keeps track by itself.)"""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class IndexesDeferred:
    """PostgreSQL: drop the secondary indexes of `models` for the bulk load and build them again
    afterwards (one sort per index instead of a million random inserts). Indexes that back a
    constraint (primary key, unique) stay. Always rebuilt, even when the load fails."""

    def __init__(self, model_list: list[type[models.Model]]):
        self.tables = [model._meta.db_table for model in model_list]
        self.definitions: list[str] = []

    def __enter__(self):
        if connection.vendor != "postgresql":
            return self
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c
                    WHERE c.conindid = (quote_ident(i.schemaname) || '.'
                                        || quote_ident(i.indexname))::regclass)
                ORDER BY i.indexname
                """,
                [self.tables],
            )
            found = cursor.fetchall()
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        self.definitions = [definition for _name, definition in found]
        return self

    def __exit__(self, *exc_info):
        if not self.definitions:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for definition in self.definitions:
                cursor.execute(definition)
        return False
