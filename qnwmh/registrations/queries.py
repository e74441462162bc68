"""Read-side queries the pages and the API share (the review queue, 进度查询). Each starts from
`visible_to(user)` and loads what its rows show in a fixed number of queries, whatever the
number of rows."""

from django.db.models import Prefetch

from qnwmh.collectives import queries as collective_queries
from qnwmh.collectives.models import Collective
from qnwmh.core.paths import subtree_filter
from qnwmh.registrations import rules
from qnwmh.registrations.models import Registration, Transition

WITH_HISTORY = Prefetch("history", queryset=Transition.objects.select_related("actor"))


def review_rows(user, *, cycle=None, state=None, unit=None, q="", awaiting=False):
    """Registrations of the admin's subtree, filtered. `unit` narrows to that unit's subtree
    (the caller has checked it is visible); `awaiting` is rules.awaiting_action."""
    rows = Registration.objects.visible_to(user).select_related("cycle", "collective", "unit")
    if awaiting:
        rows = rows.filter(rules.awaiting_action(user))
    if state:
        rows = rows.filter(state=state)
    if cycle is not None:
        rows = rows.filter(cycle=cycle)
    if unit is not None:
        rows = rows.filter(**subtree_filter("unit_path", unit.path))
    matched = collective_queries.matching_ids(q)
    if matched is not None:
        rows = rows.filter(collective_id__in=matched)
    return rows


def progress_search(user, q: str = ""):
    """进度查询 (seeds 000 附件3 step 4; Q2 "the upper admin finds it by name"): collectives of
    the subtree whose code begins with q, or whose name or a former name contains q — each with its
    registrations (newest cycle first) and former names."""
    # The same indexed search as the collectives list (one UNION of ids, docs/performance.md
    # §2), so one set of indexes serves both.
    collectives = collective_queries.search(
        Collective.objects.visible_to(user).select_related("unit"), q
    )
    registrations = Registration.objects.select_related("cycle").order_by(
        "-cycle__registration_closes", "-id"
    )
    return collectives.prefetch_related(
        Prefetch("registrations", queryset=registrations), "former_names"
    ).order_by("unit_path", "code")
