from datetime import timedelta

import pytest
from django.utils import timezone

from qnwmh.accounts import domain
from qnwmh.accounts.enums import LoginChannel, LoginOutcome
from qnwmh.accounts.models import LoginAttempt
from qnwmh.audit import context
from qnwmh.audit.models import AuditEntry
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _login(username, password, channel=LoginChannel.WEB, ip="10.0.0.1"):
    token = context.set_current(context.RequestMeta(ip=ip, channel=channel))
    try:
        return domain.authenticate_login(username, password, channel=channel)
    finally:
        context.reset(token)


def test_correct_password_logs_in_and_is_recorded(world):
    result = _login("admin-hunan", DEFAULT_PASSWORD)
    assert result.ok
    attempt = LoginAttempt.objects.get()
    assert (attempt.user, attempt.ip, attempt.outcome) == (
        world.users["hunan"],
        "10.0.0.1",
        LoginOutcome.SUCCESS,
    )


def test_five_failures_lock_the_account_even_for_the_right_password(world):
    outcomes = [_login("admin-hunan", "wrong").outcome for _ in range(5)]
    assert outcomes == ["invalid_credentials"] * 4 + ["account_locked"]
    result = _login("admin-hunan", DEFAULT_PASSWORD)
    assert result.outcome == LoginOutcome.LOCKED
    assert (
        result.message
        == "登录失败次数过多：该账号已被锁定 15 分钟。请稍后再试，或联系上级管理员解锁。"
    )
    assert AuditEntry.objects.filter(action="account.locked").count() == 1


def test_lock_expires_after_fifteen_minutes(world):
    for _ in range(5):
        _login("admin-hunan", "wrong")
    user = world.users["hunan"]
    user.refresh_from_db()
    assert user.locked_until - timezone.now() > timedelta(minutes=14)
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))
    type(user).objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _login("admin-hunan", DEFAULT_PASSWORD).ok


def test_success_resets_the_failure_count(world):
    for _ in range(4):
        _login("admin-hunan", "wrong")
    assert _login("admin-hunan", DEFAULT_PASSWORD).ok
    assert _login("admin-hunan", "wrong").outcome == LoginOutcome.BAD_CREDENTIALS


@pytest.mark.parametrize("variant", ["ADMIN-HUNAN", " admin-hunan ", "ａｄｍｉｎ－ｈｕｎａｎ"])
def test_case_spaces_and_full_width_count_against_the_same_account(world, variant):
    for _ in range(4):
        _login("admin-hunan", "wrong")
    assert _login(variant, "wrong").outcome == LoginOutcome.LOCKED


def test_page_and_api_failures_share_one_counter(world):
    for i in range(4):
        _login("admin-hunan", "wrong", channel=LoginChannel.API if i % 2 else LoginChannel.WEB)
    assert _login("admin-hunan", "wrong", channel=LoginChannel.API).outcome == "account_locked"


def test_one_address_trying_many_accounts_is_throttled(world, settings):
    settings.THROTTLE_MAX_FAILURES_PER_ADDRESS = 6
    for i in range(6):
        _login(f"nobody{i}", "wrong", ip="10.9.9.9")
    assert _login("admin-hunan", DEFAULT_PASSWORD, ip="10.9.9.9").outcome == "address_throttled"
    assert _login("admin-hunan", DEFAULT_PASSWORD, ip="10.9.9.8").ok


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(world):
    assert (
        _login("ghost", "x").message == _login("admin-hunan", "x").message == "用户名或密码错误。"
    )


def test_disabled_account_cannot_log_in(world):
    user = world.users["hunan"]
    user.is_active = False
    user.save()
    assert _login("admin-hunan", DEFAULT_PASSWORD).outcome == LoginOutcome.INACTIVE


def test_security_admin_above_unlocks_and_it_is_audited(world):
    for _ in range(5):
        _login("admin-changde", "wrong")
    domain.unlock(world.users["hunan_security"], world.users["changde"])
    assert _login("admin-changde", DEFAULT_PASSWORD).ok
    entry = AuditEntry.objects.get(action="account.unlock")
    assert (entry.actor_username, entry.object_id) == (
        "admin-hunan_security",
        str(world.users["changde"].pk),
    )


@pytest.mark.parametrize(
    "persona", ["guangdong", "wuling", "changde", "hunan", "hunan_system", "hunan_audit"]
)
def test_unlock_refused_for_admins_not_above_or_of_another_role(world, persona):
    from qnwmh.core.errors import Forbidden

    with pytest.raises(Forbidden):
        domain.unlock(world.users[persona], world.users["changde"])


def test_login_page_shows_lockout_in_chinese(world, client):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "admin-hunan", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "admin-hunan", "password": "wrong"})
    assert response.status_code == 429
    assert "该账号已被锁定 15 分钟" in response.content.decode()


def test_login_page_keeps_the_username_typed(world, client):
    response = client.post("/accounts/login/", {"username": "admin-hunan", "password": "wrong"})
    body = response.content.decode()
    assert 'value="admin-hunan"' in body
    assert "用户名或密码错误。" in body


def test_login_redirect_ignores_foreign_next(world, client):
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "admin-hunan", "password": DEFAULT_PASSWORD},
    )
    assert response.url == "/"


def test_login_history_page_lists_own_attempts(world, client):
    client.post("/accounts/login/", {"username": "admin-hunan", "password": "wrong"})
    client.post("/accounts/login/", {"username": "admin-hunan", "password": DEFAULT_PASSWORD})
    body = client.get("/accounts/history/").content.decode()
    assert body.count("<tr><td>") == 2
    assert "用户名或密码错误" in body and "成功" in body
