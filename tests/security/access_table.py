"""The access matrix, written down once: for every page route (by URL name) and every API
operation (by method and path under /api/v1), who may use it on which object.

A *rule* answers "allowed?" for a persona and the relation between the persona and the object:

    relation     the object belongs to…
    ---------    -------------------------------------------------------------------------
    own          the persona's own unit (for the collective persona: the collective itself,
                 its own registration, its own session, a job it started)
    peer         (collective persona only) another collective of the same unit
    parent       the unit above the persona's
    child        a unit below the persona's
    sibling      another unit under the same parent
    other        a unit of another province (or, for the industry line, of a province)
    any          (judge, anonymous) an object of a county unit
    none         the route takes no object

test_access_matrix.py checks every entry for every persona and relation: allowed GET → 2xx/3xx
(not to the login page); refused → 403/404 (anonymous: the login page or 401); a POST, PUT,
PATCH or DELETE is sent only where it must be refused, and must then change nothing. Writes
that are allowed are exercised by each app's own tests. A route or operation missing here fails
test_every_route_has_an_entry / test_every_api_operation_has_an_entry.
"""

from dataclasses import dataclass, field

# --- rules -----------------------------------------------------------------------------------


def _role(role):
    def holds(p) -> bool:
        return p.kind == "admin" and p.role == role

    return holds


# 三权分立: "admin" rules are the business administrator's (the domain work); units and admin
# accounts the system administrator's; lockouts, two-factor resets, sessions and login history
# of others the security administrator's; the audit log the audit administrator's.
_admin = _role("BUSINESS")
_system = _role("SYSTEM")
_security = _role("SECURITY")
_audit = _role("AUDIT")
ROLES = ("BUSINESS", "SYSTEM", "SECURITY", "AUDIT")


def _organiser(p) -> bool:
    """A unit that awards a level runs cycles of it: the national committee and the region
    units (province, city, county); an industry unit none (cycles/enums.organiser_level)."""
    return _admin(p) and (p.tier == 0 or p.line == "REGION")


RULES = {
    # Anyone, logged in or not.
    "public": lambda p, r: True,
    # Nobody: the URL exists only as a mount point (404 for all).
    "nobody": lambda p, r: False,
    "authenticated": lambda p, r: p.kind != "anonymous",
    "admin": lambda p, r: _admin(p),
    # The national committee and the region units: they organise cycles of their level.
    "organiser": lambda p, r: _organiser(p),
    "collective": lambda p, r: p.kind == "collective",
    # An admin on its own unit and everything below it (scope at the bottom).
    "admin_subtree": lambda p, r: _admin(p) and r in ("own", "child"),
    "organiser_subtree": lambda p, r: _organiser(p) and r in ("own", "child"),
    # Cycles: an admin takes part in cycles run by its unit, above it or below it.
    "admin_lineage": lambda p, r: _admin(p) and r in ("own", "parent", "child"),
    # The collective itself, or an admin over it.
    "self_or_admin_subtree": lambda p, r: (
        (p.kind == "collective" and r == "own") or (_admin(p) and r in ("own", "child"))
    ),
    # A collective registers in cycles run by its jurisdiction or a unit above it.
    "collective_lineage": lambda p, r: p.kind == "collective" and r in ("own", "parent"),
    # Only the holder (one's own sessions).
    "holder": lambda p, r: p.kind != "anonymous" and r == "own",
    # The separated administrator roles, each on its own unit and below.
    "system": lambda p, r: _system(p),
    "system_subtree": lambda p, r: _system(p) and r in ("own", "child"),
    "security": lambda p, r: _security(p),
    "security_subtree": lambda p, r: _security(p) and r in ("own", "child"),
    # The security policy: one for the country, changed by the national committee's one.
    "national_security": lambda p, r: _security(p) and p.tier == 0,
    "audit": lambda p, r: _audit(p),
    # 委托审核: a tier-1 unit's admin in a cycle its unit takes part in.
    "tier1_lineage": lambda p, r: _admin(p) and p.tier == 1 and r in ("own", "parent"),
}


@dataclass(frozen=True)
class Entry:
    """rule: who may GET it (or, for a POST-only route, who may POST it).
    obj: the kind of object named in the URL (see scene.Target), None for none.
    write: the rule a POST to the page must meet (None: the page takes no POST).
    post_only: GET answers 405 (or 404/login before that); only POST is checked.
    body: name of the request body builder in scene.BODIES for the write.
    query: query string of the GET.
    refused_writes: statuses a refused write may have besides 403/404 (a unit outside the
    subtree is not a choice of the form: 400).
    """

    rule: str
    obj: str | None = None
    write: str | None = None
    post_only: bool = False
    body: str | None = None
    query: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)
    refused_writes: tuple = ()
    public_status: int | None = None


def post(rule, obj=None, body=None, **kwargs) -> Entry:
    return Entry(rule, obj, write=rule, post_only=True, body=body, **kwargs)


PAGES: dict[str, Entry] = {
    "healthz": Entry("public"),
    "web:home": Entry("authenticated"),
    # accounts: one's own login, password, two-factor login and sessions
    "accounts:login": Entry("public"),
    "accounts:login_code": Entry("public"),
    "accounts:logout": post("public"),
    "accounts:password_change": Entry("authenticated", write="authenticated", body="password"),
    "accounts:history": Entry("authenticated"),
    "accounts:two_factor": Entry("authenticated"),
    "accounts:two_factor_setup": post("authenticated"),
    "accounts:two_factor_confirm": post("authenticated", body="otp"),
    "accounts:recovery_codes": post("authenticated", body="otp"),
    "accounts:two_factor_disable": post("authenticated", body="otp"),
    "accounts:sessions": Entry("authenticated"),
    "accounts:session_end": post("holder", "session"),
    "accounts:sessions_end_others": post("authenticated"),
    "accounts:logout_everywhere": post("authenticated"),
    # accounts: the security administrator above acts on another account's security, the
    # system administrator above on its life
    "accounts:security_accounts": Entry("security"),
    # Every security administrator reads the policy; only the national one changes it (the
    # Hunan persona's POST is refused with 403 and changes nothing).
    "accounts:security_policy": Entry("security", write="national_security", body="policy"),
    "accounts:account_sessions_end": post("security_subtree", "account"),
    "accounts:account_security": Entry("security_subtree", "account"),
    "accounts:two_factor_reset": post("security_subtree", "account"),
    "accounts:account_disable": post("system_subtree", "account"),
    "accounts:account_enable": post("system_subtree", "account"),
    # units: the system administrator's; one account's login history and unlock the security
    # administrator's
    "units:index": Entry("system"),
    "units:detail": Entry("system_subtree", "unit"),
    "units:create_child": post("system_subtree", "unit", body="child_unit"),
    "units:create_admin": post("system_subtree", "unit", body="unit_admin"),
    "units:account": Entry("security_subtree", "account"),
    # The unit picker of the domain forms (units/picker.py): the business administrator's.
    "units:pick": Entry("admin", query={"unit_name": "常德"}),
    "units:reset_password": post("system_subtree", "account"),
    "units:unlock": post("security_subtree", "account"),
    # audit: the audit administrator's; jobs
    "audit:list": Entry("audit"),
    "jobs:detail": Entry("self_or_admin_subtree", "job"),
    "jobs:download": Entry("self_or_admin_subtree", "job"),
    # Restarting a failed job: its starter only (jobs/recovery.py); anyone else finds nothing.
    "jobs:restart": post("holder", "job"),
    # cycles
    "cycles:list": Entry("admin"),
    "cycles:create": Entry(
        "organiser",
        "unit",
        write="organiser_subtree",
        body="cycle_form",
        refused_writes=(400,),
    ),
    "cycles:detail": Entry("admin_lineage", "cycle"),
    "cycles:edit": Entry(
        "organiser_subtree", "cycle", write="organiser_subtree", body="cycle_form"
    ),
    # A unit's split in a cycle it takes part in (its own by default), or the organiser's when
    # the admin is above the organiser.
    "cycles:quotas": Entry("admin_lineage", "cycle", write="admin_lineage", body="quota_form"),
    "cycles:delegations": Entry("tier1_lineage", "cycle", write="nobody", body="delegation_form"),
    "reporting:progress": Entry("admin_lineage", "cycle"),
    # The export buttons: a job over the admin's own unit in a cycle it takes part in.
    "reporting:export": post("admin_lineage", "cycle", body="page_export"),
    # collectives
    "collectives:list": Entry("admin"),
    "collectives:create": Entry(
        "admin", "unit", write="admin_subtree", body="collective_form", refused_writes=(400,)
    ),
    "collectives:candidates": Entry("admin", query={"name": "测试集体"}),
    "collectives:import": Entry("admin", write="admin", body="import_file"),
    "collectives:import_template": Entry("admin"),
    "collectives:transfer_requests": Entry("admin", write="admin", body="transfer_request"),
    "collectives:transfer_request_accept": post("admin_subtree", "transfer_request"),
    "collectives:transfer_request_decline": post(
        "admin_subtree", "transfer_request", body="decline"
    ),
    "collectives:detail": Entry("admin_subtree", "collective"),
    "collectives:rename": post("admin_subtree", "collective", body="rename"),
    "collectives:update_details": post("admin_subtree", "collective", body="details"),
    "collectives:transfer": post("admin_subtree", "collective", body="transfer"),
    "collectives:unfreeze": post("admin_subtree", "frozen", body="unfreeze"),
    "collectives:reset_password": post("admin_subtree", "collective"),
    "collectives:unlock": post("admin_subtree", "collective"),
    "collectives:delete": post("admin_subtree", "frozen"),
    # registrations: the collective
    "registrations:mine": Entry("collective"),
    "registrations:edit": Entry(
        "collective_lineage", "cycle", write="collective_lineage", body="registration_form"
    ),
    "registrations:eligibility": post("collective_lineage", "cycle", body="registration_form"),
    "registrations:confirm_submit": Entry(
        "collective_lineage", "cycle", write="collective_lineage"
    ),
    # registrations: the reviewers
    "registrations:queue": Entry("admin"),
    "registrations:bulk_pre_approve": post("admin", "registration", body="bulk"),
    "registrations:progress": Entry("admin"),
    "registrations:export": Entry(
        "admin", "unit", write="admin_subtree", body="export", refused_writes=(400,)
    ),
    "registrations:detail": Entry("self_or_admin_subtree", "registration"),
    "registrations:act": post(
        "admin_subtree", "registration", body="reason", kwargs={"slug": "return"}
    ),
    # notifications: everyone's own inbox; another's notification is not found
    "notifications:list": Entry("authenticated"),
    "notifications:read": post("holder", "notification"),
    "notifications:read_all": post("authenticated"),
    "notifications:email": post("authenticated", body="email"),
    # API v1: the document and its viewer are public; the mount point itself is nothing.
    "api-v1:openapi-json": Entry("public"),
    "api-v1:openapi-view": Entry("public"),
    "api-v1:api-root": Entry("nobody", public_status=404),
}


API: dict[str, Entry] = {
    "POST /auth/token": Entry("public"),
    "POST /auth/password": Entry("authenticated", body="api_password"),
    "POST /auth/otp/setup": Entry("authenticated"),
    "POST /auth/otp/confirm": Entry("authenticated", body="api_otp"),
    "GET /units": Entry("system"),
    "POST /units": Entry("system_subtree", "unit", body="api_child_unit"),
    "GET /units/{unit_id}": Entry("system_subtree", "unit"),
    "POST /units/{unit_id}/admins": Entry("system_subtree", "unit", body="api_unit_admin"),
    "GET /cycles": Entry("admin"),
    # A unit named in the body and outside the subtree is 400 on field "unit", the same answer
    # as for a unit that does not exist (cycles/domain.py resolve_references).
    "POST /cycles": Entry("organiser_subtree", "unit", body="api_cycle", refused_writes=(400,)),
    "GET /cycles/{cycle_id}": Entry("admin_lineage", "cycle"),
    "PUT /cycles/{cycle_id}": Entry(
        "organiser_subtree", "cycle", body="api_cycle", refused_writes=(400,)
    ),
    "GET /cycles/{cycle_id}/quotas": Entry("admin_lineage", "cycle"),
    "PUT /cycles/{cycle_id}/quotas": Entry("admin_lineage", "cycle", body="api_quotas"),
    "GET /cycles/{cycle_id}/progress": Entry("admin_lineage", "cycle"),
    # 委托审核: listed to any admin taking part; granted and withdrawn by a tier-1 unit above
    # the named unit (the body names the cycle's own unit, which is never delegable to).
    "GET /cycles/{cycle_id}/delegations": Entry("admin_lineage", "cycle"),
    "POST /cycles/{cycle_id}/delegations": Entry("nobody", "cycle", body="api_delegation"),
    "DELETE /cycles/{cycle_id}/delegations": Entry("nobody", "cycle", body="api_delegation"),
    "POST /collectives": Entry("admin_subtree", "unit", body="api_collective"),
    "GET /collectives": Entry("admin"),
    # Near-duplicates are searched country-wide on purpose, but outside the caller's subtree
    # without their codes (collectives/duplicates.py, issue 10 item 10); only admins search.
    "GET /collectives/candidates": Entry("admin", query={"name": "测试集体"}),
    "GET /collectives/transfer-requests": Entry("admin"),
    # The seed's tables as a job, by the admin of the unit; a job only for who started it.
    "POST /exports": Entry("admin_subtree", "unit", body="api_export"),
    "GET /jobs/{job_id}": Entry("holder", "own_job"),
    "GET /jobs/{job_id}/download": Entry("holder", "own_job"),
    "POST /collectives/transfer-requests": Entry(
        "admin_subtree", "unit", body="api_transfer_request"
    ),
    "POST /collectives/transfer-requests/{request_id}/accept": Entry(
        "admin_subtree", "transfer_request"
    ),
    "POST /collectives/transfer-requests/{request_id}/decline": Entry(
        "admin_subtree", "transfer_request", body="api_decline"
    ),
    "GET /collectives/{code}": Entry("self_or_admin_subtree", "collective"),
    "PATCH /collectives/{code}": Entry("admin_subtree", "collective", body="api_patch"),
    "DELETE /collectives/{code}": Entry("admin_subtree", "frozen"),
    "POST /collectives/{code}/password-reset": Entry("admin_subtree", "collective"),
    "POST /collectives/{code}/unfreeze": Entry("admin_subtree", "frozen", body="api_unfreeze"),
    "POST /collectives/{code}/transfer": Entry("admin_subtree", "collective", body="transfer"),
    "GET /me/registrations": Entry("collective"),
    "GET /me/registrations/{cycle_id}": Entry("collective_lineage", "cycle"),
    "PUT /me/registrations/{cycle_id}": Entry("collective_lineage", "cycle", body="api_draft"),
    "POST /me/registrations/{cycle_id}/submit": Entry("collective_lineage", "cycle"),
    "GET /registrations": Entry("admin"),
    "GET /registrations/{registration_id}": Entry("self_or_admin_subtree", "registration"),
    # Any admin may call it; ids outside the subtree come back not_found, nothing changes
    # (test_bulk_pre_approve_outside_the_subtree_changes_nothing).
    "POST /registrations/bulk-pre-approve": Entry("admin", "registration", body="api_bulk"),
    "POST /registrations/{registration_id}/pre-approve": Entry("admin_subtree", "registration"),
    "POST /registrations/{registration_id}/approve": Entry("admin_subtree", "registration"),
    "POST /registrations/{registration_id}/return": Entry(
        "admin_subtree", "registration", body="api_reason"
    ),
    "POST /registrations/{registration_id}/cancel": Entry(
        "admin_subtree", "registration", body="api_reason"
    ),
    "GET /progress": Entry("admin"),
    "GET /me/notifications": Entry("authenticated"),
    "POST /me/notifications/{notification_id}/read": Entry("holder", "notification"),
    "POST /me/notifications/read-all": Entry("authenticated"),
}
