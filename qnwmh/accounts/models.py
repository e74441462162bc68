import hashlib
import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qnwmh.accounts import encryption
from qnwmh.accounts.enums import AccountKind, AdminRole, LoginChannel, LoginOutcome
from qnwmh.core.roles import has_role
from qnwmh.core.scoping import ANY_ADMIN, Scope, ScopedQuerySet


def normalize_username(raw: str) -> str:
    """One spelling per account: full-width → half-width, no surrounding spaces, lower case.
    Used at creation and at every login, so 'Admin ' and 'ａｄｍｉｎ' cannot dodge the lockout."""
    return unicodedata.normalize("NFKC", raw or "").strip().lower()


class UserQuerySet(ScopedQuerySet):
    # Accounts of the caller's unit subtree, for an admin account of any role.
    scope = Scope(path="unit__path", roles=ANY_ADMIN)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        return self.get(username=normalize_username(username))


class User(AbstractBaseUser):
    """An account: an admin of a unit, a collective (login = its code) or a judge."""

    username = models.CharField(_("username"), max_length=150, unique=True)
    display_name = models.CharField(_("name"), max_length=100, blank=True)
    # Where notifications are e-mailed, if anywhere (set by the holder on the notifications page).
    email = models.EmailField(_("e-mail address"), blank=True, default="")
    kind = models.CharField(_("account kind"), max_length=16, choices=AccountKind.choices)
    # 三权分立: one role per admin account, so no account can hold two; empty for the others.
    admin_role = models.CharField(
        _("administrator role"), max_length=16, choices=AdminRole.choices, blank=True, default=""
    )
    unit = models.ForeignKey(
        "units.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("unit"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # One-time credentials: set by every creation and reset; the first login must change it.
    must_change_password = models.BooleanField(default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+")

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="ADMIN") | models.Q(unit__isnull=False),
                name="admin_has_unit",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="ADMIN", admin_role__in=AdminRole.values)
                    | (~models.Q(kind="ADMIN") & models.Q(admin_role=""))
                ),
                name="admin_role_iff_admin",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_admin_account(self) -> bool:
        """Any administrator account, whatever its role (two-factor login, idle timeout and
        password age apply to all of them)."""
        return self.kind == AccountKind.ADMIN

    @property
    def is_business_admin(self) -> bool:
        """业务管理员: the admin of the domain work (collectives, cycles, registrations, jobs).
        The domain apps ask this; the system, security and audit administrators are not
        business admins and see none of that data (docs/decisions/008-separated-admin-roles.md).
        """
        return self.holds(AdminRole.BUSINESS)

    def holds(self, role) -> bool:
        """True for an admin account of exactly this role (core.roles.has_role)."""
        return has_role(self, role)

    @property
    def is_collective(self) -> bool:
        return self.kind == AccountKind.COLLECTIVE

    @property
    def is_judge(self) -> bool:
        return self.kind == AccountKind.JUDGE

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class LoginAttempt(models.Model):
    """登录历史: every attempt, successful or not; also the memory of the lockout and throttle."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    username = models.CharField(_("username"), max_length=150)  # normalized, as typed
    user = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="login_attempts"
    )
    ip = models.CharField(_("address"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=LoginChannel.choices)
    outcome = models.CharField(_("outcome"), max_length=32, choices=LoginOutcome.choices)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login history")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["username", "at"], name="login_username_at"),
            models.Index(fields=["ip", "at"], name="login_ip_at"),
            models.Index(fields=["user", "at"], name="login_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M:%S} {self.outcome}"

    @property
    def succeeded(self) -> bool:
        return self.outcome == LoginOutcome.SUCCESS


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(ScopedQuerySet):
    # A user sees and ends only their own tokens.
    scope = Scope(owner="user")


class ApiToken(models.Model):
    """A bearer token of API v1. Only its hash is stored."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"token of {self.user}"


class TwoFactor(models.Model):
    """双因素认证: the holder's TOTP secret (RFC 6238) and one-time recovery codes.

    Unconfirmed while being set up; confirmed once the holder typed a code from the
    authenticator. `last_time_step` is the time step of the last accepted code: a code is
    accepted once, and never one older than the last (RFC 6238 §5.2). The base32 secret is
    stored encrypted (encryption.py: Fernet, key derived from SECRET_KEY); it is never logged,
    audited or shown after the setup."""

    user = models.OneToOneField(User, models.CASCADE, related_name="two_factor")
    # A Fernet token of the base32 secret; read and written through `secret`.
    secret_encrypted = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_time_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor login")
        verbose_name_plural = _("two-factor logins")

    def __str__(self) -> str:
        return f"two-factor login of {self.user_id}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def secret(self) -> str:
        """The base32 TOTP secret, decrypted."""
        return encryption.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = encryption.encrypt(value)


class RecoveryCode(models.Model):
    """恢复码: shown once at setup; only a hash is kept; each is accepted once."""

    two_factor = models.ForeignKey(TwoFactor, models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["two_factor", "code_hash"], name="recovery_code_unique_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class UserSessionQuerySet(ScopedQuerySet):
    # A user sees and ends only their own sessions.
    scope = Scope(owner="user")


class UserSession(models.Model):
    """会话: one logged-in browser. A web session lives while its row does: the session
    middleware ends any session without a row, so deleting rows ends sessions."""

    session_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField(_("logged in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last active"), default=timezone.now)
    ip = models.CharField(_("address"), max_length=64, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "last_seen_at"], name="session_user_seen")]

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


# 安全策略: each limit with the range that keeps the 等保 2.0 三级 controls (8.1.4.1 b 登录失败处理
# and 会话超时, a 定期更换 prompt); docs/security.md says why these ranges. The form, the model's
# validators and the database's check constraints all read this one table.
POLICY_BOUNDS: dict[str, tuple[int, int]] = {
    "lockout_max_failures": (3, 10),
    "lockout_window_minutes": (5, 1440),
    "lockout_duration_minutes": (5, 1440),
    "throttle_max_failures_per_address": (10, 100),
    "admin_idle_minutes": (5, 15),
    "idle_minutes": (5, 30),
    "admin_password_prompt_days": (30, 90),
}


def _bounded(name: str, label, help_text) -> models.PositiveIntegerField:
    low, high = POLICY_BOUNDS[name]
    return models.PositiveIntegerField(
        label,
        help_text=help_text,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
    )


class SecurityPolicy(models.Model):
    """安全策略: the lockout, throttle, idle and password-prompt limits the national security
    administrator sets (三权分立, issue 4). One row at most; without it the settings (the
    deployment's environment) are the policy. Read through accounts/limits.py, never directly
    on a request."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    lockout_max_failures = _bounded(
        "lockout_max_failures",
        _("failed logins that lock an account"),
        _("Failed logins within the window after which the account is locked."),
    )
    lockout_window_minutes = _bounded(
        "lockout_window_minutes",
        _("failure window (minutes)"),
        _("Failures are counted over this many minutes."),
    )
    lockout_duration_minutes = _bounded(
        "lockout_duration_minutes",
        _("lock duration (minutes)"),
        _("How long a locked account stays locked (the admin above may unlock it earlier)."),
    )
    throttle_max_failures_per_address = _bounded(
        "throttle_max_failures_per_address",
        _("failed logins that throttle an address"),
        _("Failed logins from one address within the window, whatever the accounts."),
    )
    admin_idle_minutes = _bounded(
        "admin_idle_minutes",
        _("idle timeout of administrators (minutes)"),
        _("An administrator's session ends after this many minutes without activity."),
    )
    idle_minutes = _bounded(
        "idle_minutes",
        _("idle timeout of other accounts (minutes)"),
        _("Collectives' and judges' sessions end after this many minutes without activity."),
    )
    admin_password_prompt_days = _bounded(
        "admin_password_prompt_days",
        _("password change prompt of administrators (days)"),
        _("Administrators are asked to change a password older than this."),
    )
    # Bumped by every change: a form saved over a change made meanwhile is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="security_policy_singleton"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": low, f"{name}__lte": high}),
                    name=f"security_policy_{name}_range",
                )
                for name, (low, high) in POLICY_BOUNDS.items()
            ),
        ]

    def __str__(self) -> str:
        return str(_("security policy"))

    @classmethod
    def field_names(cls) -> list[str]:
        return list(POLICY_BOUNDS)
