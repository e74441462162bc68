import hashlib
import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qnwmh.accounts import encryption
from qnwmh.accounts.enums import AccountKind, AdminRole, LoginChannel, LoginOutcome


def normalize_username(raw: str) -> str:
    """One spelling per account: full-width → half-width, no surrounding spaces, lower case.
    Used at creation and at every login, so 'Admin ' and 'ａｄｍｉｎ' cannot dodge the lockout."""
    return unicodedata.normalize("NFKC", raw or "").strip().lower()


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UserQuerySet":
        """Accounts of the caller's unit subtree (admins only)."""
        from qnwmh.units.paths import subtree_filter

        if not getattr(user, "is_authenticated", False) or not user.is_admin_account:
            return self.none()
        if not user.unit:
            return self.none()
        return self.filter(**subtree_filter("unit__path", user.unit.path))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        return self.get(username=normalize_username(username))


class User(AbstractBaseUser):
    """An account: an admin of a unit, a collective (login = its code) or a judge."""

    username = models.CharField(_("username"), max_length=150, unique=True)
    display_name = models.CharField(_("name"), max_length=100, blank=True)
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
    def is_admin(self) -> bool:
        """业务管理员: the admin of the domain work (collectives, cycles, registrations, jobs).
        The domain apps ask this; the system, security and audit administrators are not
        `is_admin` and see none of that data (docs/decisions/008-separated-admin-roles.md)."""
        return self.holds(AdminRole.BUSINESS)

    def holds(self, role) -> bool:
        """True for an admin account of exactly this role."""
        return self.kind == AccountKind.ADMIN and self.admin_role == role

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


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApiTokenQuerySet":
        """A user sees and ends only their own tokens."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


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


class UserSessionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UserSessionQuerySet":
        """A user sees and ends only their own sessions."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


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
