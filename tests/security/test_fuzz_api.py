"""API fuzzing: schemathesis generates requests from the served /api/v1/openapi.json — valid
ones (positive) and invalid ones (negative) — for every operation, and each is sent with the
bearer token of a tier-1 admin, a county admin and a collective. Every answer must be no 5xx,
a documented status with a body matching the document, and an invalid request must be refused
(4xx). Path parameters are drawn at random and also taken from real rows, so handlers are
reached past their 404. Budget: a few examples per operation in `make test`, FUZZ_EXAMPLES
(500 unless set) in `make fuzz` (budget.py).

No auth bypass: test_every_secured_operation_refuses_missing_bad_and_dead_tokens."""

import datetime
import json

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qnwmh.accounts.domain import issue_api_token
from qnwmh.accounts.models import ApiToken
from tests.security.access_table import API
from tests.security.budget import examples
from tests.security.scene import Scene

pytestmark = pytest.mark.django_db

FUZZED_PERSONAS = ("hunan", "wuling", "collective")
MODES = ("positive", "negative")


_SCHEMA = []


def _load_schema():
    """The schema as the application serves it, through its WSGI entry point; loaded once per
    process (the document does not depend on the data)."""
    import schemathesis

    from qnwmh.wsgi import application

    if not _SCHEMA:
        # The bearer token is ours to give (negative tests of it: the test below); unknown
        # query parameters are ignored by design, as HTTP APIs do.
        config = schemathesis.Config.from_dict(
            {"generation": {"with-security-parameters": False, "allow-extra-parameters": False}}
        )
        _SCHEMA.append(
            schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)
        )
    return _SCHEMA[0]


@pytest.fixture
def api_schema(db):
    """Like Django's test client, keep the connection open across requests: request_finished
    would close it, and with it the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield _load_schema()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def scene(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Many failed token requests from one address must not turn every later one into 429.
    settings.THROTTLE_MAX_FAILURES_PER_ADDRESS = 10**6
    return Scene(world)


def _real_parameters(scene: Scene) -> dict:
    """Ids of rows each fuzzed persona can reach, so generated requests get past the 404."""
    own = scene.target("wuling", "own")
    return {
        "unit_id": own.unit.pk,
        "cycle_id": scene.target("collective", "own").cycle.pk,
        "code": own.collective.code,
        "registration_id": own.registration.pk,
        "notification_id": scene.target("wuling", "own").notification.pk,
        "request_id": own.transfer_request.pk,
        "job_id": scene.target("wuling", "own").own_job.pk,
    }


def _checks(mode: str) -> list:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    return [*checks, negative_data_rejection] if mode == "negative" else checks


def _strategy(operation, mode: str, real: dict):
    from schemathesis import GenerationMode

    generation = GenerationMode(mode)
    names = {p.name for p in operation.path_parameters}
    strategy = operation.as_strategy(generation_mode=generation)
    if names and mode == "positive":
        fixed = {name: real[name] for name in names}
        strategy = strategy | operation.as_strategy(
            generation_mode=generation, path_parameters=fixed
        )
    return strategy


def _cases():
    for key in sorted(API):
        for mode in MODES:
            yield pytest.param(key, mode, id=f"{key}-{mode}")


def _negatable(operation) -> bool:
    """Whether anything of the request can be made invalid: a body, a query parameter or a
    path parameter that is not free text (the token is ours, see the api_schema fixture)."""
    raw = operation.definition.raw
    parameters = raw.get("parameters", [])
    return bool(
        raw.get("requestBody")
        or any(p["in"] == "query" for p in parameters)
        or any(p["in"] == "path" and p["schema"].get("type") != "string" for p in parameters)
    )


@pytest.mark.parametrize(("operation_key", "mode"), list(_cases()))
def test_operation_survives_fuzzing(operation_key, mode, api_schema, scene):
    method, path = operation_key.split(" ", 1)
    operation = api_schema["/api/v1" + path][method]
    if mode == "negative" and not _negatable(operation):
        pytest.skip("nothing in this request can be made invalid")
    headers = [
        {"Authorization": f"Bearer {issue_api_token(scene.personas[key].user)}"}
        for key in FUZZED_PERSONAS
    ]
    strategy = _strategy(operation, mode, _real_parameters(scene))
    checks = _checks(mode)

    @settings(
        max_examples=examples(4),
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(case=strategy, persona=st.sampled_from(range(len(headers))))
    def fuzz(case, persona):
        response = case.call(headers=headers[persona])
        case.validate_response(response, checks=checks, headers=headers[persona])

    fuzz()


# --- authentication cannot be skipped ---------------------------------------------------------


def _secured(document: dict) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    ]


def test_every_secured_operation_refuses_missing_bad_and_dead_tokens(world):
    client = Client()
    document = client.get("/api/v1/openapi.json").json()
    secured = _secured(document)
    assert len(secured) == len(API) - 1  # all but POST /auth/token
    user = world.users["hunan"]
    expired = issue_api_token(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - datetime.timedelta(1))
    disabled_user = world.users["changde"]
    disabled = issue_api_token(disabled_user)
    disabled_user.is_active = False
    disabled_user.save(update_fields=["is_active"])
    bearer = "Bearer "
    credentials = {
        "none": {},
        "empty bearer": {"Authorization": bearer},
        "not bearer": {"Authorization": f"Token {expired}"},
        "junk": {"Authorization": bearer + "x" * 43},
        "expired": {"Authorization": bearer + expired},
        "disabled account": {"Authorization": bearer + disabled},
        "basic": {"Authorization": "Basic YWRtaW4taHVuYW46UW53bWgtdGVzdC1QdzE="},
    }
    failures = []
    for method, path in secured:
        url = _url(path)
        for label, headers in credentials.items():
            if method == "GET":
                response = client.get(url, headers=headers)
            else:
                response = getattr(client, method.lower())(
                    url, json.dumps({}), content_type="application/json", headers=headers
                )
            body = response.json()
            if (response.status_code, body["error"]["code"]) != (401, "not_authenticated"):
                failures.append(f"{method} {url} with {label}: {response.status_code} {body}")
    assert failures == []


def _url(path: str) -> str:
    """A concrete URL of a documented path: every parameter set to a plausible value."""
    values = {
        "{unit_id}": "1",
        "{cycle_id}": "1",
        "{registration_id}": "1",
        "{code}": "5100009990",
        "{notification_id}": "1",
        "{request_id}": "1",
        "{job_id}": "1",
    }
    for name, value in values.items():
        path = path.replace(name, value)
    assert "{" not in path, path
    return path
