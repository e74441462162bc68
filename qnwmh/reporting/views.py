"""Pages of reporting: the progress of a cycle below a unit (进度), with its chart. Thin: parse,
compute, render."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qnwmh.core import paths
from qnwmh.core.access import admin_required
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.cycles.models import Cycle
from qnwmh.reporting.chart import bar_chart
from qnwmh.reporting.exports import FORMATS, KINDS, start_export
from qnwmh.reporting.progress import compute_progress
from qnwmh.units.models import Unit


@admin_required
def progress(request, pk):
    cycle = get_visible_or_404(
        Cycle.objects.select_related("unit", "previous"), request.user, pk=pk
    )
    unit_id = request.GET.get("unit") or request.user.unit_id
    if not str(unit_id).isdigit():
        raise Http404
    unit = get_visible_or_404(Unit, request.user, pk=unit_id)
    report = compute_progress(cycle, unit, request.user)
    own_path = request.user.unit.path
    context = {
        "cycle": cycle,
        "unit": unit,
        "report": report,
        "chart": bar_chart(report.rows),
        "breadcrumbs": [u for u in unit.ancestors() if paths.is_within(u.path, own_path)],
    }
    return render(request, "reporting/progress.html", context)


@admin_required
@require_POST
def export(request, pk):
    """The export buttons of the cycle and progress pages: the 申报集体汇总表 or the 名额分配表 of
    the unit (the admin's own by default) as a job; the job page shows progress and download."""
    cycle = get_visible_or_404(Cycle, request.user, pk=pk)
    unit_id = request.POST.get("unit") or request.user.unit_id
    kind, file_format = request.POST.get("kind"), request.POST.get("format", "xlsx")
    if not str(unit_id).isdigit() or kind not in KINDS or file_format not in FORMATS:
        raise Http404
    unit = get_visible_or_404(Unit, request.user, pk=unit_id)
    job = start_export(request.user, kind, cycle, unit, file_format)
    return redirect("jobs:detail", pk=job.pk)
