"""Names the app server that answered (X-Served-By), so an operator behind a load balancer — and
the cluster test — can tell the servers apart. Off unless APP_SERVER_NAME is set."""

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed

SERVED_BY_HEADER = "X-Served-By"


class ServedByMiddleware:
    def __init__(self, get_response):
        if not settings.APP_SERVER_NAME:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.server_name = settings.APP_SERVER_NAME

    def __call__(self, request):
        response = self.get_response(request)
        response[SERVED_BY_HEADER] = self.server_name
        return response
