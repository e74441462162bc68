"""Searching collectives, shared by the list page and the API list. The queryset passed in is
always `Collective.objects.visible_to(user)`: these only narrow it.

进度查询 / 找回编码 (seeds 000 Q2): the admin above finds a collective by its code, its
canonical name or a former name.

At national scale (docs/performance.md §2) a search is the ids of the matching collectives,
one indexed branch per way of matching, joined by UNION: the code prefix (btree), the canonical
name and the former names (on PostgreSQL a pg_trgm GIN index for three characters or more, a
GIN index of the name's bigrams for two). An OR across the branches, or an EXISTS on former
names, would keep the planner from using any of the indexes. A name key of one character is
not searched: it matches a large part of the country and no index can narrow it.
"""

import json
import re

from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, QuerySet, TextField
from django.utils.translation import gettext as _

from qnwmh.collectives.codes import normalize_legacy_code
from qnwmh.collectives.models import Collective, FormerName, title_model
from qnwmh.collectives.names import name_key
from qnwmh.core.errors import InvalidInput
from qnwmh.core.paths import subtree_filter

_CODE_LIKE = re.compile(r"[0-9a-z]+")

# Shortest name key that is searched; below it only a code prefix is.
MIN_NAME_CHARS = 2
# From this length on, pg_trgm's index serves `LIKE '%key%'`; below it the bigram index does.
TRIGRAM_CHARS = 3


class _Bigrams(Func):
    """`collectives_bigrams(name_key)`: the expression of the bigram indexes (migration 0003)."""

    function = "collectives_bigrams"

    def __init__(self, expression):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(expression, output_field=ArrayField(TextField()))


def name_too_short(q: str) -> bool:
    """True when `q` would only be searched as a name and its key is too short for that: the
    page says "请至少输入两个字" instead of showing nothing."""
    q = (q or "").strip()
    key = name_key(q)
    return (
        bool(key)
        and len(key) < MIN_NAME_CHARS
        and not _CODE_LIKE.fullmatch(normalize_legacy_code(q))
    )


def _name_matches(model, id_field: str, key: str) -> QuerySet:
    rows = model.objects.order_by()
    if connection.vendor == "postgresql" and len(key) < TRIGRAM_CHARS:
        # Every distinct bigram is in the array, so containment is the match itself.
        rows = rows.alias(bigrams=_Bigrams(F("name_key"))).filter(bigrams__contains=[key])
    else:
        rows = rows.filter(name_key__contains=key)
    return rows.values(id_field)


def matching_ids(q: str) -> QuerySet | None:
    """Ids of the collectives whose code begins with `q` or whose canonical or a former name
    contains it (compared by name key: widths, spaces and punctuation do not matter), as one
    UNION query. None when `q` is blank; an empty queryset when nothing can match."""
    q = (q or "").strip()
    if not q:
        return None
    branches = []
    code = normalize_legacy_code(q)
    if _CODE_LIKE.fullmatch(code):
        branches.append(Collective.objects.order_by().filter(code__startswith=code).values("id"))
    key = name_key(q)
    if len(key) >= MIN_NAME_CHARS:
        branches.append(_name_matches(Collective, "id", key))
        branches.append(_name_matches(FormerName, "collective_id", key))
    if not branches:
        return Collective.objects.none().values("id")
    first, *others = branches
    return first.union(*others) if others else first


def search(collectives: QuerySet, q: str) -> QuerySet:
    """`q` matches a code exactly or by its beginning, or any part of the canonical or a former
    name (see matching_ids)."""
    ids = matching_ids(q)
    if ids is None:
        return collectives
    return collectives.filter(pk__in=ids)


def in_unit_subtree(collectives: QuerySet, unit) -> QuerySet:
    """Collectives of `unit` and of every unit below it (one index range on the path)."""
    return collectives.filter(**subtree_filter("unit_path", unit.path))


def _registration_model(collectives: QuerySet):
    # Registrations come after collectives in the import order (docs/architecture.md): their
    # model is reached through the relation it declares to Collective, never imported.
    return collectives.model._meta.get_field("registrations").related_model


def with_registration(collectives: QuerySet, *, cycle_id=None, state=None) -> QuerySet:
    """Collectives that have a registration in `cycle_id` and/or in `state` (an Exists subquery:
    no join, no duplicates). A state the registrations do not know is refused (400)."""
    if cycle_id is None and not state:
        return collectives
    Registration = _registration_model(collectives)
    states = {value for value, _label in Registration._meta.get_field("state").flatchoices}
    if state and state not in states:
        raise InvalidInput(fields={"state": [_("Choose one of the allowed values.")]})
    registrations = Registration.objects.filter(collective=OuterRef("pk"))
    if cycle_id is not None:
        registrations = registrations.filter(cycle_id=cycle_id)
    if state:
        registrations = registrations.filter(state=state)
    return collectives.filter(Exists(registrations))


def for_listing(collectives: QuerySet) -> QuerySet:
    """What a list shows per row, fetched in a fixed number of queries whatever the page size.
    Not the account: no list shows it, and joining it read every row's password hash."""
    return collectives.select_related("unit").prefetch_related("former_names", "titles")


# The columns the list page shows (collectives/list.html); the pk and the unit come with them.
LIST_PAGE_FIELDS = ("code", "name", "ownership", "data_ok", "frozen_reasons", "unit__name")


class _RelatedRows(Func):
    """Some columns of the rows of `model` that point at the outer collective, in `order`, as
    JSON text `[[col, …], …]` (NULL or "[]" when none): a correlated subquery in the page's own
    query, so the page needs no second round trip per relation (docs/performance.md §3).
    PostgreSQL orders inside the aggregate; SQLite before 3.44 cannot, and aggregates an
    ordered subquery instead (as registrations.exports.HeldTitles)."""

    output_field = TextField()
    sqlite_template = (
        "(SELECT json_group_array(json_array({columns})) FROM (SELECT {columns} FROM {table}"
        " WHERE collective_id = %(expressions)s ORDER BY {order}) t)"
    )
    postgresql_template = (
        "(SELECT json_agg(json_build_array({columns}) ORDER BY {order})::text FROM {table}"
        " WHERE collective_id = %(expressions)s)"
    )

    def __init__(self, model, columns: tuple[str, ...], order: str):
        super().__init__(F("id"))
        # Names from the code, never from a request.
        self.parts = {"{columns}": ", ".join(columns), "{table}": model._meta.db_table}
        self.parts["{order}"] = order

    def _filled(self, template: str) -> str:
        for name, value in self.parts.items():
            template = template.replace(name, value)
        return template

    def as_sql(self, compiler, connection, template=None, **extra):
        template = self._filled(template or self.sqlite_template)
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.postgresql_template, **extra)


def for_list_page(collectives: QuerySet) -> QuerySet:
    """for_listing for the list page (docs/performance.md §3): only the columns it shows, one
    query for the rows with their former names (`former_names_json`: [[name], …], newest
    first) and titles (`titles_json`: [[year, level], …], latest first), read by
    `list_page_extras`."""
    return (
        collectives.select_related("unit")
        .only(*LIST_PAGE_FIELDS)
        .annotate(
            former_names_json=_RelatedRows(FormerName, ("name",), "replaced_at DESC, id"),
            titles_json=_RelatedRows(title_model(), ("year", "level"), "year DESC, id"),
        )
    )


def list_page_extras(collective) -> tuple[list[str], list[tuple[int, str]]]:
    """The former names and the (year, level) of the titles of a row of for_list_page."""
    former = [name for (name,) in json.loads(collective.former_names_json or "[]")]
    titles = [(year, level) for year, level in json.loads(collective.titles_json or "[]")]
    return former, titles
