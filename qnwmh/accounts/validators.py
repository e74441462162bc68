"""Password policy (等保 2.0 三级 身份鉴别): length, character classes, no username, not common.
Plugged into AUTH_PASSWORD_VALIDATORS so pages, API and commands check the same rules."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qnwmh.accounts.models import POLICY_BOUNDS

CHARACTER_CLASSES = (
    set(string.ascii_lowercase),
    set(string.ascii_uppercase),
    set(string.digits),
)


def count_character_classes(password: str) -> int:
    """Lower case, upper case, digits, and everything else (symbols, CJK…) as the fourth."""
    found = [any(ch in cls for ch in password) for cls in CHARACTER_CLASSES]
    found.append(any(not any(ch in cls for cls in CHARACTER_CLASSES) for ch in password))
    return sum(found)


class CharacterClassesValidator:
    def __init__(self, required: int = 3):
        self.required = required

    def validate(self, password, user=None):
        if count_character_classes(password) < self.required:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return ngettext(
            "The password must mix at least %(n)d of: lower-case letters, upper-case letters, "
            "digits, symbols.",
            "The password must mix at least %(n)d of: lower-case letters, upper-case letters, "
            "digits, symbols.",
            self.required,
        ) % {"n": self.required}


class NotContainingUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError(self.get_help_text(), code="password_contains_username")

    def get_help_text(self):
        return _("The password must not contain the username.")


def policy_bound_errors(values: dict) -> dict[str, list[str]]:
    """安全策略: {field: [message]} for every limit missing or outside the range that keeps the
    等保 三级 controls (models.POLICY_BOUNDS)."""
    errors = {}
    for name, (low, high) in POLICY_BOUNDS.items():
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = [bound_message(low, high)]
    return errors


def bound_message(low: int, high: int) -> str:
    return _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
