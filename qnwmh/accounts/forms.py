from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from qnwmh.accounts.models import POLICY_BOUNDS, SecurityPolicy
from qnwmh.accounts.validators import bound_message


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username or collective code"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class LoginCodeForm(forms.Form):
    """Second step of the login: a code from the authenticator, or a recovery code."""

    otp = forms.CharField(
        label=_("Verification code or recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}
        ),
    )


class TwoFactorCodeForm(forms.Form):
    """A current code from the authenticator (setup confirmation, changes to two-factor)."""

    otp = forms.CharField(
        label=_("6-digit code from the authenticator app"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AccountSearchForm(forms.Form):
    """The security administrator's account list: by username or name, locked ones only."""

    q = forms.CharField(label=_("Username or name"), max_length=150, required=False)
    locked = forms.BooleanField(label=_("Locked accounts only"), required=False)

    def filter(self, accounts, now):
        if not self.is_valid():
            return accounts
        query = self.cleaned_data["q"].strip()
        if query:
            accounts = accounts.filter(
                models.Q(username__icontains=query) | models.Q(display_name__icontains=query)
            )
        if self.cleaned_data["locked"]:
            accounts = accounts.filter(locked_until__gt=now)
        return accounts


class SecurityPolicyForm(forms.Form):
    """安全策略: one whole number per limit, within its range (models.POLICY_BOUNDS); `version`
    is the policy the page showed (a change made meanwhile is not overwritten unseen). Built per
    request, so labels and messages are in the reader's language."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in POLICY_BOUNDS.items():
            model_field = SecurityPolicy._meta.get_field(name)
            message = bound_message(low, high)
            self.fields[name] = forms.IntegerField(
                label=capfirst(model_field.verbose_name),
                help_text=_("%(help)s Allowed: %(low)d–%(high)d.")
                % {"help": model_field.help_text, "low": low, "high": high},
                min_value=low,
                max_value=high,
                disabled=read_only,
                error_messages={"invalid": message, "min_value": message, "max_value": message},
            )
