"""The unit picker (docs/performance.md §3): a text box in place of a <select> of every unit of
the admin's subtree, which is 50,000 <option>s for the national committee.

- With htmx, typing asks `units:pick` for at most MAX_MATCHES units of the subtree whose name
  contains the text; they come back as radio buttons carrying the form field's own name, so
  choosing one needs no script of ours (strict CSP: none inline).
- Without JavaScript, the typed name is sent as `<field>_name` and resolved here: one unit
  whose name is exactly it, or the only one containing it. Several → the same radio buttons
  to choose from, with a message; none → a message. The typed text is kept either way.

The field's value stays the unit id under the field's name (`?unit=12`), so links and the
views that read it do not change.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qnwmh.core.access import admin_required
from qnwmh.units.models import Unit

MAX_MATCHES = 20
MAX_TEXT = 100


def _shown(units):
    """Only what a choice shows: its name and its parent's (names repeat across provinces)."""
    return units.select_related("parent").only("id", "name", "path", "parent__name")


def matching_units(user, text: str, limit: int = MAX_MATCHES) -> list[Unit]:
    """Units of the user's subtree whose name contains `text`: the exact name first, then
    names beginning with it, then the rest, each higher tier first. At most `limit`."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return []
    rank = Case(
        When(name=text, then=Value(0)),
        When(name__startswith=text, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    units = _shown(Unit.objects.visible_to(user).filter(name__contains=text))
    units = units.annotate(rank=rank).order_by("rank", "path")
    return list(units[:limit])


class UnitPickerWidget(forms.Widget):
    template_name = "units/widgets/unit_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices: list[Unit] = []  # the radio buttons shown under the text box
        self.selected: Unit | None = None

    def value_from_datadict(self, data, files, name):
        # The text is None when not sent at all (a link with only ?unit=12).
        return data.get(name) or "", data.get(f"{name}_name")

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and f"{name}_name" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        unit_id, text = value if isinstance(value, tuple) else (value, None)
        selected = self.selected
        if selected is None and unit_id not in (None, ""):
            selected = next((u for u in self.choices if str(u.pk) == str(unit_id)), None)
        choices = list(self.choices)
        if selected is not None and all(u.pk != selected.pk for u in choices):
            choices.insert(0, selected)
        context["widget"].update(
            {
                "text": selected.name if selected and not text else (text or ""),
                "text_name": f"{name}_name",
                "choices": choices,
                "selected_id": selected.pk if selected else None,
                "pick_url": f"{reverse('units:pick')}?field={name}",
                "choices_id": f"{attrs.get('id', name)}_choices",
            }
        )
        return context


class UnitPickerField(forms.Field):
    """A unit of `user`'s subtree, chosen by id (the radio button) or by typed name."""

    widget = UnitPickerWidget
    default_error_messages = {
        "invalid_choice": _("Choose a unit of your jurisdiction."),
        "no_match": _("No unit of your jurisdiction has “%(text)s” in its name."),
        "ambiguous": _("Several units match “%(text)s”: choose one below."),
    }

    def __init__(self, user, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # The units it accepts (not rendered: only looked up by id or name).
        self.queryset = Unit.objects.visible_to(user).order_by("path")

    def prepare_value(self, value):
        if isinstance(value, Unit):
            self.widget.selected = value
            return value.pk
        if isinstance(value, (int, str)) and str(value).isdigit() and self.widget.selected is None:
            self.widget.selected = _shown(self.queryset.filter(pk=value)).first()
        return value

    def to_python(self, value):
        unit_id, text = value if isinstance(value, tuple) else (value, None)
        unit_id = str(unit_id or "").strip()
        typed = text is not None
        text = str(text or "").strip()[:MAX_TEXT]
        if unit_id:
            unit = _shown(self.queryset.filter(pk=unit_id)).first() if unit_id.isdigit() else None
            if unit is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            # The chosen button holds unless, without JavaScript, the text box was emptied or
            # changed to something the chosen unit's name does not contain.
            if not typed or (text and text in unit.name):
                self.widget.selected = unit
                return unit
        if not text:
            return None
        matches = matching_units(self.user, text)
        exact = [u for u in matches if u.name == text]
        if len(exact) == 1 or len(matches) == 1:
            unit = exact[0] if len(exact) == 1 else matches[0]
            self.widget.selected = unit
            return unit
        if not matches:
            raise ValidationError(
                self.error_messages["no_match"], code="no_match", params={"text": text}
            )
        self.widget.choices = matches
        raise ValidationError(
            self.error_messages["ambiguous"], code="ambiguous", params={"text": text}
        )


@admin_required
def pick(request):
    """htmx partial: the radio buttons of the units matching the typed name."""
    field = request.GET.get("field", "unit")
    if not field.isidentifier():
        field = "unit"
    text = request.GET.get(f"{field}_name", "")
    return render(
        request,
        "units/_unit_choices.html",
        {
            "choices": matching_units(request.user, text),
            "name": field,
            "selected_id": None,
            "searched": bool(text.strip()),
        },
    )
