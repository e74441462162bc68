"""Pages of reporting: the progress of a cycle below a unit (进度), with its chart. Thin: parse,
compute, render."""

from django.http import Http404
from django.shortcuts import render

from qnwmh.core import paths
from qnwmh.core.access import admin_required
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.cycles.models import Cycle
from qnwmh.reporting.chart import bar_chart
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
