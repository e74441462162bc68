from django.urls import include, path

from qnwmh.api.urls import api
from qnwmh.web import views as web_views

urlpatterns = [
    path("", include("qnwmh.web.urls")),
    path("accounts/", include("qnwmh.accounts.urls")),
    path("units/", include("qnwmh.units.urls")),
    path("audit/", include("qnwmh.audit.urls")),
    path("jobs/", include("qnwmh.jobs.urls")),
    path("cycles/", include("qnwmh.cycles.urls")),
    path("collectives/", include("qnwmh.collectives.urls")),
    path("registrations/", include("qnwmh.registrations.urls")),
    path("api/v1/", api.urls),
    path("healthz", web_views.healthz, name="healthz"),
]

handler400 = "qnwmh.core.middleware.bad_request"
handler404 = "qnwmh.api.errors.handler404"
