from datetime import timedelta

import pytest
from django.utils import timezone

from qnwmh.accounts import domain, limits, totp
from qnwmh.accounts.models import LoginAttempt, TwoFactor
from qnwmh.audit.models import AuditEntry
from tests.accounts.factories import current_code, enable_two_factor
from tests.conftest import count_queries
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

OTP_MISSING = "请输入身份验证器中的 6 位动态验证码，或一个恢复码。"
OTP_WRONG = "验证码错误或已被使用。"
SETUP_REQUIRED = (
    "管理员账号必须启用双因素认证：请先调用 POST /api/v1/auth/otp/setup 和 "
    "POST /api/v1/auth/otp/confirm 完成设置。"
)


def _token(api_client, otp=None, username="admin-hunan", password=DEFAULT_PASSWORD):
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return api_client.post("/auth/token", body)


def _error(code, message, fields=None):
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def test_token_for_good_credentials(world, api_client):
    response = api_client.post(
        "/auth/token", {"username": "admin-hunan", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["must_change_password"], body["otp_setup_required"]) == (False, False)
    assert body["password_change_due"] is False
    api_client.token = response.json()["token"]
    assert api_client.get("/collectives").status_code == 200


def test_wrong_password_is_401_in_the_error_format(world, api_client):
    response = api_client.post("/auth/token", {"username": "admin-hunan", "password": "x"})
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "invalid_credentials", "message": "用户名或密码错误。", "fields": {}}
    }


def test_locked_account_is_429(world, api_client):
    for _ in range(5):
        api_client.post("/auth/token", {"username": "admin-hunan", "password": "x"})
    response = api_client.post(
        "/auth/token", {"username": "admin-hunan", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "account_locked"


def test_missing_fields_are_400_with_fields(world, api_client):
    response = api_client.post("/auth/token", {"username": "admin-hunan"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["此项为必填项。"]}


@pytest.mark.parametrize("raw", ["{", "[]", "null", '"text"', '{"username": 5}'])
def test_malformed_bodies_are_400_never_500(world, api_client, raw):
    response = api_client.post("/auth/token", raw=raw)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_no_token_is_401(world, api_client):
    response = api_client.get("/collectives")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_bad_token_is_401(world, api_client):
    api_client.token = "not-a-token"
    assert api_client.get("/collectives").status_code == 401


def test_one_time_password_blocks_everything_but_the_change(world, api_client):
    _user, password = domain.create_unit_admin(
        world.users["hunan_system"], world.changde, username="cd-api", display_name="接口"
    )
    response = api_client.post("/auth/token", {"username": "cd-api", "password": password})
    assert response.json()["must_change_password"] is True
    api_client.token = response.json()["token"]
    blocked = api_client.get("/collectives")
    assert blocked.status_code == 403
    assert blocked.json()["error"]["code"] == "password_change_required"
    weak = api_client.post("/auth/password", {"old_password": password, "new_password": "abc"})
    assert weak.status_code == 400
    assert weak.json()["error"]["code"] == "weak_password"
    ok = api_client.post(
        "/auth/password", {"old_password": password, "new_password": "Changde#2026x"}
    )
    assert ok.status_code == 200
    assert api_client.get("/collectives").status_code == 200


def test_password_change_revokes_other_tokens(world, api_client):
    other_token = domain.issue_api_token(world.users["hunan"])
    api_client.as_user(world.users["hunan"])
    api_client.post(
        "/auth/password", {"old_password": DEFAULT_PASSWORD, "new_password": "Xiang#2026ab"}
    )
    assert api_client.get("/collectives").status_code == 200
    api_client.token = other_token
    assert api_client.get("/collectives").status_code == 401


def test_openapi_document_is_served(world, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/auth/token" in response.json()["paths"]


# --- Two-factor login (API.md, Conventions) ----------------------------------------------------


def test_two_factor_account_without_otp_is_401_otp_required(world, api_client):
    enable_two_factor(world.users["hunan"])
    response = _token(api_client)
    assert response.status_code == 401
    assert response.json() == _error("otp_required", OTP_MISSING)


def test_two_factor_account_with_a_wrong_otp_is_401_otp_required(world, api_client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    right = {totp.code_at(secret, timezone.now() + timedelta(seconds=s)) for s in (-30, 0, 30)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in right)
    response = _token(api_client, otp=wrong)
    assert response.status_code == 401
    assert response.json() == _error("otp_required", OTP_WRONG)
    assert LoginAttempt.objects.get().outcome == "invalid_otp"


def test_two_factor_account_with_the_code_gets_a_token(world, api_client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    response = _token(api_client, otp=current_code(secret))
    assert response.status_code == 200
    api_client.token = response.json()["token"]
    assert api_client.get("/collectives").status_code == 200


def test_a_code_opens_one_token_only(world, api_client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    code = current_code(secret)
    assert _token(api_client, otp=code).status_code == 200
    replay = _token(api_client, otp=code)
    assert (replay.status_code, replay.json()) == (401, _error("otp_required", OTP_WRONG))


def test_a_recovery_code_in_the_otp_field_works_once(world, api_client):
    _secret, codes = enable_two_factor(world.users["hunan"])
    assert _token(api_client, otp=codes[0]).status_code == 200
    again = _token(api_client, otp=codes[0])
    assert (again.status_code, again.json()["error"]["code"]) == (401, "otp_required")


def test_wrong_password_with_otp_does_not_reveal_two_factor(world, api_client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    response = _token(api_client, otp=current_code(secret), password="wrong")
    assert response.json() == _error("invalid_credentials", "用户名或密码错误。")


def test_account_without_two_factor_ignores_an_otp(world, api_client):
    assert _token(api_client, otp="123456").status_code == 200


def test_wrong_otps_lock_the_account_like_wrong_passwords(world, api_client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    for _ in range(2):
        _token(api_client, password="wrong")
    for _ in range(2):
        assert _token(api_client, otp="000000x").status_code == 401
    response = _token(api_client, otp="000000x")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "account_locked"
    assert _token(api_client, otp=current_code(secret)).status_code == 429


def test_admin_without_two_factor_gets_403_until_set_up(world, api_client, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    response = _token(api_client)
    assert response.json()["otp_setup_required"] is True
    api_client.token = response.json()["token"]
    blocked = api_client.get("/collectives")
    assert (blocked.status_code, blocked.json()) == (
        403,
        _error("otp_setup_required", SETUP_REQUIRED),
    )
    setup = api_client.post("/auth/otp/setup")
    assert (setup.status_code, setup["Cache-Control"]) == (200, "no-store")
    secret = setup.json()["secret"]
    assert setup.json() == {
        "secret": secret,
        "otpauth_uri": totp.provisioning_uri(secret, "admin-hunan"),
    }
    assert len(secret) == 32 and TwoFactor.objects.get().secret == secret
    wrong = api_client.post("/auth/otp/confirm", {"otp": "12345"})
    assert (wrong.status_code, wrong.json()) == (
        400,
        _error("invalid_otp", OTP_WRONG, {"otp": [OTP_WRONG]}),
    )
    confirmed = api_client.post("/auth/otp/confirm", {"otp": current_code(secret)})
    codes = confirmed.json()["recovery_codes"]
    assert (confirmed.status_code, len(codes), len(set(codes))) == (200, 10, 10)
    assert api_client.get("/collectives").status_code == 200
    assert AuditEntry.objects.filter(action="account.two_factor_enable").count() == 1


def test_password_endpoint_stays_open_while_setup_is_pending(world, api_client, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    api_client.as_user(world.users["hunan"])
    response = api_client.post(
        "/auth/password", {"old_password": DEFAULT_PASSWORD, "new_password": "Xiang#2026ab"}
    )
    assert response.json() == {"ok": True}


def test_one_time_password_comes_before_the_two_factor_setup(world, api_client, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    _user, password = domain.create_unit_admin(
        world.users["hunan_system"], world.changde, username="cd-otp", display_name="接口"
    )
    response = _token(api_client, username="cd-otp", password=password)
    assert (response.json()["must_change_password"], response.json()["otp_setup_required"]) == (
        True,
        False,
    )
    api_client.token = response.json()["token"]
    assert api_client.post("/auth/otp/setup").json()["error"]["code"] == "password_change_required"
    api_client.post("/auth/password", {"old_password": password, "new_password": "Changde#2026x"})
    assert api_client.get("/collectives").json()["error"]["code"] == "otp_setup_required"
    assert api_client.post("/auth/otp/setup").status_code == 200


def test_setup_when_already_on_is_409(world, api_client):
    enable_two_factor(world.users["hunan"])
    api_client.as_user(world.users["hunan"])
    response = api_client.post("/auth/otp/setup")
    assert (response.status_code, response.json()) == (
        409,
        _error("two_factor_already_enabled", "该账号已启用双因素认证。"),
    )


def test_confirm_without_setup_is_409(world, api_client):
    api_client.as_user(world.users["hunan"])
    response = api_client.post("/auth/otp/confirm", {"otp": "123456"})
    assert (response.status_code, response.json()["error"]["code"]) == (
        409,
        "two_factor_setup_not_started",
    )


@pytest.mark.parametrize("raw", ["{", "[]", '{"otp": 5}', "{}", '{"otp": "' + "1" * 33 + '"}'])
def test_confirm_with_bad_bodies_is_400(world, api_client, raw):
    api_client.as_user(world.users["hunan"])
    response = api_client.post("/auth/otp/confirm", raw=raw)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")


def test_two_factor_endpoints_need_a_token(world, api_client):
    response = api_client.post("/auth/otp/setup")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")


def test_judge_is_not_required_to_set_up_but_may(world, api_client, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    response = _token(api_client, username="judge1")
    assert response.json()["otp_setup_required"] is False
    api_client.token = response.json()["token"]
    secret = api_client.post("/auth/otp/setup").json()["secret"]
    api_client.post("/auth/otp/confirm", {"otp": current_code(secret)})
    assert _token(api_client, username="judge1").json()["error"]["code"] == "otp_required"


def test_two_factor_check_adds_no_query_per_request(world, api_client, settings):
    api_client.as_user(world.users["hunan"])
    without = count_queries(lambda: api_client.get("/collectives"))
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    enable_two_factor(world.users["hunan"])
    with_two_factor = count_queries(lambda: api_client.get("/collectives"))
    assert with_two_factor == without


def test_two_factor_reset_ends_api_tokens(world, api_client):
    from qnwmh.accounts.domain import two_factor

    enable_two_factor(world.users["changde"])
    api_client.as_user(world.users["changde"])
    two_factor.reset(world.users["hunan_security"], world.users["changde"])
    assert api_client.get("/collectives").status_code == 401


def test_old_password_is_a_prompt_not_a_block_for_the_api(world, api_client):
    from qnwmh.accounts.models import User

    User.objects.filter(pk=world.users["hunan"].pk).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    response = _token(api_client)
    assert response.json()["password_change_due"] is True
    api_client.token = response.json()["token"]
    assert api_client.get("/collectives").status_code == 200


def test_openapi_lists_the_two_factor_endpoints(world, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/auth/otp/setup", "/api/v1/auth/otp/confirm"} <= set(paths)


def test_a_tokens_use_is_noted_at_most_once_a_minute(world, api_client, settings):
    from qnwmh.accounts.domain.login import issue_api_token
    from qnwmh.accounts.models import ApiToken, hash_token

    settings.SESSION_TOUCH_SECONDS = 60
    api_client.token = issue_api_token(world.users["hunan"])
    token = ApiToken.objects.filter(key_hash=hash_token(api_client.token))
    assert token.get().last_used_at is None
    limits.current()  # the policy as a running server holds it (read once per 30 s)

    first = count_queries(lambda: api_client.get("/collectives"))
    noted = token.get().last_used_at
    assert noted is not None
    assert count_queries(lambda: api_client.get("/collectives")) == first - 1
    assert token.get().last_used_at == noted

    token.update(last_used_at=noted - timedelta(seconds=61))
    assert count_queries(lambda: api_client.get("/collectives")) == first
    assert token.get().last_used_at > noted
