from django import forms
from django.utils.translation import gettext_lazy as _

from qnwmh.core.roles import AdminRole
from qnwmh.units.enums import Line, Tier


class ChildUnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=100)
    line = forms.ChoiceField(label=_("Line"), choices=Line.choices)
    tier = forms.TypedChoiceField(
        label=_("Tier"), coerce=int, choices=[c for c in Tier.choices if c[0] > 0]
    )


class UnitAdminForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=64,
        help_text=_("Letters, digits, '_', '.' or '-'; 3–64 characters."),
    )
    display_name = forms.CharField(label=_("Name"), max_length=100)
    # One role per account (三权分立); another role for the same person is another account.
    admin_role = forms.ChoiceField(
        label=_("Administrator role"), choices=AdminRole.choices, initial=AdminRole.BUSINESS
    )
