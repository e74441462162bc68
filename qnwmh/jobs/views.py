from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from qnwmh.core.downloads import attachment
from qnwmh.core.scoping import get_visible_or_404
from qnwmh.jobs.models import Job


@login_required
def detail(request, pk):
    job = get_visible_or_404(Job, request.user, pk=pk)
    template = "jobs/_status.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job})


@login_required
def download(request, pk):
    job = get_visible_or_404(Job, request.user, pk=pk)
    if not job.output_file:
        raise Http404
    return attachment(job.output_file.open("rb"), job.output_name)
