"""The collective's pages: 我的申请, the registration form with its live eligibility panel, the
submission with a confirmation. Built for a 号长 on a phone: one column, large targets."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.registrations import domain, eligibility
from qnwmh.registrations.forms import (
    TITLES_PREFIX,
    PriorTitleFormSet,
    RegistrationForm,
    draft_from,
    initial_from,
)
from qnwmh.registrations.models import Registration
from qnwmh.registrations.views.common import apply_errors, collective_required


@collective_required
def mine(request):
    """我的申请: the collective's registrations with their states, and the cycles open to it."""
    collective = domain.collective_of(request.user)
    registrations = collective.registrations.select_related("cycle").order_by(
        "-cycle__registration_closes", "-id"
    )
    page = paginate(registrations, request.GET)
    today = eligibility.today_in_shanghai()
    open_cycles = (
        domain.registrable_cycles(collective)
        .filter(registration_opens__lte=today, registration_closes__gte=today)
        .exclude(registrations__collective=collective)
        .select_related("unit")
        .order_by("registration_closes", "id")
    )
    return render(
        request,
        "registrations/mine.html",
        {"collective": collective, "page": page, "open_cycles": open_cycles},
    )


def _own_registration(collective, cycle):
    return (
        Registration.objects.filter(cycle=cycle, collective=collective)
        .select_related("cycle__unit", "unit")
        .first()
    )


def _render_form(request, cycle, collective, registration, form, formset, status=200):
    if form.is_bound:
        profile, _plan = draft_from(form, formset)
    else:
        profile = domain.profile_of(registration) if registration else {"prior_titles": []}
    results = eligibility.assess(cycle, collective, profile, registration)
    context = {
        "cycle": cycle,
        "registration": registration,
        "form": form,
        "formset": formset,
        "results": results,
    }
    return render(request, "registrations/form.html", context, status=status)


@collective_required
def edit(request, cycle_id):
    """The form: 保存草稿 stores; 提交 stores and goes on to the confirmation."""
    collective = domain.collective_of(request.user)
    cycle = domain.registrable_cycle(collective, cycle_id)
    registration = _own_registration(collective, cycle)
    if registration is not None and not registration.is_editable:
        return redirect("registrations:detail", pk=registration.pk)
    if request.method != "POST":
        values, titles = initial_from(registration)
        form = RegistrationForm(initial=values, cycle=cycle)
        formset = PriorTitleFormSet(initial=titles, prefix=TITLES_PREFIX)
        return _render_form(request, cycle, collective, registration, form, formset)
    form = RegistrationForm(request.POST, cycle=cycle)
    formset = PriorTitleFormSet(request.POST, prefix=TITLES_PREFIX)
    if form.is_valid() and formset.is_valid():
        try:
            registration = domain.save_draft(request.user, cycle, *draft_from(form, formset))
        except DomainError as exc:
            apply_errors(form, exc)
            status = exc.status
        else:
            if request.POST.get("action") == "submit":
                return redirect("registrations:confirm_submit", cycle_id=cycle.pk)
            messages.success(request, _("The draft has been saved."))
            return redirect("registrations:edit", cycle_id=cycle.pk)
    else:
        status = 400
    return _render_form(request, cycle, collective, registration, form, formset, status)


@collective_required
@require_POST
def eligibility_panel(request, cycle_id):
    """The live panel (htmx): the rules evaluated on what is typed now, nothing stored."""
    collective = domain.collective_of(request.user)
    cycle = domain.registrable_cycle(collective, cycle_id)
    form = RegistrationForm(request.POST, cycle=cycle)
    formset = PriorTitleFormSet(request.POST, prefix=TITLES_PREFIX)
    form.is_valid()
    formset.is_valid()
    profile, _plan = draft_from(form, formset)
    registration = _own_registration(collective, cycle)
    results = eligibility.assess(cycle, collective, profile, registration)
    return render(request, "registrations/_eligibility.html", {"results": results})


@collective_required
def confirm_submit(request, cycle_id):
    """确认提交: what will be sent and whether it qualifies; POST submits."""
    collective = domain.collective_of(request.user)
    cycle = domain.registrable_cycle(collective, cycle_id)
    registration = _own_registration(collective, cycle)
    if registration is None:
        return redirect("registrations:edit", cycle_id=cycle.pk)
    error, status = None, 200
    if request.method == "POST":
        try:
            domain.submit(request.user, registration)
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, _("Submitted. Your managing unit will review it."))
            return redirect("registrations:detail", pk=registration.pk)
    elif not registration.is_editable:
        return redirect("registrations:detail", pk=registration.pk)
    results = eligibility.assess(cycle, collective, domain.profile_of(registration), registration)
    context = {
        "cycle": cycle,
        "registration": registration,
        "results": results,
        "prior_titles": eligibility.title_texts(registration.prior_titles),
        "error": error,
    }
    return render(request, "registrations/confirm_submit.html", context, status=status)
