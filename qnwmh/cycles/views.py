"""Pages of cycles (届次): list, create/edit, detail and quota table (progress: qnwmh/reporting).
Thin: parse, call the domain, render."""

from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.core.access import admin_required
from qnwmh.core.errors import DomainError, Forbidden
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
        return _forbidden(request, domain.not_an_organiser())
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
        except Forbidden as exc:
            return _forbidden(request, exc.message)
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
        except Forbidden as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("cycles:detail", pk=cycle.pk)
    return _render_form(request, form, cycle=cycle, status=400)


@admin_required
def cycle_detail(request, pk):
    cycle = _cycle(request, pk)
    split = domain.split_of(cycle, domain.default_split_unit(request.user, cycle))
    quotas = [quota for _unit, quota in split.children if quota is not None]
    context = {
        "cycle": cycle,
        "split": split,
        "quotas": quotas,
        "quota_totals": {
            "required": sum(q.required_registrations for q in quotas),
            "evaluation": sum(q.evaluation_quota for q in quotas),
        },
        "is_open": cycle.is_open(timezone.localdate()),
        "can_edit": rules.can_edit_cycle(request.user, cycle),
        "can_manage_quotas": rules.can_split(request.user, cycle, split.unit),
        "can_delegate": rules.may_delegate_in(request.user, cycle),
    }
    return render(request, "cycles/detail.html", context)


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


def _render_quotas(request, cycle, split, formset, status=200):
    units_by_id = {unit.pk: unit for unit, _quota in split.children}
    totals = _totals(formset)
    allocation = split.allocation
    context = {
        "cycle": cycle,
        "split": split,
        "formset": formset,
        "rows": _quota_rows(formset, units_by_id),
        "totals": totals,
        "unallocated": {
            name: max(0, getattr(allocation, name) - totals[name]) if allocation else 0
            for name in totals
        },
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


def _split_unit(request, cycle: Cycle) -> Unit:
    """`?unit=` (the caller's own unit by default), within the caller's subtree and the
    cycle's organiser's, else 404."""
    unit_id = request.GET.get("unit")
    if unit_id is None:
        return domain.default_split_unit(request.user, cycle)
    if not str(unit_id).isdigit():
        raise Http404
    unit = get_visible_or_404(Unit, request.user, pk=int(unit_id))
    if not cycle.unit.contains(unit):
        raise Http404
    return unit


@admin_required
def quota_edit(request, pk):
    """The 附件1 table of one unit's children (seeds 000): the unit's own allocation on top,
    one row per direct child in the unit order, 未分配 below."""
    cycle = _cycle(request, pk)
    unit = _split_unit(request, cycle)
    if not rules.can_split(request.user, cycle, unit):
        return _forbidden(request, _("Only the unit's own admin splits its allocation."))
    split = domain.split_of(cycle, unit)
    if request.method != "POST":
        initial = [
            {
                "unit": child.pk,
                "required_registrations": getattr(quota, "required_registrations", 0),
                "evaluation_quota": getattr(quota, "evaluation_quota", 0),
            }
            for child, quota in split.children
        ]
        return _render_quotas(request, cycle, split, QuotaFormSet(initial=initial))
    formset = QuotaFormSet(request.POST)
    if formset.is_valid():
        rows = [form.to_row() for form in formset.forms]
        try:
            domain.set_split(request.user, cycle, unit, rows)
        except DomainError as exc:
            _apply_quota_errors(formset, exc)
        else:
            return redirect("cycles:detail", pk=cycle.pk)
    return _render_quotas(request, cycle, split, formset, status=400)


@admin_required
def delegations(request, pk):
    """委托审核 of one tier-1 unit in one cycle (seeds 000 附件3): its units below, each with a
    button to delegate approval to it or to withdraw the delegation."""
    cycle = _cycle(request, pk)
    own = request.user.unit
    if not rules.may_delegate_in(request.user, cycle):
        return _forbidden(
            request, _("Only the admin of a tier-1 unit above it delegates approval to a unit.")
        )
    if request.method == "POST":
        unit_id = request.POST.get("unit", "")
        if not unit_id.isdigit():
            raise Http404
        unit = get_visible_or_404(Unit, request.user, pk=int(unit_id))
        try:
            if request.POST.get("action") == "withdraw":
                domain.withdraw_delegation(request.user, cycle, unit)
            else:
                domain.grant_delegation(request.user, cycle, unit)
        except Forbidden as exc:
            return _forbidden(request, exc.message)
        except DomainError:
            pass  # nothing to withdraw: the page shows the current state
        return redirect("cycles:delegations", pk=cycle.pk)
    granted = {d.unit_id: d for d in domain.delegations(cycle, request.user)}
    units = list(Unit.objects.filter(parent=own).order_by("path"))
    known = {unit.pk for unit in units}
    units += [d.unit for d in granted.values() if d.unit_id not in known]
    rows = [{"unit": unit, "delegation": granted.get(unit.pk)} for unit in units]
    return render(request, "cycles/delegations.html", {"cycle": cycle, "rows": rows})
