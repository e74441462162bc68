"""安全策略 (issue 4, 三权分立): the security administrators read the policy, only the national
one changes it, within the ranges of 等保 三级; every change is one audit entry; the lockout,
the throttle, the idle timeouts and the password prompt follow it; the settings are the policy
until it is first set; readers hit an in-process cache, not the database."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from qnwmh.accounts import domain, limits, policy
from qnwmh.accounts.domain import security_policy
from qnwmh.accounts.domain.sessions import SEEN_AT_KEY
from qnwmh.accounts.enums import AccountKind, LoginChannel, LoginOutcome
from qnwmh.accounts.models import SecurityPolicy, User, UserSession
from qnwmh.audit import context
from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import AlreadyHandled, Forbidden, InvalidInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/policy/"
# The settings' values as the page shows them (minutes, days, counts).
DEFAULTS = {
    "lockout_max_failures": 5,
    "lockout_window_minutes": 15,
    "lockout_duration_minutes": 15,
    "throttle_max_failures_per_address": 20,
    "admin_idle_minutes": 15,
    "idle_minutes": 30,
    "admin_password_prompt_days": 90,
}
STRICTER = {
    "lockout_max_failures": 3,
    "lockout_window_minutes": 30,
    "lockout_duration_minutes": 60,
    "throttle_max_failures_per_address": 10,
    "admin_idle_minutes": 5,
    "idle_minutes": 10,
    "admin_password_prompt_days": 30,
}


def _form(values: dict, version: int = 0) -> dict:
    return {"version": str(version), **{name: str(value) for name, value in values.items()}}


def _set(world, **values) -> SecurityPolicy:
    """The national security administrator sets the policy (the rest stays as it was)."""
    current, row = security_policy.in_force()
    return security_policy.change(
        world.users["national_security"],
        {**current, **values},
        version=security_policy.version_of(row),
    )


# --- Who ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["national", "hunan", "national_system", "hunan_system", "national_audit", "judge"]
)
def test_other_roles_find_no_policy_page(world, login_as, persona):
    # 三权分立: as every page of one role, it is not there for anyone else (404).
    client = login_as(world.users[persona])
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form(STRICTER)).status_code == 404
    assert SecurityPolicy.objects.count() == 0


def test_collective_and_anonymous_find_no_policy_page(world, login_as, client, collective_user):
    assert client.get(URL).url.startswith("/accounts/login/")
    assert login_as(collective_user).get(URL).status_code == 404


def test_national_security_admin_sees_the_settings_as_the_policy(world, login_as):
    response = login_as(world.users["national_security"]).get(URL)
    assert response.status_code == 200
    assert {name: response.context["form"].initial[name] for name in DEFAULTS} == DEFAULTS
    body = response.content.decode()
    assert "当前生效的是部署的默认值（环境变量）" in body
    assert "保存安全策略" in body


def test_provincial_security_admin_reads_the_policy_but_cannot_change_it(world, login_as):
    _set(world, lockout_max_failures=4)
    client = login_as(world.users["hunan_security"])
    response = client.get(URL)
    form = response.context["form"]
    assert (response.status_code, form.initial["lockout_max_failures"]) == (200, 4)
    assert all(field.disabled for name, field in form.fields.items() if name != "version")
    assert "保存安全策略" not in response.content.decode()
    count = AuditEntry.objects.count()
    assert client.post(URL, _form(STRICTER, version=1)).status_code == 403
    assert (SecurityPolicy.objects.get().lockout_max_failures, AuditEntry.objects.count()) == (
        4,
        count,
    )


def test_only_a_national_security_admin_changes_it_in_the_domain(world):
    for persona in ("hunan_security", "national", "national_system", "national_audit"):
        with pytest.raises(Forbidden):
            security_policy.change(world.users[persona], STRICTER, version=0)
    assert SecurityPolicy.objects.count() == 0


def test_a_disabled_national_security_admin_cannot_change_it(world):
    actor = world.users["national_security"]
    actor.is_active = False
    with pytest.raises(Forbidden):
        security_policy.change(actor, STRICTER, version=0)


# --- The change --------------------------------------------------------------------------------


def test_a_change_is_one_audit_entry_with_before_and_after(world, login_as):
    actor = world.users["national_security"]
    changed = {**DEFAULTS, "lockout_max_failures": 3, "admin_idle_minutes": 10}
    response = login_as(actor).post(URL, _form(changed))
    assert response.url == URL
    row = SecurityPolicy.objects.get()
    assert (row.lockout_max_failures, row.admin_idle_minutes, row.version, row.updated_by) == (
        3,
        10,
        1,
        actor,
    )
    entry = AuditEntry.objects.get(action="security_policy.change")
    assert (entry.actor, entry.scope_path, entry.changes) == (
        actor,
        world.national.path,
        {"admin_idle_minutes": [15, 10], "lockout_max_failures": [5, 3]},
    )


def test_the_second_change_starts_from_the_first(world, login_as):
    client = login_as(world.users["national_security"])
    client.post(URL, _form({**DEFAULTS, "idle_minutes": 20}))
    client.post(URL, _form({**DEFAULTS, "idle_minutes": 25}, version=1))
    changes = [
        e.changes for e in AuditEntry.objects.filter(action="security_policy.change").order_by("pk")
    ]
    assert changes == [{"idle_minutes": [30, 20]}, {"idle_minutes": [20, 25]}]
    assert SecurityPolicy.objects.get().version == 2


def test_saving_the_values_in_force_records_nothing(world, login_as):
    response = login_as(world.users["national_security"]).post(URL, _form(DEFAULTS), follow=True)
    assert "没有任何修改。" in response.content.decode()
    assert (SecurityPolicy.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_a_change_made_meanwhile_is_not_overwritten_unseen(world, login_as):
    _set(world, idle_minutes=20)
    response = login_as(world.users["national_security"]).post(URL, _form(STRICTER, version=0))
    assert response.status_code == 409
    assert "其他人刚刚修改了安全策略" in response.content.decode()
    assert SecurityPolicy.objects.get().idle_minutes == 20
    with pytest.raises(AlreadyHandled):
        security_policy.change(world.users["national_security"], STRICTER, version=0)


# --- Bounds (等保 三级) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lockout_max_failures", "2", "请输入 3 到 10 之间的整数。"),
        ("lockout_max_failures", "11", "请输入 3 到 10 之间的整数。"),
        ("lockout_window_minutes", "4", "请输入 5 到 1440 之间的整数。"),
        ("lockout_duration_minutes", "1441", "请输入 5 到 1440 之间的整数。"),
        ("throttle_max_failures_per_address", "9", "请输入 10 到 100 之间的整数。"),
        ("admin_idle_minutes", "16", "请输入 5 到 15 之间的整数。"),
        ("idle_minutes", "31", "请输入 5 到 30 之间的整数。"),
        ("admin_password_prompt_days", "91", "请输入 30 到 90 之间的整数。"),
        ("admin_password_prompt_days", "29", "请输入 30 到 90 之间的整数。"),
        ("admin_idle_minutes", "十", "请输入 5 到 15 之间的整数。"),
    ],
)
def test_a_limit_outside_its_range_is_refused_next_to_its_field(
    world, login_as, field, value, message
):
    typed = {**_form(STRICTER), field: value}
    response = login_as(world.users["national_security"]).post(URL, typed)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {field: [message]}
    assert form[field].value() == value  # the form keeps what was typed
    assert (SecurityPolicy.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_the_domain_refuses_out_of_range_values_too(world):
    with pytest.raises(InvalidInput) as refused:
        security_policy.change(
            world.users["national_security"],
            {**STRICTER, "admin_idle_minutes": 30, "lockout_max_failures": True},
            version=0,
        )
    assert refused.value.fields == {
        "admin_idle_minutes": ["请输入 5 到 15 之间的整数。"],
        "lockout_max_failures": ["请输入 3 到 10 之间的整数。"],
    }


def test_the_database_refuses_out_of_range_values(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SecurityPolicy.objects.create(**{**STRICTER, "admin_idle_minutes": 60})


def test_the_database_holds_one_policy_at_most(world):
    SecurityPolicy.objects.create(**STRICTER)
    with pytest.raises(IntegrityError), transaction.atomic():
        SecurityPolicy.objects.create(id=2, **STRICTER)


# --- It takes effect ---------------------------------------------------------------------------


def _login(username, password, ip="10.0.0.1"):
    token = context.set_current(context.RequestMeta(ip=ip, channel=LoginChannel.WEB))
    try:
        return domain.authenticate_login(username, password, channel=LoginChannel.WEB)
    finally:
        context.reset(token)


def test_the_lockout_follows_the_policy(world):
    _set(world, lockout_max_failures=3, lockout_duration_minutes=60)
    outcomes = [_login("admin-hunan", "wrong").outcome for _ in range(3)]
    assert outcomes == [LoginOutcome.BAD_CREDENTIALS] * 2 + [LoginOutcome.LOCKED]
    user = User.objects.get(username="admin-hunan")
    assert user.locked_until - timezone.now() > timedelta(minutes=59)
    assert "该账号已被锁定 60 分钟" in _login("admin-hunan", "wrong").message


def test_the_address_throttle_follows_the_policy(world):
    _set(world, throttle_max_failures_per_address=10)
    for n in range(10):
        _login(f"nobody-{n}", "wrong", ip="10.9.9.9")
    assert _login("admin-hunan", "wrong", ip="10.9.9.9").outcome == LoginOutcome.THROTTLED
    assert _login("admin-hunan", "wrong", ip="10.9.9.8").outcome == LoginOutcome.BAD_CREDENTIALS


def _idle(client, minutes: int) -> None:
    then = timezone.now() - timedelta(minutes=minutes)
    UserSession.objects.update(last_seen_at=then)
    session = client.session
    session[SEEN_AT_KEY] = then.timestamp()
    session.save()


@pytest.mark.parametrize(("minutes", "alive"), [(4, True), (6, False)])
def test_the_admin_idle_timeout_follows_the_policy(world, login_as, minutes, alive):
    _set(world, admin_idle_minutes=5)
    client = login_as(world.users["hunan"])
    _idle(client, minutes)
    response = client.get("/")
    assert (response.status_code, getattr(response, "url", None)) == (
        (200, None) if alive else (302, "/accounts/login/?expired=1")
    )


@pytest.mark.parametrize(("minutes", "alive"), [(9, True), (11, False)])
def test_the_idle_timeout_of_other_accounts_follows_the_policy(
    world, login_as, collective_user, minutes, alive
):
    _set(world, idle_minutes=10)
    client = login_as(collective_user)
    _idle(client, minutes)
    assert (client.get("/accounts/history/").status_code == 200) is alive


def test_the_password_prompt_follows_the_policy(world):
    _set(world, admin_password_prompt_days=30)
    user, now = world.users["hunan"], timezone.now()
    User.objects.filter(pk=user.pk).update(password_changed_at=now - timedelta(days=31))
    user.refresh_from_db()
    assert policy.password_change_due(user, now) is True
    judge = UserFactory(username="judge-old", kind=AccountKind.JUDGE, unit=None)
    assert policy.password_change_due(judge, now) is False


# --- Settings as defaults, and the cache -------------------------------------------------------


def test_without_a_policy_the_settings_are_in_force(world, settings):
    settings.LOCKOUT_MAX_FAILURES = 7
    settings.ADMIN_SESSION_IDLE_SECONDS = 600
    assert (limits.current().lockout_max_failures, limits.current().admin_idle_seconds) == (
        7,
        600,
    )


def test_a_warm_read_runs_no_query(world, django_assert_num_queries):
    _set(world, lockout_max_failures=4)
    limits.current()
    with django_assert_num_queries(0):
        assert limits.current().lockout_max_failures == 4
        assert policy.idle_seconds_for(world.users["hunan"]) == 15 * 60


def test_this_process_sees_a_change_at_once(world):
    assert limits.current().lockout_max_failures == 5
    _set(world, lockout_max_failures=4)
    assert limits.current().lockout_max_failures == 4


def test_another_server_sees_a_change_within_the_cache_time(world, monkeypatch):
    assert limits.current().lockout_max_failures == 5
    # Another application server saves: this process's cache is not told.
    SecurityPolicy.objects.create(**STRICTER)
    assert limits.current().lockout_max_failures == 5
    later = limits.time.monotonic() + limits.CACHE_SECONDS
    monkeypatch.setattr(limits.time, "monotonic", lambda: later)
    assert limits.current().lockout_max_failures == 3
