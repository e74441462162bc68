"""Cookie names (等保 身份鉴别, session protection): behind TLS the session and CSRF cookies are
`__Host-` cookies — the browser keeps them only when Secure, for Path=/ and without Domain, so
no sibling host can plant or overwrite them; over plain HTTP (the demo server) browsers refuse
the prefix, so the plain names stay."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
COOKIE_SETTINGS = [
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
]


def _cookie_settings(tmp_path, https: bool) -> dict:
    """The cookie settings as qnwmh/settings.py computes them in a fresh process."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "HTTPS": "1" if https else "0",
        "SECRET_KEY": "x" * 20 + "Production-Secret-Key-For-The-Check-Only-0123456789",
        "ALLOWED_HOSTS": "qnwmh.example.cn",
        "QNWMH_VAR_DIR": str(tmp_path),
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {COOKIE_SETTINGS!r}}}))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "qnwmh.settings"
    result = subprocess.run(  # noqa: S603 — our own code string, no outside input
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_tls_the_cookies_are_host_prefixed_and_qualify(tmp_path):
    values = _cookie_settings(tmp_path, https=True)
    assert values == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": "/",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_PATH": "/",
    }


def test_over_plain_http_the_cookies_keep_plain_names(tmp_path):
    values = _cookie_settings(tmp_path, https=False)
    assert (values["SESSION_COOKIE_NAME"], values["CSRF_COOKIE_NAME"]) == ("sessionid", "csrftoken")
    assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]


@pytest.fixture
def production_cookies(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"


def _assert_host_cookie(morsel) -> None:
    """What a browser demands of a __Host- cookie (RFC 6265bis 4.1.3.2)."""
    assert morsel["secure"] is True
    assert morsel["path"] == "/"
    assert not morsel["domain"]


@pytest.mark.django_db
def test_a_login_over_https_sets_qualifying_host_cookies(world, production_cookies):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/", secure=True)
    assert page.status_code == 200
    _assert_host_cookie(page.cookies["__Host-csrftoken"])
    token = page.cookies["__Host-csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"username": "admin-wuling", "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        headers={"Referer": "https://testserver/accounts/login/"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    _assert_host_cookie(response.cookies["__Host-sessionid"])
    assert "sessionid" not in response.cookies and "csrftoken" not in client.cookies
    assert client.get("/", secure=True).status_code == 200
