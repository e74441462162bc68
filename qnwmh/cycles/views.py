"""Pages of cycles (届次): list, create/edit, detail and quota table (progress: qnwmh/reporting).
Thin: parse, call the domain, render."""

from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.core.access import admin_required
from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.core.views import apply_errors
from qnwmh.cycles import domain, rules
from qnwmh.cycles.enums import Level
from qnwmh.cycles.forms import CycleForm, QuotaFormSet
from qnwmh.cycles.models import Cycle
from qnwmh.units.models import Unit


def _cycle(request, pk) -> Cycle:
    return get_visible_or_404(Cycle.objects.select_related("unit", "previous"), request.user, pk=pk)


def _forbidden(request, message=None):
    message = message or _("You do not have permission to do this.")
    return render(request, "web/error.html", {"message": message}, status=403)


@admin_required
def cycle_list(request):
    cycles = (
        Cycle.objects.visible_to(request.user)
        .select_related("unit", "previous")
        .annotate(required_total=Sum("quotas__required_registrations"))
        .order_by("-registration_closes", "-id")
    )
    level = request.GET.get("level", "")
    if level in Level.values:
        cycles = cycles.filter(level=level)
    context = {
        "page": paginate(cycles, request.GET),
        "levels": Level.choices,
        "level": level,
        "today": timezone.localdate(),
        "can_create": rules.is_cycle_organiser(request.user),
    }
    return render(request, "cycles/list.html", context)


def _render_form(request, form, *, cycle=None, status=200):
    return render(request, "cycles/form.html", {"form": form, "cycle": cycle}, status=status)


@admin_required
def cycle_create(request):
    if not rules.is_cycle_organiser(request.user):
        return _forbidden(
            request, _("Only the national committee and tier-1 admins set up cycles.")
        )
    if request.method != "POST":
        level = request.GET.get("level")
        initial = CycleForm.initial_for(
            request.user, level if level in Level.values else "NATIONAL"
        )
        return _render_form(request, CycleForm(user=request.user, initial=initial))
    form = CycleForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            cycle = domain.create_cycle(request.user, form.to_input())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("cycles:detail", pk=cycle.pk)
    return _render_form(request, form, status=400)


@admin_required
def cycle_edit(request, pk):
    cycle = _cycle(request, pk)
    if not rules.can_edit_cycle(request.user, cycle):
        return _forbidden(request)
    if request.method != "POST":
        form = CycleForm(user=request.user, instance=cycle, initial=CycleForm.initial_from(cycle))
        return _render_form(request, form, cycle=cycle)
    form = CycleForm(request.POST, user=request.user, instance=cycle)
    if form.is_valid():
        try:
            domain.update_cycle(request.user, cycle, form.to_input())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("cycles:detail", pk=cycle.pk)
    return _render_form(request, form, cycle=cycle, status=400)


@admin_required
def cycle_detail(request, pk):
    cycle = _cycle(request, pk)
    quotas = domain.quota_table(cycle)
    context = {
        "cycle": cycle,
        "quotas": quotas,
        "quota_totals": {
            "required": sum(q.required_registrations for q in quotas),
            "evaluation": sum(q.evaluation_quota for q in quotas),
        },
        "is_open": cycle.is_open(timezone.localdate()),
        "can_edit": rules.can_edit_cycle(request.user, cycle),
        "can_manage_quotas": rules.can_manage_quotas(request.user, cycle),
    }
    return render(request, "cycles/detail.html", context)


def _quota_units(cycle: Cycle) -> list[Unit]:
    """One row per unit directly below the organising unit, plus any unit deeper down that
    already has a quota (so saving the page never drops it)."""
    quota_units = cycle.quotas.values("unit_id")
    units = Unit.objects.filter(parent=cycle.unit) | Unit.objects.filter(pk__in=quota_units)
    return list(units.order_by("path"))


def _quota_rows(formset, units_by_id):
    rows = []
    for form in formset.forms:
        unit_id = form["unit"].value()
        rows.append({"form": form, "unit": units_by_id.get(_int(unit_id))})
    return rows


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _totals(formset) -> dict:
    return {
        name: sum(_int(form[name].value()) for form in formset.forms)
        for name in ("required_registrations", "evaluation_quota")
    }


def _render_quotas(request, cycle, formset, units, status=200):
    units_by_id = {unit.pk: unit for unit in units}
    context = {
        "cycle": cycle,
        "formset": formset,
        "rows": _quota_rows(formset, units_by_id),
        "totals": _totals(formset),
    }
    return render(request, "cycles/quotas.html", context, status=status)


def _apply_quota_errors(formset, exc: DomainError):
    for key, errors in exc.fields.items():
        index, _dot, field = key.partition(".")
        form = formset.forms[int(index)] if index.isdigit() else None
        for error in errors:
            if form is not None and field in form.fields:
                form.add_error(field, error)
            else:
                formset._non_form_errors = formset.error_class([error])
    if not exc.fields:
        formset._non_form_errors = formset.error_class([exc.message])


@admin_required
def quota_edit(request, pk):
    cycle = _cycle(request, pk)
    if not rules.can_manage_quotas(request.user, cycle):
        return _forbidden(
            request, _("Only the cycle's organising unit and the units above it set quotas.")
        )
    units = _quota_units(cycle)
    if request.method != "POST":
        current = {q.unit_id: q for q in cycle.quotas.all()}
        initial = [
            {
                "unit": unit.pk,
                "required_registrations": getattr(
                    current.get(unit.pk), "required_registrations", 0
                ),
                "evaluation_quota": getattr(current.get(unit.pk), "evaluation_quota", 0),
            }
            for unit in units
        ]
        return _render_quotas(request, cycle, QuotaFormSet(initial=initial), units)
    formset = QuotaFormSet(request.POST)
    if formset.is_valid():
        rows = [form.to_row() for form in formset.forms]
        try:
            domain.set_quotas(request.user, cycle, rows)
        except DomainError as exc:
            _apply_quota_errors(formset, exc)
        else:
            return redirect("cycles:detail", pk=cycle.pk)
    return _render_quotas(request, cycle, formset, units, status=400)
