from django.urls import include, path

from qnwmh.accounts.urls_unit_admins import urlpatterns as unit_admin_urls
from qnwmh.api.urls import api
from qnwmh.units.urls import urlpatterns as unit_urls
from qnwmh.web import views as web_views

urlpatterns = [
    path("", include("qnwmh.web.urls")),
    path("accounts/", include("qnwmh.accounts.urls")),
    # The unit tree's pages (units) and its admin accounts' (accounts): one namespace.
    path("units/", include((unit_urls + unit_admin_urls, "units"))),
    path("audit/", include("qnwmh.audit.urls")),
    path("jobs/", include("qnwmh.jobs.urls")),
    path("notifications/", include("qnwmh.notifications.urls")),
    path("cycles/", include("qnwmh.cycles.urls")),
    path("collectives/", include("qnwmh.collectives.urls")),
    path("registrations/", include("qnwmh.registrations.urls")),
    path("", include("qnwmh.reporting.urls")),
    path("api/v1/", api.urls),
    path("healthz", web_views.healthz, name="healthz"),
]

handler400 = "qnwmh.core.middleware.bad_request"
handler404 = "qnwmh.api.errors.handler404"
