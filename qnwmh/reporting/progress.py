"""Progress of a cycle below one unit (进度): per child unit, the quota against the registrations
of its whole subtree, and the rules of seeds 000 and 001 — the required number of registrations
(附件1), creating collectives ≥ multiplier × evaluation quota, a share of previous titles, and at
least one non-public-economy or social-organisation collective per local unit.

Counting reads registrations' subtree count table (RegistrationCount, kept in step by
qnwmh/registrations/counts.py): one indexed query for the unit's row and its children's, so
neither the number of queries nor their cost grows with the registrations below
(docs/performance.md §1). `live_counts` is the same answer aggregated from the registrations
themselves: the tests hold the table to it."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from qnwmh.collectives.enums import NON_PUBLIC_KINDS
from qnwmh.core import paths
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.registrations.enums import APPROVED_OR_LATER, REGISTERED
from qnwmh.registrations.models import Registration, RegistrationCount
from qnwmh.titles.enums import TitleStatus
from qnwmh.titles.models import Title
from qnwmh.units.enums import Line
from qnwmh.units.models import Unit

# The rule names of a shortfall, stable for API clients.
RULE_REQUIRED = "required_registrations"
RULE_RATIO = "evaluation_ratio"
RULE_NON_PUBLIC = "non_public"


@dataclass
class Shortfall:
    rule: str
    message: str


@dataclass
class ProgressRow:
    unit: Unit
    direct: bool = False  # registrations made at the unit itself, not below it
    has_children: bool = False
    required: int = 0
    evaluation_quota: int = 0
    registered: int = 0
    approved: int = 0
    non_public: int = 0
    previous_title: int = 0
    ratio_target: int = 0
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def ratio_ok(self) -> bool:
        return self.approved >= self.ratio_target

    @property
    def previous_title_percent(self) -> int | None:
        if not self.approved:
            return None
        return round(100 * self.previous_title / self.approved)

    def shortfall_rules(self) -> set[str]:
        return {s.rule for s in self.shortfalls}


@dataclass
class ProgressReport:
    cycle: Cycle
    unit: Unit
    rows: list[ProgressRow]
    totals: ProgressRow
    own: bool = False  # totals carry the unit's own allocation (not the organiser's page)

    @property
    def shortfall_count(self) -> int:
        return sum(1 for row in self.rows if row.shortfalls)


COUNTED = ("registered", "approved", "non_public", "previous_title")


def _states(states) -> str:
    return ", ".join(f"'{state}'" for state in states)  # enum constants, never input


# Written out once instead of built by the ORM per request: composing and compiling five
# filtered sums cost the ORM several times the ~1 ms the database takes (docs/performance.md
# §1). FILTER is plain SQL on PostgreSQL and on SQLite ≥ 3.30.
_REGISTERED = f"state IN ({_states(REGISTERED)})"
_APPROVED = f"state IN ({_states(APPROVED_OR_LATER)})"
COUNT_SQL = f"""
SELECT unit_path,
       COALESCE(SUM(n) FILTER (WHERE {_REGISTERED}), 0),
       COALESCE(SUM(n) FILTER (WHERE {_APPROVED}), 0),
       COALESCE(SUM(n) FILTER (WHERE {_APPROVED} AND non_public), 0),
       COALESCE(SUM(n) FILTER (WHERE {_APPROVED} AND previous_title), 0),
       COALESCE(SUM(n), 0)
FROM {RegistrationCount._meta.db_table}
WHERE cycle_id = %s
  AND ((depth = %s AND unit_path >= %s AND unit_path < %s) OR (depth = %s AND unit_path = %s))
GROUP BY unit_path"""  # noqa: S608 (constants only; every value is a parameter)


def count_rows(cycle: Cycle, unit: Unit) -> tuple[str, list]:
    """The unit's row of the count table and its children's, summed per path: one range of
    the (cycle, depth, unit_path) index. (SQL, parameters)."""
    depth = paths.depth(unit.path)
    low, high = paths.subtree_range(unit.path)
    return COUNT_SQL, [cycle.pk, depth + 1, low, high, depth, unit.path]


def _counts(cycle: Cycle, unit: Unit) -> dict[str, dict[str, int]]:
    """{child path: {registered, approved, non_public, previous_title}} from the subtree count
    table in one query, plus the unit's own path for registrations made at the unit itself (its
    subtree less its children's). A path is present when its subtree holds any registration,
    as in `live_counts`."""
    with connection.cursor() as cursor:
        cursor.execute(*count_rows(cycle, unit))
        found = {path: [int(number) for number in numbers] for path, *numbers in cursor}
    whole = found.pop(unit.path, None)
    if whole is not None:
        found[unit.path] = [
            total - sum(child[i] for child in found.values()) for i, total in enumerate(whole)
        ]
    # Rows moved down to 0 stay in the table; a subtree without registrations is absent.
    return {
        path: dict(zip(COUNTED, numbers[:4], strict=True))
        for path, numbers in found.items()
        if numbers[4]
    }


def live_counts(cycle: Cycle, unit: Unit) -> dict[str, dict[str, int]]:
    """`_counts` aggregated from the registrations themselves, the way it was done before the
    count table: the oracle the tests hold the table to. {child path: counts} in one query."""
    approved = Q(state__in=APPROVED_OR_LATER)
    # The profile's ownership; the collective's when the profile leaves it blank.
    non_public = Q(ownership__in=NON_PUBLIC_KINDS) | (
        Q(ownership="") & Q(collective__ownership__in=NON_PUBLIC_KINDS)
    )
    holds_title = Exists(
        Title.objects.filter(
            collective=OuterRef("collective_id"), status=TitleStatus.VALID, revoked_at__isnull=True
        )
    )
    previous_title = ~Q(prior_titles=[]) | Q(holds_title)
    rows = (
        Registration.objects.filter(cycle=cycle, **paths.subtree_filter("unit_path", unit.path))
        .annotate(child_path=Substr("unit_path", 1, len(unit.path) + paths.SEGMENT_WIDTH))
        .values("child_path")
        .annotate(
            registered=Count("id", filter=Q(state__in=REGISTERED)),
            approved=Count("id", filter=approved),
            non_public=Count("id", filter=approved & non_public),
            previous_title=Count("id", filter=approved & previous_title),
        )
        .order_by()
    )
    return {row.pop("child_path"): row for row in rows}


def _children(cycle: Cycle, unit: Unit, user):
    """The child units visible to the user, each with its own quota row (one query)."""
    quota = Quota.objects.filter(cycle=cycle, unit=OuterRef("pk"))
    return (
        Unit.objects.visible_to(user)
        .filter(parent=unit)
        .annotate(
            required=Subquery(
                quota.values("required_registrations")[:1], output_field=IntegerField()
            ),
            evaluation_quota=Subquery(
                quota.values("evaluation_quota")[:1], output_field=IntegerField()
            ),
            has_children=Exists(Unit.objects.filter(parent=OuterRef("pk"))),
        )
        .order_by("path")
    )


def _shortfalls(row: ProgressRow, multiplier: int, *, local: bool | None = None) -> list[Shortfall]:
    found = []
    if row.approved < row.required:
        found.append(
            Shortfall(
                RULE_REQUIRED,
                _("%(approved)d approved of the %(required)d required registrations.")
                % {"approved": row.approved, "required": row.required},
            )
        )
    if row.evaluation_quota and not row.ratio_ok:
        found.append(
            Shortfall(
                RULE_RATIO,
                _(
                    "%(approved)d creating collectives: below %(multiplier)d × the evaluation "
                    "quota of %(quota)d (%(target)d)."
                )
                % {
                    "approved": row.approved,
                    "multiplier": multiplier,
                    "quota": row.evaluation_quota,
                    "target": row.ratio_target,
                },
            )
        )
    # Seeds 000: "各地方团委审核通过的创建集体中，至少有1家是来自非公经济和社会组织" — local
    # (region-line) units only.
    if local is None:
        local = row.unit.line == Line.REGION and not row.direct
    if local and row.non_public < 1:
        found.append(
            Shortfall(
                RULE_NON_PUBLIC,
                _("No approved collective from the non-public economy or a social organisation."),
            )
        )
    return found


def _row(
    unit, counts: dict, *, direct=False, required=0, quota=0, multiplier=1, has_children=False
):
    row = ProgressRow(
        unit=unit,
        direct=direct,
        has_children=has_children,
        required=required or 0,
        evaluation_quota=quota or 0,
        ratio_target=multiplier * (quota or 0),
        **counts,
    )
    if not direct:
        row.shortfalls = _shortfalls(row, multiplier)
    return row


EMPTY = {"registered": 0, "approved": 0, "non_public": 0, "previous_title": 0}


def compute_progress(cycle: Cycle, unit: Unit, user) -> ProgressReport:
    """The progress table of `cycle` for the children of `unit` (each counting its subtree),
    plus a row for registrations made at `unit` itself when there are any."""
    counts = _counts(cycle, unit)
    multiplier = cycle.evaluation_quota_multiplier
    rows = [
        _row(
            child,
            counts.get(child.path, EMPTY),
            required=child.required,
            quota=child.evaluation_quota,
            multiplier=multiplier,
            has_children=child.has_children,
        )
        for child in _children(cycle, unit, user)
    ]
    if unit.path in counts:
        rows.insert(0, _row(unit, counts[unit.path], direct=True, multiplier=multiplier))
    totals = ProgressRow(unit=unit, direct=True)
    for name in ("required", "evaluation_quota", "registered", "approved", "non_public"):
        setattr(totals, name, sum(getattr(row, name) for row in rows))
    totals.previous_title = sum(row.previous_title for row in rows)
    totals.ratio_target = sum(row.ratio_target for row in rows)
    own = _own_allocation(cycle, unit)
    if own is not None:
        # The unit's own allocation (what its parent, or the organiser, gave it), measured the
        # way the parent measures this unit's row: the same verdict at both levels (API.md).
        totals.required, totals.evaluation_quota = own
        totals.ratio_target = multiplier * totals.evaluation_quota
        local = unit.line == Line.REGION
        totals.shortfalls = _shortfalls(totals, multiplier, local=local)
    return ProgressReport(cycle=cycle, unit=unit, rows=rows, totals=totals, own=own is not None)


def _own_allocation(cycle: Cycle, unit: Unit) -> tuple[int, int] | None:
    """(required, evaluation quota) the unit was given in the cycle; None for the organiser,
    (0, 0) for a participant given nothing (one query)."""
    if unit.pk == cycle.unit_id:
        return None
    row = (
        Quota.objects.filter(cycle=cycle, unit=unit)
        .values_list("required_registrations", "evaluation_quota")
        .first()
    )
    return row or (0, 0)
