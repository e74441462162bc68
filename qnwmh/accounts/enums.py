from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    ADMIN = "ADMIN", _("Administrator")
    COLLECTIVE = "COLLECTIVE", _("Collective")
    JUDGE = "JUDGE", _("Judge")


class AdminRole(models.TextChoices):
    """三权分立 (等保 2.0 三级 8.1.4.2 d, docs/decisions/008-separated-admin-roles.md): every
    admin account holds exactly one of these; no account holds two."""

    # The Youth League's domain work: collectives and their accounts, cycles, quotas,
    # registrations, review, exports.
    BUSINESS = "BUSINESS", _("Business administrator")
    # Admin accounts of the own unit and the units below, the units themselves, settings.
    SYSTEM = "SYSTEM", _("System administrator")
    # Lockouts, two-factor resets, sessions and login history of other accounts.
    SECURITY = "SECURITY", _("Security administrator")
    # Reads the audit log and its verification, nothing else.
    AUDIT = "AUDIT", _("Audit administrator")


class LoginChannel(models.TextChoices):
    WEB = "web", _("Web page")
    API = "api", _("API")


class LoginOutcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    BAD_CREDENTIALS = "invalid_credentials", _("Wrong username or password")
    LOCKED = "account_locked", _("Account locked")
    THROTTLED = "address_throttled", _("Too many attempts from this address")
    INACTIVE = "account_disabled", _("Account disabled")
    UNLOCKED = "unlocked", _("Unlocked by an admin")
    # The password was right; the account uses two-factor login and the code is still to come.
    OTP_REQUIRED = "otp_required", _("Password right, verification code pending")
    BAD_OTP = "invalid_otp", _("Wrong or reused verification code")


# Outcomes that count towards the lockout and the address throttle: a wrong second factor is a
# failed login like a wrong password (等保 登录失败处理).
FAILED_LOGIN_OUTCOMES = (LoginOutcome.BAD_CREDENTIALS, LoginOutcome.BAD_OTP)
# A success or an admin's unlock wipes the slate: earlier failures no longer count.
RESETTING_LOGIN_OUTCOMES = (LoginOutcome.SUCCESS, LoginOutcome.UNLOCKED)
