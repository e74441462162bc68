from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from qnwmh.core import health
from qnwmh.units.models import Unit


@login_required
def home(request):
    user = request.user
    context = {}
    if user.is_admin_account:
        context["unit"] = user.unit
        context["child_count"] = Unit.objects.filter(parent=user.unit).count()
        context["subtree_count"] = Unit.objects.subtree_of(user.unit).count() - 1
    return render(request, "web/home.html", context)


@never_cache
def healthz(request):
    """200 "ok" when the database (and Redis, when configured) answer; else 503 naming each
    part that failed, one per line ("database: failed"). For load balancers and monitoring."""
    failed = health.failed_parts()
    if not failed:
        return HttpResponse("ok", content_type="text/plain")
    body = "".join(f"{name}: failed\n" for name in failed)
    return HttpResponse(body, status=503, content_type="text/plain")
