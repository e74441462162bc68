"""The access matrix (access_table.py) against the running URL configuration and the served
OpenAPI document: every route and every API operation × every persona × every relation
(own / parent / child / sibling / other province …). GETs for all; writes only where they must
be refused, and then nothing may change. A route or operation without an entry fails."""

import json
import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tests.security.access_table import API, PAGES, ROLES, RULES
from tests.security.scene import (
    BODIES,
    PERSONAS,
    RELATIONS,
    Persona,
    Scene,
    audit_count,
    fingerprint,
)

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            space = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name or f"<unnamed {prefix}{pattern.pattern}>", prefix + str(pattern.pattern)


def _routes() -> list[tuple[str, str]]:
    return list(_walk(get_resolver().url_patterns))


def _openapi() -> dict:
    return Client().get("/api/v1/openapi.json").json()


def _operations(document: dict) -> set[str]:
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in document["paths"].items()
        for method in operations
    }


def _api_path(route: str) -> str:
    return "/" + _PARAM.sub(r"{\1}", route.removeprefix(API_PREFIX))


def _page_routes(document: dict) -> dict[str, str]:
    """Every route that is not an operation of the API document."""
    paths = {path.removeprefix("/api/v1") for path in document["paths"]}
    return {
        name: route
        for name, route in _routes()
        if not (route.startswith(API_PREFIX) and _api_path(route) in paths)
    }


# --- the table covers everything, and nothing that is gone ------------------------------------


def test_every_route_has_an_entry(db):
    routes = _page_routes(_openapi())
    assert sorted(set(routes) - set(PAGES)) == [], "add these routes to access_table.PAGES"
    assert sorted(set(PAGES) - set(routes)) == [], "these PAGES entries name no route"


def test_every_api_operation_has_an_entry(db):
    operations = _operations(_openapi())
    assert sorted(operations - set(API)) == [], "add these operations to access_table.API"
    assert sorted(set(API) - operations) == [], "these API entries name no operation"


def test_every_api_url_is_a_documented_operation(db):
    """An operation left out of the document (include_in_schema=False) would escape the fuzzer
    and the matrix: every URL under /api/v1/ is either in the document or a PAGES entry."""
    paths = {path.removeprefix("/api/v1") for path in _openapi()["paths"]}
    hidden = [
        name
        for name, route in _routes()
        if route.startswith(API_PREFIX) and _api_path(route) not in paths and name not in PAGES
    ]
    assert hidden == []


def test_every_entry_names_a_known_rule_and_body():
    for key, entry in {**PAGES, **API}.items():
        assert entry.rule in RULES, key
        assert entry.write is None or entry.write in RULES, key
        assert entry.body is None or entry.body in BODIES, key


# --- 三权分立: every privileged route and operation belongs to exactly one role -------------------

_ALL_RELATIONS = sorted({r for relations in RELATIONS.values() for r in relations} | {"none"})


def _roles_allowed(rule: str) -> set[str]:
    """The administrator roles the rule lets in anywhere (any tier, any relation)."""
    check = RULES[rule]
    return {
        role
        for role in ROLES
        for tier in range(4)
        for relation in _ALL_RELATIONS
        if check(Persona("p", "admin", tier, None, role), relation)
    }


def _open_to_everyone(rule: str) -> bool:
    """Anyone's own pages (login, own password, own sessions): a judge gets in too."""
    return any(RULES[rule](Persona("j", "judge", 9, None), r) for r in _ALL_RELATIONS)


def test_every_privileged_route_and_operation_belongs_to_exactly_one_role():
    """An entry that lets an administrator in, and is not open to every account, is allowed
    for exactly one of the four roles (and refused for the other three: the matrix tries the
    Hunan persona of each role against it)."""
    wrong = {}
    for key, entry in {**PAGES, **API}.items():
        for rule in {entry.rule, entry.write or entry.rule}:
            roles = _roles_allowed(rule)
            if _open_to_everyone(rule):
                expected = set(ROLES)
            else:
                expected = roles if len(roles) == 1 else {"exactly one role"}
            if roles and roles != expected:
                wrong[key] = sorted(roles)
    assert wrong == {}


def test_the_matrix_tries_every_role(world):
    roles = {world.users[key].admin_role for key in PERSONAS if key in world.users}
    assert roles == {*ROLES, ""}  # "" is the judge


# --- checking one route ------------------------------------------------------------------------


def _to_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith("/accounts/login/")


class Matrix:
    """Runs one entry for every persona and relation and collects what went wrong."""

    def __init__(self, scene: Scene, entry, params: list[str]):
        self.scene, self.entry, self.params = scene, entry, params
        self.failures: list[str] = []

    def cases(self, rule: str, *, with_objects: bool):
        """(persona key, persona, relation, target, allowed) for every combination."""
        for key in PERSONAS:
            persona = self.scene.personas[key]
            kind = self.entry.obj if with_objects else None
            for relation in self.scene.relations(key, kind):
                target = self.scene.target(key, relation)
                yield key, persona, relation, target, RULES[rule](persona, relation)

    def fail(self, key, relation, method, url, response, expected):
        self.failures.append(
            f"{key}/{relation}: {method} {url} → {response.status_code}, expected {expected}"
        )


def _page_url(name: str, entry, params: list[str], target) -> str:
    kwargs = dict(entry.kwargs)
    for param in params:
        kwargs.setdefault(param, target.ident(entry.obj))
    return reverse(name, kwargs=kwargs)


def _page_get_ok(entry, response, allowed: bool, anonymous: bool) -> bool:
    status = response.status_code
    if entry.public_status is not None:
        return status == entry.public_status
    if entry.post_only:
        return status in (403, 404, 405) or (anonymous and _to_login(response))
    if allowed:
        return 200 <= status < 400 and (entry.rule == "public" or not _to_login(response))
    return status in (403, 404) or (anonymous and _to_login(response))


def _refused_ok(entry, response, anonymous: bool, *, api: bool) -> bool:
    status = response.status_code
    if anonymous:
        return status == 401 if api else (_to_login(response) or status in (403, 404))
    return status in (403, 404, *entry.refused_writes)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_access(name, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = PAGES[name]
    params = [p for p in _PARAM.findall(dict(_routes())[name]) if p not in entry.kwargs]
    scene = Scene(world)
    matrix = Matrix(scene, entry, params)
    clients = {key: scene.page_client(key) for key in PERSONAS}
    gets = [
        (key, relation, _page_url(name, entry, params, target), allowed)
        for key, _p, relation, target, allowed in matrix.cases(entry.rule, with_objects=params)
    ]
    writes = []
    if entry.write:
        for key, _p, relation, target, allowed in matrix.cases(entry.write, with_objects=True):
            if not allowed:
                url = _page_url(name, entry, params, target)
                body = BODIES[entry.body](target) if entry.body else {}
                writes.append((key, relation, url, body))
    before = fingerprint()
    for key, relation, url, allowed in gets:
        response = clients[key].get(url, entry.query)
        if not _page_get_ok(entry, response, allowed, key == "anonymous"):
            matrix.fail(key, relation, "GET", url, response, "allowed" if allowed else "refused")
    assert fingerprint() == before, "a GET changed stored data"
    for key, relation, url, body in writes:
        count = audit_count()
        response = clients[key].post(url, body)
        if not _refused_ok(entry, response, key == "anonymous", api=False):
            matrix.fail(key, relation, "POST", url, response, "refused")
        if audit_count() != count:
            matrix.failures.append(f"{key}/{relation}: POST {url} wrote to the audit log")
    assert not matrix.failures, "\n".join(matrix.failures)
    assert fingerprint() == before, "a refused write changed stored data"


REFUSAL_CODES = ("not_found", "forbidden", "not_authenticated", "invalid:unit")


def _refusal_code(response) -> str:
    """The error code; a 400 counts as a refusal only when it names the out-of-scope unit."""
    error = response.json()["error"]
    if response.status_code == 400:
        return f"{error['code']}:{','.join(error['fields'])}"
    return error["code"]


def _api_call(client, method: str, url: str, headers: dict, body=None, query=None):
    if method == "GET":
        return client.get(url, query or {}, headers=headers)
    content = json.dumps(body if body is not None else {})
    call = getattr(client, method.lower())
    return call(url, content, content_type="application/json", headers=headers)


@pytest.mark.parametrize("operation", sorted(API))
def test_api_access(operation, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = API[operation]
    method, path = operation.split(" ", 1)
    params = re.findall(r"{(\w+)}", path)
    scene = Scene(world)
    matrix = Matrix(scene, entry, params)
    client = Client()
    headers = {key: scene.api_headers(key) for key in PERSONAS}
    calls = []
    with_objects = bool(params) or method != "GET"
    for key, _p, relation, target, allowed in matrix.cases(entry.rule, with_objects=with_objects):
        if method != "GET" and allowed:
            continue  # allowed writes are the apps' own tests
        url = "/api/v1" + path
        for param in params:
            url = url.replace("{" + param + "}", str(target.ident(entry.obj)))
        body = BODIES[entry.body](target) if entry.body else None
        calls.append((key, relation, url, body, allowed))
    before = fingerprint()
    for key, relation, url, body, allowed in calls:
        count = audit_count()
        response = _api_call(client, method, url, headers[key], body, entry.query)
        if allowed:
            if response.status_code != 200:
                matrix.fail(key, relation, method, url, response, 200)
        elif not _refused_ok(entry, response, key == "anonymous", api=True):
            matrix.fail(key, relation, method, url, response, "refused")
        elif _refusal_code(response) not in REFUSAL_CODES:
            matrix.fail(key, relation, method, url, response, "a refusal code")
        if method != "GET" and audit_count() != count:
            matrix.failures.append(f"{key}/{relation}: {method} {url} wrote to the audit log")
    assert not matrix.failures, "\n".join(matrix.failures)
    assert fingerprint() == before, "a GET or a refused write changed stored data"


# --- what the table cannot say in one line --------------------------------------------------


def test_bulk_pre_approve_outside_the_subtree_changes_nothing(world, login_as, api_client):
    """Any admin may call bulk pre-approval, but ids outside its subtree come back not_found."""
    scene = Scene(world)
    outside = [scene.target("changde", r).registration for r in ("sibling", "other", "parent")]
    ids = [r.pk for r in outside]
    before = fingerprint()
    body = api_client.as_user(world.users["changde"]).post(
        "/registrations/bulk-pre-approve", {"ids": ids}
    )
    assert body.status_code == 200
    assert [(r["id"], r["ok"], r["code"]) for r in body.json()["results"]] == [
        (pk, False, "not_found") for pk in ids
    ]
    page = login_as(world.users["changde"]).post(
        "/registrations/bulk-pre-approve/", {"ids": ids, "confirm": "yes"}
    )
    assert page.status_code == 200
    assert fingerprint() == before
