from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qnwmh.core.downloads import attachment
from qnwmh.core.errors import DomainError
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.jobs import recovery
from qnwmh.jobs.models import Job


@login_required
def detail(request, pk):
    job = get_visible_or_404(Job, request.user, pk=pk)
    if recovery.is_stale(job) and recovery.reap(pk=job.pk):
        job.refresh_from_db()
    template = "jobs/_status.html" if request.htmx else "jobs/detail.html"
    context = {"job": job, "can_restart": recovery.can_restart(request.user, job)}
    return render(request, template, context)


@login_required
@require_POST
def restart(request, pk):
    """Only the job's starter restarts it: anyone else finds nothing here (404)."""
    job = get_visible_or_404(Job.objects.filter(created_by=request.user), request.user, pk=pk)
    try:
        recovery.restart(request.user, job)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def download(request, pk):
    job = get_visible_or_404(Job, request.user, pk=pk)
    if not job.output_file:
        raise Http404
    return attachment(job.output_file.open("rb"), job.output_name)
