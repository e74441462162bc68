"""Pages of reporting: the progress of a cycle below a unit (进度), with its chart. Thin: parse,
compute, render."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from qnwmh.core.views import admin_required
from qnwmh.cycles.models import Cycle
from qnwmh.reporting.chart import bar_chart
from qnwmh.reporting.progress import compute_progress
from qnwmh.units.models import Unit


@admin_required
def progress(request, pk):
    cycles = Cycle.objects.visible_to(request.user).select_related("unit", "previous")
    cycle = get_object_or_404(cycles, pk=pk)
    unit_id = request.GET.get("unit") or request.user.unit_id
    if not str(unit_id).isdigit():
        raise Http404
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=unit_id)
    report = compute_progress(cycle, unit, request.user)
    own_path = request.user.unit.path
    context = {
        "cycle": cycle,
        "unit": unit,
        "report": report,
        "chart": bar_chart(report.rows),
        "breadcrumbs": [u for u in unit.ancestors() if u.path.startswith(own_path)],
    }
    return render(request, "reporting/progress.html", context)
