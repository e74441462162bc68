"""Two-factor login (TOTP + recovery codes): setup, login in two steps, replay, lockout, the
admin requirement, and the reset of a lost device by the admin above."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from qnwmh.accounts import totp
from qnwmh.accounts.domain import two_factor
from qnwmh.accounts.enums import LoginOutcome
from qnwmh.accounts.models import ApiToken, LoginAttempt, RecoveryCode, TwoFactor, UserSession
from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import AlreadyHandled, Conflict, Forbidden, InvalidInput, TooManyAttempts
from tests.accounts.factories import current_code, enable_two_factor
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

WRONG_CODE = "验证码错误或已被使用。"
LOCKED = "登录失败次数过多：该账号已被锁定 15 分钟。请稍后再试，或联系上级管理员解锁。"


def _password_step(client, username="admin-hunan", password=DEFAULT_PASSWORD, next_url=""):
    path = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(path, {"username": username, "password": password})


def _code_step(client, code):
    return client.post("/accounts/login/code/", {"otp": code})


def _wrong_code(secret) -> str:
    right = {totp.code_at(secret, timezone.now() + timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


# --- Setup -------------------------------------------------------------------------------------


def test_setup_then_confirm_turns_it_on_with_ten_recovery_codes(world):
    user = world.users["hunan"]
    secret, uri = two_factor.start_setup(user)
    assert uri == totp.provisioning_uri(secret, "admin-hunan")
    assert TwoFactor.objects.get(user=user).confirmed_at is None
    codes = two_factor.confirm_setup(user, current_code(secret))
    found = TwoFactor.objects.get(user=user)
    assert (found.confirmed, len(codes), found.recovery_codes.count()) == (True, 10, 10)
    assert sorted(found.recovery_codes.values_list("code_hash", flat=True)) == sorted(
        totp.hash_recovery_code(code) for code in codes
    )
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "changes"))
    assert actions == [
        ("account.two_factor_setup", {}),
        ("account.two_factor_enable", {"two_factor": [False, True], "recovery_codes": [0, 10]}),
    ]


def test_the_secret_is_never_in_the_audit_log(world):
    secret, _uri = two_factor.start_setup(world.users["hunan"])
    two_factor.confirm_setup(world.users["hunan"], current_code(secret))
    assert not [e for e in AuditEntry.objects.all() if secret in str(e.changes)]


def test_confirm_with_a_wrong_code_is_refused_in_chinese(world):
    user = world.users["hunan"]
    secret, _uri = two_factor.start_setup(user)
    with pytest.raises(InvalidInput) as exc:
        two_factor.confirm_setup(user, _wrong_code(secret))
    assert (exc.value.code, exc.value.fields) == ("invalid_otp", {"otp": [WRONG_CODE]})
    assert TwoFactor.objects.get(user=user).confirmed_at is None


def test_confirm_without_setup_is_a_conflict(world):
    with pytest.raises(Conflict) as exc:
        two_factor.confirm_setup(world.users["hunan"], "123456")
    assert (exc.value.code, exc.value.message) == (
        "two_factor_setup_not_started",
        "请先开始设置双因素认证。",
    )


def test_setup_again_when_on_is_a_conflict(world):
    enable_two_factor(world.users["hunan"])
    with pytest.raises(Conflict) as exc:
        two_factor.start_setup(world.users["hunan"])
    assert (exc.value.code, exc.value.message) == (
        "two_factor_already_enabled",
        "该账号已启用双因素认证。",
    )


def test_a_restarted_setup_replaces_the_unconfirmed_secret(world):
    user = world.users["hunan"]
    first, _uri = two_factor.start_setup(user)
    second, _uri = two_factor.start_setup(user)
    assert first != second
    with pytest.raises(InvalidInput):
        two_factor.confirm_setup(user, current_code(first))
    assert len(two_factor.confirm_setup(user, current_code(second))) == 10


def test_confirming_twice_loses_with_already_handled(world):
    user = world.users["hunan"]
    secret, _uri = two_factor.start_setup(user)
    two_factor.confirm_setup(user, current_code(secret))
    with pytest.raises(AlreadyHandled):
        two_factor.confirm_setup(user, current_code(secret))


def test_setup_pages_show_key_in_fours_and_uri_then_codes_once(world, login_as):
    client = login_as(world.users["hunan"])
    page = client.get("/accounts/two-factor/")
    assert "开始设置" in page.content.decode()
    assert client.post("/accounts/two-factor/setup/").url == "/accounts/two-factor/"
    secret = TwoFactor.objects.get(user=world.users["hunan"]).secret
    page = client.get("/accounts/two-factor/")
    body = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert totp.grouped(secret) in body
    assert totp.provisioning_uri(secret, "admin-hunan").replace("&", "&amp;") in body
    response = client.post("/accounts/two-factor/confirm/", {"confirm-otp": current_code(secret)})
    body = response.content.decode()
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")
    assert "双因素认证已启用。" in body and body.count("<li><code>") == 10
    page = client.get("/accounts/two-factor/").content.decode()
    assert secret not in page and totp.grouped(secret) not in page
    assert "还有 10 个未使用的恢复码" in page


def test_setup_page_keeps_the_key_and_shows_a_wrong_code_next_to_the_field(world, login_as):
    client = login_as(world.users["hunan"])
    client.post("/accounts/two-factor/setup/")
    secret = TwoFactor.objects.get(user=world.users["hunan"]).secret
    response = client.post("/accounts/two-factor/confirm/", {"confirm-otp": _wrong_code(secret)})
    body = response.content.decode()
    assert response.status_code == 400
    assert f'<small class="error">{WRONG_CODE}</small>' in body
    assert totp.grouped(secret) in body


# --- Login with two factors --------------------------------------------------------------------


def test_page_login_asks_the_code_after_the_right_password(world, client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    response = _password_step(client, next_url="/units/")
    assert response.url == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/units/").url == "/accounts/login/?next=/units/"
    response = _code_step(client, current_code(secret))
    assert response.url == "/units/"
    assert client.session["_auth_user_id"] == str(world.users["hunan"].pk)
    outcomes = list(LoginAttempt.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [LoginOutcome.OTP_REQUIRED, LoginOutcome.SUCCESS]


def test_wrong_password_does_not_reveal_two_factor(world, client):
    enable_two_factor(world.users["hunan"])
    with_totp = _password_step(client, password="wrong")
    without_totp = _password_step(Client(), username="admin-changde", password="wrong")
    assert with_totp.status_code == without_totp.status_code == 200
    for body in (with_totp.content.decode(), without_totp.content.decode()):
        assert "用户名或密码错误。" in body and "验证码" not in body


def test_account_without_two_factor_logs_in_with_the_password_alone(world, client):
    assert _password_step(client).url == "/"


def test_code_page_without_a_right_password_goes_back_to_login(world, client):
    response = client.get("/accounts/login/code/")
    assert response.url == "/accounts/login/"
    assert "请重新输入用户名和密码。" in client.get("/accounts/login/").content.decode()


def test_code_step_expires(world, client, settings):
    secret, _codes = enable_two_factor(world.users["hunan"])
    _password_step(client)
    session = client.session
    session["qnwmh_pending_login"]["at"] -= settings.LOGIN_CODE_STEP_SECONDS + 1
    session.save()
    assert _code_step(client, current_code(secret)).url == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_wrong_code_shows_the_error_next_to_the_field(world, client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    _password_step(client)
    response = _code_step(client, _wrong_code(secret))
    assert response.status_code == 200
    assert f'<small class="error">{WRONG_CODE}</small>' in response.content.decode()
    assert LoginAttempt.objects.order_by("-id").first().outcome == LoginOutcome.BAD_OTP


def test_a_code_is_accepted_once(world, client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    code = current_code(secret)
    _password_step(client)
    assert _code_step(client, code).url == "/"
    other = Client()
    _password_step(other)
    response = _code_step(other, code)
    assert f'<small class="error">{WRONG_CODE}</small>' in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_an_older_code_after_a_newer_one_is_refused(world):
    user = world.users["hunan"]
    secret, _codes = enable_two_factor(user)
    now = timezone.now()
    assert two_factor.verify_code(user, totp.code_at(secret, now), now=now) == two_factor.TOTP
    older = totp.code_at(secret, now - timedelta(seconds=30))
    assert two_factor.verify_code(user, older, now=now) is None


def test_recovery_code_logs_in_once_and_tells_how_many_are_left(world, client):
    _secret, codes = enable_two_factor(world.users["hunan"])
    _password_step(client)
    response = _code_step(client, codes[3].upper())
    assert response.url == "/"
    assert "您使用恢复码登录：还剩 9 个恢复码。" in client.get("/").content.decode()
    other = Client()
    _password_step(other)
    assert WRONG_CODE in _code_step(other, codes[3]).content.decode()
    used = AuditEntry.objects.get(action="account.recovery_code_use")
    assert used.changes == {"recovery_codes": [10, 9]}


@pytest.mark.parametrize("failures_before", [0, 2, 4])
def test_wrong_codes_count_towards_the_lockout_with_wrong_passwords(world, client, failures_before):
    secret, _codes = enable_two_factor(world.users["hunan"])
    for _ in range(failures_before):
        _password_step(client, password="wrong")
    _password_step(client)
    for _ in range(4 - failures_before):
        assert _code_step(client, _wrong_code(secret)).status_code == 200
    response = _code_step(client, _wrong_code(secret))
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert AuditEntry.objects.filter(action="account.locked").count() == 1
    # Locked: the right password and the right code no longer open it.
    again = Client()
    assert LOCKED in _password_step(again).content.decode()


def test_a_right_password_does_not_reset_the_failure_count(world, client):
    """Otherwise someone holding the password could guess codes forever, 4 at a time."""
    secret, _codes = enable_two_factor(world.users["hunan"])
    for _ in range(4):
        _password_step(client, password="wrong")
    _password_step(client)
    response = _code_step(client, _wrong_code(secret))
    assert response.status_code == 429


def test_disabled_between_the_steps_ends_the_attempt(world, client):
    secret, _codes = enable_two_factor(world.users["hunan"])
    _password_step(client)
    type(world.users["hunan"]).objects.filter(pk=world.users["hunan"].pk).update(is_active=False)
    response = _code_step(client, current_code(secret))
    assert "该账号已停用。" in response.content.decode()
    assert _code_step(client, current_code(secret)).url == "/accounts/login/"


# --- Who must, who may -------------------------------------------------------------------------


def test_admin_without_two_factor_is_sent_to_the_setup(world, login_as, two_factor_required):
    client = login_as(world.users["hunan"])
    assert client.get("/").url == "/accounts/two-factor/"
    assert client.get(f"/units/{world.hunan.pk}/").url == "/accounts/two-factor/"
    assert client.get(f"/accounts/users/{world.users['changde'].pk}/").url == (
        "/accounts/two-factor/"
    )
    body = client.get("/accounts/two-factor/").content.decode()
    assert "管理员账号必须启用双因素认证。请现在完成设置，然后继续使用系统。" in body
    client.post("/accounts/two-factor/setup/")
    secret = TwoFactor.objects.get(user=world.users["hunan"]).secret
    client.post("/accounts/two-factor/confirm/", {"confirm-otp": current_code(secret)})
    assert client.get("/").status_code == 200


def test_new_admin_changes_the_password_then_sets_up_two_factor(world, client, two_factor_required):
    from qnwmh.accounts import domain

    _user, password = domain.create_unit_admin(
        world.users["hunan_system"], world.changde, username="cd-new", display_name="新管理员"
    )
    _password_step(client, username="cd-new", password=password)
    assert client.get("/accounts/two-factor/").url == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password": "Changde#2026x",
            "new_password_again": "Changde#2026x",
        },
    )
    assert response.url == "/accounts/two-factor/"
    assert client.get("/").url == "/accounts/two-factor/"


def test_requirement_can_be_switched_off(world, login_as, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = False
    assert login_as(world.users["hunan"]).get("/").status_code == 200


def test_requirement_is_on_by_default():
    from qnwmh import settings as production

    assert production.ADMIN_TWO_FACTOR_REQUIRED is True


@pytest.mark.parametrize("kind", ["collective", "judge"])
def test_collectives_and_judges_are_not_forced_but_may_enable(
    world, login_as, collective_user, two_factor_required, kind
):
    user = collective_user if kind == "collective" else world.users["judge"]
    client = login_as(user)
    assert client.get("/").status_code == 200
    body = client.get("/accounts/two-factor/").content.decode()
    assert "您的账号可自愿启用双因素认证" in body
    client.post("/accounts/two-factor/setup/")
    secret = TwoFactor.objects.get(user=user).secret
    client.post("/accounts/two-factor/confirm/", {"confirm-otp": current_code(secret)})
    assert TwoFactor.objects.get(user=user).confirmed
    fresh = Client()
    assert _password_step(fresh, username=user.username).url == "/accounts/login/code/"


def test_collective_turns_it_off_with_a_code(world, login_as, collective_user):
    secret, _codes = enable_two_factor(collective_user)
    client = login_as(collective_user)
    wrong = client.post("/accounts/two-factor/disable/", {"disable-otp": _wrong_code(secret)})
    assert wrong.status_code == 400
    assert f'<small class="error">{WRONG_CODE}</small>' in wrong.content.decode()
    response = client.post("/accounts/two-factor/disable/", {"disable-otp": current_code(secret)})
    assert response.url == "/accounts/two-factor/"
    assert not TwoFactor.objects.filter(user=collective_user).exists()
    entry = AuditEntry.objects.get(action="account.two_factor_disable")
    assert (entry.actor_username, entry.changes) == ("hn-0001", {"two_factor": [True, False]})


def test_admin_may_not_turn_it_off(world, two_factor_required):
    secret, _codes = enable_two_factor(world.users["hunan"])
    with pytest.raises(Forbidden) as exc:
        two_factor.disable(world.users["hunan"], current_code(secret))
    assert exc.value.message == "管理员账号必须保持启用双因素认证。"


def test_wrong_codes_when_changing_two_factor_lock_the_account(world, collective_user):
    secret, _codes = enable_two_factor(collective_user)
    for _ in range(4):
        with pytest.raises(InvalidInput):
            two_factor.disable(collective_user, _wrong_code(secret))
    with pytest.raises(TooManyAttempts) as exc:
        two_factor.disable(collective_user, _wrong_code(secret))
    assert exc.value.message == LOCKED
    assert TwoFactor.objects.filter(user=collective_user).exists()


def test_new_recovery_codes_replace_the_old_ones(world, login_as):
    user = world.users["hunan"]
    secret, old_codes = enable_two_factor(user)
    client = login_as(user)
    response = client.post(
        "/accounts/two-factor/recovery-codes/", {"codes-otp": current_code(secret)}
    )
    assert response["Cache-Control"] == "no-store"
    assert response.content.decode().count("<li><code>") == 10
    now = timezone.now()
    assert two_factor.verify_code(user, old_codes[0], now=now) is None
    assert RecoveryCode.objects.filter(two_factor__user=user, used_at__isnull=True).count() == 10
    assert AuditEntry.objects.filter(action="account.recovery_codes_regenerate").count() == 1


# --- Lost device: reset by the admin above -----------------------------------------------------


def test_security_admin_above_resets_a_lost_device(world, login_as, two_factor_required):
    target = world.users["changde"]
    enable_two_factor(target)
    enable_two_factor(world.users["hunan_security"])
    victim_browser = login_as(target)
    ApiToken.objects.create(user=target, key_hash="x" * 64, expires_at=timezone.now())
    admin = Client()
    admin.force_login(world.users["hunan_security"])
    page = admin.get(f"/accounts/users/{target.pk}/").content.decode()
    assert "已启用" in page and "重置双因素认证" in page
    response = admin.post(f"/accounts/users/{target.pk}/two-factor/reset/")
    assert response.url == f"/accounts/users/{target.pk}/"
    assert "双因素认证已重置，该账号的全部会话已结束。" in admin.get(response.url).content.decode()
    assert not TwoFactor.objects.filter(user=target).exists()
    assert (UserSession.objects.filter(user=target).count(), target.api_tokens.count()) == (0, 0)
    assert victim_browser.get("/").url == "/accounts/login/?next=/"
    entry = AuditEntry.objects.get(action="account.two_factor_reset")
    assert (entry.actor_username, entry.object_id, entry.changes) == (
        "admin-hunan_security",
        str(target.pk),
        {"two_factor": [True, False], "ended_session_count": [1, 0], "ended_token_count": [1, 0]},
    )
    # The holder logs in with the password alone and must set it up again.
    fresh = Client()
    assert _password_step(fresh, username="admin-changde").url == "/"
    assert fresh.get("/").url == "/accounts/two-factor/"


@pytest.mark.parametrize(
    "persona",
    ["guangdong", "guangzhou", "transport", "wuling", "hunan", "hunan_system", "hunan_audit"],
)
def test_reset_refused_for_admins_not_above_or_of_another_role(world, persona):
    enable_two_factor(world.users["changde"])
    with pytest.raises(Forbidden):
        two_factor.reset(world.users[persona], world.users["changde"])
    assert TwoFactor.objects.filter(user=world.users["changde"]).exists()


def test_reset_pages_are_404_for_another_province(world, login_as):
    enable_two_factor(world.users["changde"])
    client = login_as(world.users["guangdong"])
    assert client.get(f"/accounts/users/{world.users['changde'].pk}/").status_code == 404
    response = client.post(f"/accounts/users/{world.users['changde'].pk}/two-factor/reset/")
    assert response.status_code == 404
    assert TwoFactor.objects.filter(user=world.users["changde"]).exists()
    assert not AuditEntry.objects.filter(action="account.two_factor_reset").exists()


def test_security_page_is_404_for_collectives_and_for_ones_own_account(
    world, login_as, collective_user
):
    target = world.users["changde"].pk
    assert login_as(collective_user).get(f"/accounts/users/{target}/").status_code == 404
    assert login_as(world.users["changde"]).get(f"/accounts/users/{target}/").status_code == 404


def test_reset_without_two_factor_says_so(world, login_as):
    client = login_as(world.users["hunan_security"])
    response = client.post(f"/accounts/users/{world.users['changde'].pk}/two-factor/reset/")
    page = client.get(response.url).content.decode()
    assert "该账号没有可重置的双因素认证。" in page
    assert not AuditEntry.objects.filter(action="account.two_factor_reset").exists()


def test_reset_of_a_collective_by_the_security_admin_above(world, collective_user):
    enable_two_factor(collective_user)
    assert two_factor.reset(world.users["hunan_security"], collective_user).total == 0
    assert not TwoFactor.objects.filter(user=collective_user).exists()
