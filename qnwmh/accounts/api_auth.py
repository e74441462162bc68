"""Bearer-token authentication for API v1 (../shared/API.md, Conventions)."""

from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from qnwmh.accounts.domain import two_factor
from qnwmh.accounts.domain.login import touch_token, user_for_token
from qnwmh.accounts.domain.two_factor import TwoFactorSetupRequired
from qnwmh.core.errors import Forbidden, NotAuthenticated


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"

    def __init__(self):
        super().__init__(
            _(
                "This password is one-time: change it with POST /api/v1/auth/password "
                "before anything else."
            )
        )


class BearerAuth(HttpBearer):
    """A valid token of an active account; a one-time password opens nothing but the change,
    and an admin still to set up two-factor login nothing but the password and two-factor
    endpoints."""

    allow_one_time_password = False
    allow_two_factor_setup = False

    def authenticate(self, request, token):
        found = user_for_token(token) if token else None
        if found is None:
            raise NotAuthenticated()
        user, api_token = found
        if user.must_change_password and not self.allow_one_time_password:
            raise PasswordChangeRequired()
        if not self.allow_two_factor_setup and two_factor.setup_pending(user):
            raise TwoFactorSetupRequired()
        request.user = user
        request.api_token = api_token
        touch_token(api_token)
        return user

    def __call__(self, request):
        if not request.headers.get("Authorization", "").lower().startswith("bearer "):
            raise NotAuthenticated()
        return super().__call__(request)


class BearerAuthOneTimeAllowed(BearerAuth):
    """POST /auth/password: open to one-time passwords and to admins still to set up TOTP."""

    allow_one_time_password = True
    allow_two_factor_setup = True


class BearerAuthTwoFactorSetup(BearerAuth):
    """The two-factor endpoints: open to admins still to set up TOTP (after the password)."""

    allow_two_factor_setup = True
