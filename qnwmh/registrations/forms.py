"""Forms of the registration pages. They parse what was typed; the checks that matter live in
validators.py and eligibility.py and run again in the domain, so the API gets the same answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qnwmh.collectives.enums import Ownership
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.registrations import validators
from qnwmh.registrations.enums import RegistrationState
from qnwmh.units.models import Unit

AWAITING = "awaiting"


def _text(label, limit, *, textarea=False, **attrs):
    widget = forms.Textarea(attrs={"rows": 4, **attrs}) if textarea else forms.TextInput(attrs)
    return forms.CharField(label=label, max_length=limit, required=False, widget=widget)


class RegistrationForm(forms.Form):
    """集体档案 + 创建计划. Everything may stay blank in a draft; submitting needs more."""

    member_count = forms.IntegerField(
        label=_("Number of members"),
        min_value=0,
        max_value=validators.MAX_MEMBERS,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    youth_count = forms.IntegerField(
        label=_("Members aged 35 or under"),
        min_value=0,
        max_value=validators.MAX_MEMBERS,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    leader_name = _text(_("Title leader's name"), 50, autocomplete="name")
    leader_birth_date = forms.DateField(
        label=_("Title leader's date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ownership = forms.ChoiceField(
        label=_("Ownership type"), choices=[("", "—"), *Ownership.choices], required=False
    )
    industry = _text(_("Industry"), 50)
    phone = _text(_("Contact phone"), 30, inputmode="tel", autocomplete="tel")
    address = _text(_("Address"), 200)
    goals = _text(_("Creation goals"), 5000, textarea=True)
    measures = _text(_("Creation measures"), 5000, textarea=True)
    commitment = _text(_("Public commitments"), 5000, textarea=True)

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["youth_count"].label = _("Members aged %(age)d or under") % {
            "age": cycle.youth_max_age
        }
        self.fields["member_count"].help_text = _("%(min)d to %(max)d members.") % {
            "min": cycle.min_members,
            "max": cycle.max_members,
        }
        self.fields["youth_count"].help_text = _("At least %(percent)d%% of the members.") % {
            "percent": cycle.min_youth_percent
        }
        self.fields["leader_birth_date"].help_text = _(
            "The leader may be at most %(age)d years old."
        ) % {"age": cycle.leader_max_age}


class PriorTitleForm(forms.Form):
    """One row of 已获称号: level, year, name."""

    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    year = forms.IntegerField(
        label=_("Year"),
        min_value=validators.FIRST_TITLE_YEAR,
        max_value=2100,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    name = forms.CharField(label=_("Title name"), max_length=200, required=False)


PriorTitleFormSet = forms.formset_factory(
    PriorTitleForm, extra=2, max_num=validators.MAX_PRIOR_TITLES, validate_max=True
)
TITLES_PREFIX = "titles"


def initial_from(registration) -> tuple[dict, list[dict]]:
    if registration is None:
        return {}, []
    values = {
        key: getattr(registration, key)
        for key in (*validators.PROFILE_FIELDS, *validators.PLAN_FIELDS)
        if key != "prior_titles"
    }
    return values, list(registration.prior_titles)


def draft_from(form: RegistrationForm, formset) -> tuple[dict, dict]:
    """The (profile, plan) of what was typed; invalid fields count as blank (the live panel
    reads half-typed forms too)."""
    data = getattr(form, "cleaned_data", {})
    profile = {key: data.get(key) for key in validators.PROFILE_FIELDS if key != "prior_titles"}
    profile["prior_titles"] = [
        {"level": row.get("level", ""), "year": row.get("year"), "name": row.get("name", "")}
        for row in (getattr(f, "cleaned_data", {}) for f in formset.forms)
        if row.get("level") or row.get("year") or row.get("name")
    ]
    plan = {key: data.get(key) or "" for key in validators.PLAN_FIELDS}
    return profile, plan


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class _ScopedFilters(forms.Form):
    """Cycle and unit choices come from the admin's visible rows; a value outside them is not
    a filter but a look outside the subtree (the view answers 404)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = Cycle.objects.visible_to(user).order_by(
            "-registration_closes", "-id"
        )
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        # Offer the own unit and the units right below; any unit of the subtree is accepted.
        offered = Unit.objects.filter(pk=user.unit_id) | Unit.objects.filter(parent=user.unit_id)
        self.fields["unit"].widget.choices = [
            ("", self.fields["unit"].empty_label),
            *((u.pk, u.name) for u in offered.order_by("path")),
        ]

    def outside_subtree(self) -> bool:
        """A cycle or unit id that is not among the visible ones."""
        errors = self.errors.as_data()
        return any(
            error.code == "invalid_choice"
            for field in ("cycle", "unit")
            for error in errors.get(field, [])
        )


class QueueFilterForm(_ScopedFilters):
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=Cycle.objects.none(), required=False, empty_label=_("All")
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[(AWAITING, _("Awaiting my action")), ("", _("All")), *RegistrationState.choices],
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )
    q = forms.CharField(label=_("Code or name"), max_length=100, required=False)


class ExportForm(_ScopedFilters):
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=Cycle.objects.none(), empty_label=_("Choose a cycle")
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("My whole jurisdiction"),
    )


class ProgressForm(forms.Form):
    q = forms.CharField(label=_("Code, name or former name"), max_length=100, required=False)
