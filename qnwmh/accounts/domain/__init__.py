"""Accounts domain (账号与身份鉴别). The modules:

- accounts: creation with one-time credentials, password change and reset, unlock, disable;
- lockout: login attempts and the failure lock (登录失败处理);
- login: the one login check for pages and API, API tokens;
- two_factor: TOTP and recovery codes (双因素认证);
- sessions: the session index, idle and absolute limits, ending sessions (会话管理), also
  another account's by the security administrator (强制下线);
- security_policy: the national security administrator's limits (安全策略).

The names below are the public entry points other apps and the edges import."""

from qnwmh.accounts.domain import security_policy, sessions, two_factor
from qnwmh.accounts.domain.accounts import (
    USERNAME_ALLOWED,
    change_password,
    create_account,
    create_unit_admin,
    reset_password,
    set_active,
    switch_active,
    unlock,
    validate_username,
)
from qnwmh.accounts.domain.login import (
    LoginResult,
    authenticate_login,
    authenticate_second_factor,
    issue_api_token,
    login_message,
    user_for_token,
)

__all__ = [
    "USERNAME_ALLOWED",
    "LoginResult",
    "authenticate_login",
    "authenticate_second_factor",
    "change_password",
    "create_account",
    "create_unit_admin",
    "issue_api_token",
    "login_message",
    "reset_password",
    "security_policy",
    "sessions",
    "set_active",
    "switch_active",
    "two_factor",
    "unlock",
    "user_for_token",
    "validate_username",
]
