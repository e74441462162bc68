from django import forms
from django.utils.translation import gettext_lazy as _


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address for notifications"),
        required=False,
        max_length=254,
        help_text=_("Leave it empty to receive notifications here only."),
    )


class ListFilter(forms.Form):
    """?unread=1: only the unread ones."""

    unread = forms.BooleanField(required=False)
