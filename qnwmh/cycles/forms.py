import json

from django import forms
from django.utils.translation import gettext_lazy as _

from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.cycles.validators import CycleInput, QuotaRow, default_rules
from qnwmh.units.models import Unit
from qnwmh.units.picker import UnitPickerField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "　" * max(0, obj.depth - 1) + obj.name


class CycleForm(forms.Form):
    """A cycle and its rule settings. Only the types are checked here; the rules of the domain
    (validators.validate_cycle) decide the rest, for pages and API alike."""

    name = forms.CharField(
        label=_("Cycle name"),
        max_length=100,
        help_text=_("For example: 2025—2026年度全国青年文明号"),
    )
    level = forms.ChoiceField(label=_("Platform level"), choices=Level.choices)
    unit = UnitChoiceField(label=_("Organising unit"), queryset=Unit.objects.none())
    previous = forms.ModelChoiceField(
        label=_("Previous cycle"), queryset=Cycle.objects.none(), required=False
    )
    registration_opens = forms.DateField(
        label=_("Registration opens"),
        widget=DateInput(),
        required=False,
        help_text=_("With a previous cycle, leave empty: the day after its deadline."),
    )
    registration_closes = forms.DateField(label=_("Registration closes"), widget=DateInput())
    evaluation_quota_multiplier = forms.IntegerField(
        label=_("Creation-to-evaluation ratio"),
        help_text=_("Creating collectives must reach this multiple of the evaluation quota."),
    )
    min_members = forms.IntegerField(label=_("Minimum members"))
    max_members = forms.IntegerField(label=_("Maximum members"))
    youth_max_age = forms.IntegerField(label=_("Youth maximum age"))
    min_youth_percent = forms.IntegerField(label=_("Minimum youth share (%)"))
    leader_max_age = forms.IntegerField(label=_("Leader maximum age"))
    prior_title_levels = forms.MultipleChoiceField(
        label=_("Qualifying prior titles"),
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A collective must already hold a title of one of these levels."),
    )
    prior_title_min_year = forms.IntegerField(
        label=_("Prior title awarded in or after"),
        required=False,
        help_text=_("Leave empty to accept a title of any year."),
    )
    approval_delegated = forms.BooleanField(
        label=_("Tier-2 and tier-3 admins may approve"), required=False
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        # A picker, not a <select> of every unit of the subtree (docs/performance.md §3).
        self.fields["unit"] = UnitPickerField(user, label=_("Organising unit"))
        previous = Cycle.objects.visible_to(user).select_related("unit")
        if instance is not None:
            previous = previous.exclude(pk=instance.pk)
        self.fields["previous"].queryset = previous
        # The defaults per level, for the small script that refills the rules on a level change.
        self.level_defaults = json.dumps({level: default_rules(level) for level in Level.values})

    @classmethod
    def initial_for(cls, user, level=Level.NATIONAL) -> dict:
        return {"level": level, "unit": user.unit_id, **default_rules(level)}

    @classmethod
    def initial_from(cls, cycle: Cycle) -> dict:
        from qnwmh.cycles.validators import CYCLE_FIELDS

        initial = {name: getattr(cycle, name) for name in CYCLE_FIELDS}
        initial["unit"] = cycle.unit_id
        initial["previous"] = cycle.previous_id
        return initial

    def to_input(self) -> CycleInput:
        data = dict(self.cleaned_data)
        data["prior_title_levels"] = list(data["prior_title_levels"])
        return CycleInput(**data)


class QuotaForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    required_registrations = forms.IntegerField(label=_("Required registrations"), min_value=0)
    evaluation_quota = forms.IntegerField(label=_("Evaluation quota"), min_value=0)

    def to_row(self) -> QuotaRow:
        return QuotaRow(**self.cleaned_data)


QuotaFormSet = forms.formset_factory(QuotaForm, extra=0, max_num=2000, validate_max=True)
