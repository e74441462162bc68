"""Forms of the collective pages. They parse and bound the input; the rules live in
validators.py and domain.py, which the API calls too."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.imports.sources import MAX_BYTES
from qnwmh.collectives.validators import INDUSTRY_MAX, LEADER_MAX, NAME_MAX, PHONE_MAX
from qnwmh.core.widgets import Select
from qnwmh.units.enums import Line
from qnwmh.units.picker import UnitPickerField

BLANK = [("", "—")]


def _name_field(**attrs):
    return forms.CharField(
        label=_("Canonical name"),
        max_length=NAME_MAX,
        help_text=_("The collective's full, official name. Spaces and punctuation do not count."),
        widget=forms.TextInput(attrs={"autocomplete": "off", **attrs}),
    )


class CollectiveForm(forms.Form):
    name = _name_field()
    unit = forms.Field()  # replaced per user in __init__
    line = forms.ChoiceField(label=_("Line"), choices=Line.choices)
    industry = forms.CharField(label=_("Industry"), max_length=INDUSTRY_MAX, required=False)
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    leader_name = forms.CharField(label=_("Title leader"), max_length=LEADER_MAX, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=PHONE_MAX, required=False)

    def __init__(self, *args, user, candidates_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitPickerField(user, label=_("Jurisdiction (归口单位)"))
        if candidates_url:
            # htmx: look for near-duplicates while the name is typed (the server checks again).
            self.fields["name"].widget.attrs.update(
                {
                    "hx-get": candidates_url,
                    "hx-trigger": "keyup changed delay:400ms",
                    "hx-target": "#candidates",
                }
            )


class RenameForm(forms.Form):
    name = _name_field()


class DetailsForm(forms.Form):
    industry = forms.CharField(label=_("Industry"), max_length=INDUSTRY_MAX, required=False)
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    leader_name = forms.CharField(label=_("Title leader"), max_length=LEADER_MAX, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=PHONE_MAX, required=False)


class UnfreezeForm(forms.Form):
    """Blank choices allowed here: the domain says precisely what is still missing."""

    line = forms.ChoiceField(label=_("Line"), choices=BLANK + Line.choices, required=False)
    ownership = forms.ChoiceField(
        label=_("Ownership"), choices=BLANK + Ownership.choices, required=False
    )
    industry = forms.CharField(label=_("Industry"), max_length=INDUSTRY_MAX, required=False)
    leader_name = forms.CharField(label=_("Title leader"), max_length=LEADER_MAX, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=PHONE_MAX, required=False)


class TransferForm(forms.Form):
    unit = forms.Field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitPickerField(user, label=_("New jurisdiction"))


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Code or name"),
        required=False,
        max_length=200,
        help_text=_("Forgot a code? Search by the collective's name or a former name (找回编码)."),
    )
    unit = forms.Field()
    ownership = forms.ChoiceField(
        label=_("Ownership"), choices=BLANK + Ownership.choices, required=False, widget=Select
    )
    data_ok = forms.ChoiceField(
        label=_("Data qualified"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No (frozen)"))],
        required=False,
        widget=Select,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitPickerField(user, label=_("Unit and below"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_("At most 20 MB and 200,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 20 MB. Please split it and import the parts.")
            )
        return uploaded


class TransferRequestForm(forms.Form):
    """A transfer request from the new-collective page: the existing collective's name, the
    unit of the requester's subtree it should move to, and why (seeds 000 Q4)."""

    name = forms.CharField(label=_("Collective name"), max_length=200)
    unit = forms.Field()
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitPickerField(user, label=_("Requested jurisdiction"))


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason declined"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
