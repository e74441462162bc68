"""Personas used everywhere (STYLE.md): the national committee, a province admin, a city admin
in that province, a county admin below the city, a city admin of another province, an
industry-line admin, a collective, a judge and an anonymous visitor."""

from dataclasses import dataclass

import pytest
from django.test import Client

from qnwmh.accounts import limits
from qnwmh.accounts.domain import issue_api_token
from qnwmh.accounts.domain.login import touch_token
from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.models import ApiToken, hash_token
from qnwmh.units.enums import Line, Tier
from tests.factories import DEFAULT_PASSWORD, UnitFactory, UserFactory


@dataclass
class World:
    national: object
    hunan: object
    changde: object
    wuling: object
    guangdong: object
    guangzhou: object
    transport: object
    units: dict
    users: dict


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path_factory):
    # Argon2 is deliberately slow; tests hash hundreds of passwords. The production hasher is
    # covered by test_production_password_hasher_is_argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "zh-hans"
    # The factory personas have no two-factor login; tests of the requirement switch it on
    # (tests/accounts: the `two_factor_required` fixture).
    settings.ADMIN_TWO_FACTOR_REQUIRED = False
    # Plain static names: a manifest left in staticfiles/ by `make run` (or one being written
    # by a concurrent collectstatic) must not change what the pages under test reference.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The security policy row is cached per process (accounts/limits.py): a row saved by an
    # earlier test (rolled back since) must not outlive it.
    limits.forget()
    # No periodic tasks started by a request (notifications/periodic.py): a test runs them
    # itself when it means to.
    settings.PERIODIC_IN_PROCESS = False
    # Each test anchors the audit head in its own file (audit/anchor.py), never in var/.
    settings.AUDIT_ANCHOR_PATH = tmp_path_factory.mktemp("anchor") / "audit-anchors.jsonl"


@pytest.fixture
def world(db) -> World:
    national = UnitFactory(name="全国组委会", tier=Tier.NATIONAL)
    hunan = UnitFactory(name="湖南省团委", parent=national, tier=Tier.FIRST)
    changde = UnitFactory(name="常德市团委", parent=hunan, tier=Tier.SECOND)
    wuling = UnitFactory(name="武陵区团委", parent=changde, tier=Tier.THIRD)
    guangdong = UnitFactory(name="广东省团委", parent=national, tier=Tier.FIRST)
    guangzhou = UnitFactory(name="广州市团委", parent=guangdong, tier=Tier.SECOND)
    transport = UnitFactory(
        name="交通运输部团委", parent=national, tier=Tier.FIRST, line=Line.INDUSTRY
    )
    units = {
        "national": national,
        "hunan": hunan,
        "changde": changde,
        "wuling": wuling,
        "guangdong": guangdong,
        "guangzhou": guangzhou,
        "transport": transport,
    }
    # The unit personas are business administrators (业务管理员: the domain work); the national
    # committee and Hunan also have one administrator of each other role (三权分立).
    users = {name: UserFactory(username=f"admin-{name}", unit=unit) for name, unit in units.items()}
    for name in ROLE_UNITS:
        for role in (AdminRole.SYSTEM, AdminRole.SECURITY, AdminRole.AUDIT):
            key = f"{name}_{role.lower()}"
            users[key] = UserFactory(username=f"admin-{key}", unit=units[name], admin_role=role)
    users["judge"] = UserFactory(username="judge1", kind=AccountKind.JUDGE, unit=None)
    return World(national, hunan, changde, wuling, guangdong, guangzhou, transport, units, users)


ADMIN_PERSONAS = ["national", "hunan", "changde", "wuling", "guangdong", "guangzhou", "transport"]
# Units whose world also has a system, a security and an audit administrator, e.g.
# world.users["hunan_system"], world.users["national_audit"].
ROLE_UNITS = ("national", "hunan")


@pytest.fixture
def login_as(client):
    def _login(user) -> Client:
        client.force_login(user)
        session = client.session
        import time

        from qnwmh.accounts.middleware import SESSION_STARTED_KEY

        session[SESSION_STARTED_KEY] = time.time()
        session.save()
        return client

    return _login


@pytest.fixture
def api_client():
    """A client that talks to API v1 with a bearer token of the given account."""

    class ApiClient:
        def __init__(self):
            self.client = Client()
            self.token = None

        def as_user(self, user):
            """A token as a client holds it between calls: used a moment ago, so a request
            does not note its use again within the minute (login.touch_token) and query
            counts are those of every call but the first of a minute. The security policy is
            in the process cache as in a running server (limits.py: read once per 30 s), so
            counts do not include the read the token's idle check may cause."""
            self.token = issue_api_token(user)
            touch_token(ApiToken.objects.get(key_hash=hash_token(self.token)))
            limits.current()
            return self

        def _headers(self):
            return {"Authorization": f"Bearer {self.token}"} if self.token else {}

        def get(self, path, data=None):
            return self.client.get(f"/api/v1{path}", data or {}, headers=self._headers())

        def post(self, path, body=None, raw=None):
            import json

            content = raw if raw is not None else json.dumps(body or {})
            return self.client.post(
                f"/api/v1{path}", content, content_type="application/json", headers=self._headers()
            )

        def put(self, path, body=None):
            import json

            return self.client.put(
                f"/api/v1{path}",
                json.dumps(body),
                headers=self._headers(),
                content_type="application/json",
            )

        def delete(self, path):
            return self.client.delete(f"/api/v1{path}", headers=self._headers())

        def patch(self, path, body=None):
            import json

            return self.client.patch(
                f"/api/v1{path}",
                json.dumps(body),
                headers=self._headers(),
                content_type="application/json",
            )

    return ApiClient()


__all__ = ["DEFAULT_PASSWORD"]


def count_queries(func) -> int:
    """How many SQL queries `func()` runs (for 'constant from 1 to many rows' tests)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        func()
    return len(context.captured_queries)


def pytest_terminal_summary(terminalreporter):
    """A skipped browser test is said loudly at the end, not lost among the other skips
    (scripts/browser-deps installs Chromium where it may; under CI=true it must run)."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "tests/e2e/" in report.nodeid.replace("\\", "/")
    ]
    if skipped:
        terminalreporter.write_sep("!", "THE BROWSER TEST WAS SKIPPED", red=True, bold=True)
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            terminalreporter.write_line(f"{report.nodeid}: {reason}", red=True)
