"""API v1: one NinjaAPI; each app contributes its router from its own api.py."""

from ninja import NinjaAPI

from qnwmh.accounts.api import router as auth_router
from qnwmh.accounts.api import unit_admins_router
from qnwmh.accounts.api_auth import BearerAuth
from qnwmh.api import errors
from qnwmh.api.parser import CheckedParser
from qnwmh.collectives.api import router as collectives_router
from qnwmh.cycles.api import router as cycles_router
from qnwmh.jobs.api import router as jobs_router
from qnwmh.notifications.api import router as notifications_router
from qnwmh.registrations.api import router as registrations_router
from qnwmh.reporting.api import router as reporting_router
from qnwmh.reporting.exports_api import router as exports_router
from qnwmh.units.api import router as units_router

api = NinjaAPI(
    title="qnwmh API",
    version="1",
    description="青年文明号网络协同办公系统 API v1",
    auth=BearerAuth(),
    parser=CheckedParser(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)

api.add_router("/auth", auth_router)
api.add_router("/units", units_router)
api.add_router("/units", unit_admins_router)
api.add_router("/cycles", cycles_router)
# Reporting answers under the cycles it reports on: /cycles/{id}/progress.
api.add_router("/cycles", reporting_router)
api.add_router("/collectives", collectives_router)
api.add_router("/exports", exports_router)
api.add_router("/jobs", jobs_router)
api.add_router("/me/notifications", notifications_router)
# Registrations own /me/registrations, /registrations and /progress: mounted at the root.
api.add_router("", registrations_router)
