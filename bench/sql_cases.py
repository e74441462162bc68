"""The list, search and dashboard requests whose SQL is compared, each with the best
hand-written SQL returning the same rows (same filter, same order, same page), written against
the schema as it is — no index the app does not have."""

from dataclasses import dataclass, field

from qnwmh.collectives.enums import NON_PUBLIC_KINDS
from qnwmh.core import paths
from qnwmh.registrations.enums import APPROVED_OR_LATER, REGISTERED, UNDER_REVIEW

PAGE = 20


@dataclass
class Case:
    name: str
    url: str
    api: bool
    user: object
    # (sql, params) run in order; a callable param receives the rows of the query before.
    hand: list = field(default_factory=list)


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# Pages count up to COUNT_CAP (qnwmh/core/pagination.py); the API's count stays exact.
COUNT_CAP = 10_000
COLLECTIVE_COUNT = (
    "SELECT count(*) FROM collectives_collective WHERE unit_path >= %s AND unit_path < %s"
)
COLLECTIVE_CAPPED_COUNT = f"""SELECT count(*) FROM (SELECT 1 FROM collectives_collective
WHERE unit_path >= %s AND unit_path < %s LIMIT {COUNT_CAP + 1}) capped"""
COLLECTIVE_PAGE = f"""
SELECT c.id, c.code, c.name, c.line, c.ownership, c.data_ok, c.frozen_reasons, c.unit_id, u.name
FROM collectives_collective c
JOIN units_unit u ON u.id = c.unit_id
WHERE c.unit_path >= %s AND c.unit_path < %s
ORDER BY c.code LIMIT {PAGE}"""


def capped(matched_count_sql: str) -> str:
    """`… SELECT count(*) FROM matched` counting at most COUNT_CAP + 1 rows."""
    return matched_count_sql.replace(
        "SELECT count(*) FROM matched",
        f"SELECT count(*) FROM (SELECT 1 FROM matched LIMIT {COUNT_CAP + 1}) capped",
    )


FORMER = """SELECT collective_id, name FROM collectives_formername
WHERE collective_id = ANY(%s) ORDER BY replaced_at DESC"""
TITLES = """SELECT collective_id, level, year, name, revoked_at FROM collectives_title
WHERE collective_id = ANY(%s) ORDER BY year DESC"""


def _ids(rows) -> list[int]:
    return [row[0] for row in rows]


def collective_list(name, url, user, api=False) -> Case:
    low, high = paths.subtree_range(user.unit.path)
    return Case(
        name,
        url,
        api,
        user,
        [
            (COLLECTIVE_COUNT if api else COLLECTIVE_CAPPED_COUNT, [low, high]),
            (COLLECTIVE_PAGE, [low, high]),
            (FORMER, [_ids]),
            (TITLES, [_ids]),
        ],
    )


MATCHES = """
WITH matched AS (
  SELECT id FROM collectives_collective
  WHERE name_key LIKE %s AND unit_path >= %s AND unit_path < %s
  UNION
  SELECT f.collective_id FROM collectives_formername f
  JOIN collectives_collective c ON c.id = f.collective_id
  WHERE f.name_key LIKE %s AND c.unit_path >= %s AND c.unit_path < %s
)"""


def collective_search(name, url, user, key: str) -> Case:
    low, high = paths.subtree_range(user.unit.path)
    params = [f"%{key}%", low, high, f"%{key}%", low, high]
    page = (
        MATCHES
        + f"""
SELECT c.id, c.code, c.name, c.line, c.ownership, c.data_ok, c.frozen_reasons, c.unit_id, u.name
FROM matched m JOIN collectives_collective c ON c.id = m.id
JOIN units_unit u ON u.id = c.unit_id
ORDER BY c.code LIMIT {PAGE}"""
    )
    return Case(
        name,
        url,
        False,
        user,
        [
            (capped(MATCHES + " SELECT count(*) FROM matched"), params),
            (page, params),
            (FORMER, [_ids]),
            (TITLES, [_ids]),
        ],
    )


def review_queue(name, url, user) -> Case:
    """A tier-1 admin's queue: everything under review in the subtree, oldest first."""
    low, high = paths.subtree_range(user.unit.path)
    where = f"r.unit_path >= %s AND r.unit_path < %s AND r.state IN {_in(UNDER_REVIEW)}"
    page = f"""
SELECT r.id, r.state, r.submitted_at, r.unit_path, r.collective_id, c.code, c.name,
       c.user_id, cy.id, cy.name, cy.approval_delegated, u.id, u.name, u.tier
FROM registrations_registration r
JOIN collectives_collective c ON c.id = r.collective_id
JOIN cycles_cycle cy ON cy.id = r.cycle_id
JOIN units_unit u ON u.id = r.unit_id
WHERE {where} ORDER BY r.submitted_at, r.id LIMIT {PAGE}"""
    count = f"""SELECT count(*) FROM (SELECT 1 FROM registrations_registration r WHERE {where}
LIMIT {COUNT_CAP + 1}) capped"""
    return Case(name, url, False, user, [(count, [low, high]), (page, [low, high])])


def registration_api(name, url, user, cycle_id: int) -> Case:
    low, high = paths.subtree_range(user.unit.path)
    where = "r.cycle_id = %s AND r.unit_path >= %s AND r.unit_path < %s"
    page = f"""
SELECT r.*, c.code, c.name, cy.name, u.name
FROM registrations_registration r
JOIN collectives_collective c ON c.id = r.collective_id
JOIN cycles_cycle cy ON cy.id = r.cycle_id
JOIN units_unit u ON u.id = r.unit_id
WHERE {where} ORDER BY r.unit_path, c.code, r.id LIMIT {PAGE}"""
    history = """
SELECT t.registration_id, t.at, t.from_state, t.to_state, t.reason, a.username, a.display_name
FROM registrations_transition t LEFT JOIN accounts_user a ON a.id = t.actor_id
WHERE t.registration_id = ANY(%s) ORDER BY t.at, t.id"""
    params = [cycle_id, low, high]
    # The API's count is exact (API.md: `{"count", "results"}`), as in collective_list.
    count = f"SELECT count(*) FROM registrations_registration r WHERE {where}"
    return Case(name, url, True, user, [(count, params), (page, params), (history, [_ids])])


def progress_search(name, url, user, q: str) -> Case:
    """进度查询: the collectives search (a name or former name containing the key; `q` is a
    place name, so no code prefix), unit and code order."""
    from qnwmh.collectives.names import name_key

    low, high = paths.subtree_range(user.unit.path)
    like = f"%{name_key(q)}%"
    matched = MATCHES
    params = [like, low, high, like, low, high]
    page = (
        matched
        + f"""
SELECT c.id, c.code, c.name, c.unit_id, u.name FROM matched m
JOIN collectives_collective c ON c.id = m.id JOIN units_unit u ON u.id = c.unit_id
ORDER BY c.unit_path, c.code LIMIT {PAGE}"""
    )
    registrations = """
SELECT r.collective_id, r.id, r.cycle_id, cy.name, r.state FROM registrations_registration r
JOIN cycles_cycle cy ON cy.id = r.cycle_id
WHERE r.collective_id = ANY(%s) ORDER BY cy.registration_closes DESC, r.id DESC"""
    return Case(
        name,
        url,
        False,
        user,
        [
            (capped(matched + " SELECT count(*) FROM matched"), params),
            (page, params),
            (registrations, [_ids]),
            (FORMER, [_ids]),
        ],
    )


def live_counts_sql(unit_path: str, cycle_id: int) -> tuple[str, list]:
    """The live GROUP BY of the progress dashboard: per child of the unit, over its subtree."""
    low, high = paths.subtree_range(unit_path)
    approved = f"r.state IN {_in(APPROVED_OR_LATER)}"
    non_public = (
        f"(r.ownership IN {_in(NON_PUBLIC_KINDS)} "
        f"OR (r.ownership = '' AND c.ownership IN {_in(NON_PUBLIC_KINDS)}))"
    )
    title = (
        "(r.prior_titles <> '[]'::jsonb OR EXISTS (SELECT 1 FROM collectives_title t "
        "WHERE t.collective_id = r.collective_id AND t.revoked_at IS NULL))"
    )
    sql = f"""
SELECT substr(r.unit_path, 1, %s) AS child,
       count(*) FILTER (WHERE r.state IN {_in(REGISTERED)}),
       count(*) FILTER (WHERE {approved}),
       count(*) FILTER (WHERE {approved} AND {non_public}),
       count(*) FILTER (WHERE {approved} AND {title})
FROM registrations_registration r JOIN collectives_collective c ON c.id = r.collective_id
WHERE r.cycle_id = %s AND r.unit_path >= %s AND r.unit_path < %s
GROUP BY 1"""
    return sql, [len(unit_path) + paths.SEGMENT_WIDTH, cycle_id, low, high]


# The dashboard's counts from the registrations' subtree count table: the unit's row and its
# children's, in one index range (docs/performance.md §1).
TABLE_COUNTS = f"""
SELECT unit_path,
       sum(n) FILTER (WHERE state IN {_in(REGISTERED)}),
       sum(n) FILTER (WHERE state IN {_in(APPROVED_OR_LATER)}),
       sum(n) FILTER (WHERE state IN {_in(APPROVED_OR_LATER)} AND non_public),
       sum(n) FILTER (WHERE state IN {_in(APPROVED_OR_LATER)} AND previous_title),
       sum(n)
FROM registrations_registrationcount
WHERE cycle_id = %s AND ((depth = %s AND unit_path >= %s AND unit_path < %s)
                         OR (depth = %s AND unit_path = %s))
GROUP BY unit_path"""


def table_counts_sql(unit_path: str, cycle_id: int) -> tuple[str, list]:
    depth = paths.depth(unit_path)
    low, high = paths.subtree_range(unit_path)
    return TABLE_COUNTS, [cycle_id, depth + 1, low, high, depth, unit_path]


def dashboard(name, url, user, unit, cycle_id: int) -> Case:
    counts, params = table_counts_sql(unit.path, cycle_id)
    children = """
SELECT u.id, u.name, u.path, u.line, q.required_registrations, q.evaluation_quota,
       EXISTS (SELECT 1 FROM units_unit k WHERE k.parent_id = u.id)
FROM units_unit u LEFT JOIN cycles_quota q ON q.unit_id = u.id AND q.cycle_id = %s
WHERE u.parent_id = %s ORDER BY u.path"""
    return Case(name, url, False, user, [(counts, params), (children, [cycle_id, unit.pk])])
