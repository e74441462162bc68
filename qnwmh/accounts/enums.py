from django.db import models
from django.utils.translation import gettext_lazy as _

# The kinds and roles live in core (the audit log and the guards below accounts read them).
from qnwmh.core.roles import AccountKind, AdminRole

__all__ = [
    "FAILED_LOGIN_OUTCOMES",
    "RESETTING_LOGIN_OUTCOMES",
    "AccountKind",
    "AdminRole",
    "LoginChannel",
    "LoginOutcome",
]


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
