"""Brute force through HTTP (等保 登录失败处理): the lockout and the address throttle cannot be
dodged by respelling the username, by switching between the login page, its code step and the
API token endpoint, or by a forged X-Forwarded-For; and a guesser cannot tell a known username
from an unknown one by the answers. tests/accounts/test_login.py covers the domain functions;
these tests go through the same doors an attacker does."""

import datetime
import json
import re

import pytest
from django.db.models import F
from django.test import Client

from qnwmh.accounts.models import LoginAttempt
from tests.accounts.factories import current_code, enable_two_factor
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOCKED_PAGE = "该账号已被锁定 15 分钟"
WRONG = "用户名或密码错误。"
VARIANTS = [
    "ADMIN-HUNAN",
    " admin-hunan ",
    "ａｄｍｉｎ－ｈｕｎａｎ",
    "Admin-Hunan\u3000",
    "admin-hunan",
]


def _page_login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _api_login(client, username, password, ip="10.0.0.1", **extra):
    body = {"username": username, "password": password, **extra}
    return client.post(
        "/api/v1/auth/token",
        json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def _error_code(response) -> str:
    return response.json()["error"]["code"]


def _form_errors(response) -> str:
    """The error block of the login page, without the per-request CSRF token."""
    body = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


@pytest.mark.parametrize("right_door", ["page", "api"])
def test_respelled_usernames_lock_one_account(world, right_door):
    client = Client()
    for variant in VARIANTS:
        _page_login(client, variant, "wrong-Password1")
    if right_door == "page":
        response = _page_login(client, "admin-hunan", DEFAULT_PASSWORD)
        assert response.status_code == 429
        assert LOCKED_PAGE in response.content.decode()
    else:
        response = _api_login(client, "admin-hunan", DEFAULT_PASSWORD)
        assert (response.status_code, _error_code(response)) == (429, "account_locked")
    assert "_auth_user_id" not in client.session


def test_alternating_page_and_api_failures_lock_the_account(world):
    client = Client()
    answers = []
    for attempt in range(5):
        if attempt % 2:
            answers.append(_api_login(client, VARIANTS[attempt], "wrong").status_code)
        else:
            answers.append(_page_login(client, VARIANTS[attempt], "wrong").status_code)
    assert answers == [200, 401, 200, 401, 429]
    response = _api_login(client, "admin-hunan", DEFAULT_PASSWORD)
    assert (response.status_code, _error_code(response)) == (429, "account_locked")
    assert LoginAttempt.objects.filter(user=world.users["hunan"]).count() == 6


def test_wrong_codes_on_the_page_and_wrong_passwords_on_the_api_share_the_lock(world):
    """The second login step is no separate counter: a guesser who knows the password cannot
    try codes forever by re-entering it, nor mix in API attempts."""
    secret, _codes = enable_two_factor(world.users["hunan"])
    page = Client()
    api = Client()
    assert _page_login(page, "admin-hunan", DEFAULT_PASSWORD).url == "/accounts/login/code/"
    for _ in range(2):
        assert page.post("/accounts/login/code/", {"otp": "000000"}).status_code == 200
    for _ in range(2):
        response = _api_login(api, "ADMIN-HUNAN", DEFAULT_PASSWORD, otp="111111")
        assert (response.status_code, _error_code(response)) == (401, "otp_required")
    response = page.post("/accounts/login/code/", {"otp": "222222"})
    assert response.status_code == 429
    response = _api_login(api, "admin-hunan", DEFAULT_PASSWORD, otp=current_code(secret))
    assert (response.status_code, _error_code(response)) == (429, "account_locked")


def test_address_throttle_holds_across_accounts_and_doors(world, settings):
    settings.THROTTLE_MAX_FAILURES_PER_ADDRESS = 6
    client = Client()
    for number in range(3):
        _page_login(client, f"nobody{number}", "wrong", ip="10.9.9.9")
        _api_login(client, f"NOBODY{number}x", "wrong", ip="10.9.9.9")
    response = _api_login(client, "admin-changde", DEFAULT_PASSWORD, ip="10.9.9.9")
    assert (response.status_code, _error_code(response)) == (429, "address_throttled")
    page = _page_login(client, "admin-changde", DEFAULT_PASSWORD, ip="10.9.9.9")
    assert page.status_code == 429
    assert "_auth_user_id" not in client.session
    other_address = _api_login(Client(), "admin-changde", DEFAULT_PASSWORD, ip="10.9.9.8")
    assert other_address.status_code == 200


@pytest.mark.parametrize("proxies", [0, 1])
def test_forged_forwarded_for_does_not_escape_the_throttle(world, settings, proxies):
    """Without a trusted proxy the header is ignored; behind one, only the address the proxy
    appended counts, so whatever the client puts in front of it changes nothing."""
    settings.THROTTLE_MAX_FAILURES_PER_ADDRESS = 4
    settings.TRUSTED_PROXY_COUNT = proxies
    client = Client()
    for number in range(4):
        forged = f"198.51.100.{number}, 10.7.7.7" if proxies else f"198.51.100.{number}"
        client.post(
            "/api/v1/auth/token",
            json.dumps({"username": f"ghost{number}", "password": "wrong"}),
            content_type="application/json",
            REMOTE_ADDR="10.7.7.7" if not proxies else "192.0.2.1",
            HTTP_X_FORWARDED_FOR=forged,
        )
    forged = "203.0.113.9, 10.7.7.7" if proxies else "203.0.113.9"
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "admin-hunan", "password": DEFAULT_PASSWORD}),
        content_type="application/json",
        REMOTE_ADDR="10.7.7.7" if not proxies else "192.0.2.1",
        HTTP_X_FORWARDED_FOR=forged,
    )
    assert (response.status_code, _error_code(response)) == (429, "address_throttled")
    assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {"10.7.7.7"}


@pytest.mark.parametrize("username", ["ghost-admin", "ADMIN-HUNAN-X", "9999999999"])
def test_unknown_and_known_usernames_get_the_same_api_answer(world, username):
    unknown = _api_login(Client(), username, "wrong-Password1")
    known = _api_login(Client(), "admin-hunan", "wrong-Password1")
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert known.json() == {
        "error": {"code": "invalid_credentials", "message": WRONG, "fields": {}}
    }


def test_unknown_and_known_usernames_get_the_same_login_page(world):
    unknown = _page_login(Client(), "ghost-admin", "wrong-Password1")
    known = _page_login(Client(), "admin-hunan", "wrong-Password1")
    assert unknown.status_code == known.status_code == 200
    assert WRONG in known.content.decode()
    assert _form_errors(unknown).replace('value="ghost-admin"', 'value="admin-hunan"') == (
        _form_errors(known)
    )


def test_disabled_account_answers_like_a_wrong_password_until_the_password_is_right(world):
    """A wrong password on a disabled account says nothing about the account."""
    user = world.users["hunan"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    disabled = _api_login(Client(), "admin-hunan", "wrong-Password1")
    unknown = _api_login(Client(), "ghost-admin", "wrong-Password1")
    assert (disabled.status_code, disabled.json()) == (unknown.status_code, unknown.json())


def test_lockout_answer_is_the_same_for_unknown_usernames(world):
    """Five failures lock a known username; an unknown one must lock alike (and stay locked
    for the next try), or the lockout tells a guesser which usernames exist."""
    known_client, unknown_client = Client(), Client()
    for _ in range(6):
        known = _api_login(known_client, "admin-hunan", "wrong", ip="10.1.1.1")
        unknown = _api_login(unknown_client, "ghost-admin", "wrong", ip="10.1.1.2")
        assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert (known.status_code, _error_code(known)) == (429, "account_locked")


def test_locked_page_is_the_same_for_unknown_usernames(world):
    for _ in range(5):
        known = _page_login(Client(), "admin-hunan", "wrong", ip="10.1.1.1")
        unknown = _page_login(Client(), "GHOST-ADMIN", "wrong", ip="10.1.1.2")
    assert unknown.status_code == known.status_code == 429
    assert LOCKED_PAGE in known.content.decode()
    assert _form_errors(unknown).replace('value="GHOST-ADMIN"', 'value="admin-hunan"') == (
        _form_errors(known)
    )


def test_the_lock_of_an_unknown_username_ends_like_an_account_lock(world, settings):
    settings.LOCKOUT_MAX_FAILURES = 2
    lock = datetime.timedelta(seconds=settings.LOCKOUT_DURATION_SECONDS)
    for _ in range(2):
        _api_login(Client(), "ghost-admin", "wrong")
    LoginAttempt.objects.update(at=F("at") - lock + datetime.timedelta(seconds=30))
    assert _error_code(_api_login(Client(), "ghost-admin", "wrong")) == "account_locked"
    LoginAttempt.objects.update(at=F("at") - datetime.timedelta(seconds=31))
    answer = _api_login(Client(), "ghost-admin", "wrong")
    assert _error_code(answer) == "invalid_credentials"


def test_token_endpoint_refuses_oversized_and_malformed_bodies_without_counting(world):
    client = Client()
    huge = _api_login(client, "a" * 100_000, "b" * 100_000)
    assert (huge.status_code, _error_code(huge)) == (401, "invalid_credentials")
    for raw in ("[]", "not json", '{"username": 1}', '{"username": "a"}'):
        response = client.post("/api/v1/auth/token", raw, content_type="application/json")
        assert (response.status_code, _error_code(response)) == (400, "invalid"), raw
    assert LoginAttempt.objects.count() == 1
