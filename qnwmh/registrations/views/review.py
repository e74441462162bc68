"""The reviewers' pages, and the registration detail both sides share. Every queryset starts
from `visible_to(request.user)`: outside the admin's subtree there is nothing (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qnwmh.core.errors import DomainError
from qnwmh.core.pagination import paginate
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.jobs.domain import start
from qnwmh.registrations import domain, eligibility, queries, rules
from qnwmh.registrations.enums import Action
from qnwmh.registrations.exports import export_format, export_summary
from qnwmh.registrations.forms import (
    AWAITING,
    ExportForm,
    ProgressForm,
    QueueFilterForm,
    ReasonForm,
)
from qnwmh.registrations.models import Registration
from qnwmh.registrations.views.common import admin_required, apply_errors

ACTION_SLUGS = {
    "pre-approve": Action.PRE_APPROVE,
    "approve": Action.APPROVE,
    "return": Action.RETURN,
    "cancel": Action.CANCEL,
}
DONE_MESSAGES = {
    Action.PRE_APPROVE: gettext_lazy("Passed preliminary review."),
    Action.APPROVE: gettext_lazy("Approved: it is now a creating collective."),
    Action.RETURN: gettext_lazy("Returned to the collective."),
    Action.CANCEL: gettext_lazy("The creation qualification has been cancelled."),
}


def _registration(request, pk) -> Registration:
    registrations = Registration.objects.select_related("cycle__unit", "collective__unit", "unit")
    return get_visible_or_404(registrations, request.user, pk=pk)


def _render_detail(request, registration, *, reason_forms=None, status=200):
    user = request.user
    own = rules.is_own_collective(user, registration)
    if own and registration.is_editable:
        profile = domain.profile_of(registration)
        results = eligibility.assess(
            registration.cycle, registration.collective, profile, registration
        )
    else:
        results = registration.eligibility
    reason_forms = reason_forms or {}
    actions = rules.allowed_review_actions(user, registration)
    context = {
        "registration": registration,
        "history": registration.history.select_related("actor__unit"),
        "results": results,
        "prior_titles": eligibility.title_texts(registration.prior_titles),
        "own": own,
        "can_edit": rules.can_edit(user, registration),
        "actions": actions,
        "return_form": reason_forms.get(Action.RETURN) or ReasonForm(prefix="return"),
        "cancel_form": reason_forms.get(Action.CANCEL) or ReasonForm(prefix="cancel"),
        "Action": {a.name: a for a in Action},
    }
    return render(request, "registrations/detail.html", context, status=status)


@login_required
def detail(request, pk):
    """One registration: profile, plan, eligibility, timeline; for reviewers only the buttons
    they may use."""
    return _render_detail(request, _registration(request, pk))


def _decide(user, registration, action, reason):
    if action == Action.PRE_APPROVE:
        return domain.pre_approve(user, registration)
    if action == Action.APPROVE:
        return domain.approve(user, registration)
    if action == Action.RETURN:
        return domain.return_registration(user, registration, reason)
    return domain.cancel(user, registration, reason)


@admin_required
@require_POST
def act(request, pk, slug):
    """初审通过 / 审核通过 / 退回 / 取消创建资格 from the detail page."""
    action = ACTION_SLUGS.get(slug)
    if action is None:
        raise Http404
    registration = _registration(request, pk)
    form = ReasonForm(request.POST, prefix=action.value)
    reason = form.data.get(form.add_prefix("reason"), "")
    try:
        _decide(request.user, registration, action, reason)
    except DomainError as exc:
        if action in (Action.RETURN, Action.CANCEL) and exc.fields:
            form.is_valid()
            apply_errors(form, exc)
            return _render_detail(
                request, registration, reason_forms={action: form}, status=exc.status
            )
        messages.error(request, exc.message)
    else:
        messages.success(request, DONE_MESSAGES[action])
    return redirect("registrations:detail", pk=registration.pk)


@admin_required
def queue(request):
    """审核队列: registrations of the subtree, by default those awaiting this admin's action."""
    data = request.GET.copy()
    data.setdefault("state", AWAITING)
    form = QueueFilterForm(request.user, data)
    if not form.is_valid() and form.outside_subtree():
        raise Http404
    filters = form.cleaned_data
    state = filters.get("state", AWAITING)
    rows = queries.review_rows(
        request.user,
        cycle=filters.get("cycle"),
        unit=filters.get("unit"),
        q=filters.get("q", ""),
        state="" if state == AWAITING else state,
        awaiting=state == AWAITING,
    )
    page = paginate(rows.order_by("submitted_at", "id"), request.GET)
    rows = [(r, rules.can_pre_approve(request.user, r)) for r in page.items]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "bulk": any(selectable for _r, selectable in rows),
    }
    return render(request, "registrations/queue.html", context)


def _chosen_ids(request) -> list[int]:
    return [int(raw) for raw in request.POST.getlist("ids") if raw.isdigit()][: domain.MAX_BULK]


@admin_required
@require_POST
def bulk_pre_approve(request):
    """批量初审: the chosen rows → a confirmation listing them → per-item results."""
    ids = _chosen_ids(request)
    if not ids:
        messages.error(request, _("Choose at least one registration."))
        return redirect("registrations:queue")
    if request.POST.get("confirm") != "yes":
        chosen = (
            Registration.objects.visible_to(request.user)
            .filter(pk__in=ids)
            .select_related("cycle", "collective", "unit")
            .order_by("submitted_at", "id")
        )
        rows = [(r, rules.can_pre_approve(request.user, r)) for r in chosen]
        return render(request, "registrations/bulk_confirm.html", {"rows": rows})
    results = domain.bulk_pre_approve(request.user, ids)
    done = sum(1 for r in results if r.ok)
    return render(
        request,
        "registrations/bulk_done.html",
        {"results": results, "done": done, "failed": len(results) - done},
    )


@admin_required
def progress(request):
    """进度查询: collectives of the subtree by code, name or former name, each with its
    registrations and their states (seeds 000 附件3 step 4)."""
    form = ProgressForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    collectives = queries.progress_search(request.user, q)
    page = paginate(collectives, request.GET)
    return render(request, "registrations/progress.html", {"form": form, "page": page, "q": q})


@admin_required
def export(request):
    """申报集体汇总表: a background job over the chosen cycle and the admin's subtree, as Excel or
    CSV (the button pressed); the job page shows progress and the download."""
    posted = request.method == "POST"
    form = ExportForm(request.user, request.POST if posted else None)
    if posted:
        if form.is_valid():
            cycle = form.cleaned_data["cycle"]
            unit = form.cleaned_data["unit"] or request.user.unit
            job = start(
                export_summary,
                actor=request.user,
                title=_("Summary of applying collectives: %(cycle)s · %(unit)s")
                % {"cycle": cycle.name, "unit": unit.name},
                params={"cycle": cycle.pk, "unit": unit.pk, "format": export_format(request)},
                scope_unit=unit,
            )
            return redirect("jobs:detail", pk=job.pk)
        if form.outside_subtree():
            raise Http404
    status = 400 if posted else 200
    return render(request, "registrations/export.html", {"form": form}, status=status)
