"""Project-wide middleware: the app server's name (X-Served-By, so an operator behind a load
balancer — and the cluster test — can tell the servers apart; off unless APP_SERVER_NAME is set),
and the refusal of bad input on pages (BadInputMiddleware)."""

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed, RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from qnwmh.core.input import UnstorableCharacters, check_storable_querydict

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


class BadInputMiddleware:
    """Pages: bad input is the client's, never a 500 (issue 12 #2). A body over Django's limits
    answers 413 (DATA_UPLOAD_MAX_MEMORY_SIZE: the form fields, uploads aside) or 400 (too many
    fields), and a query string or form field holding a character no text field can store (NUL,
    a lone surrogate: core/input.py) answers 400 naming the field — on a Chinese page, before
    CSRF, the session or any view reads the input. The API (/api/) parses and checks its own
    input (api/parser.py) and answers in its error format."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        try:
            check_storable_querydict(request.GET)
            if request.method == "POST":
                check_storable_querydict(request.POST)
        except RequestDataTooBig:
            return bad_input_page(request, _too_large_message(), status=413)
        except SuspiciousOperation:
            return bad_input_page(request, _("The request could not be read."), status=400)
        except UnstorableCharacters as exc:
            return bad_input_page(request, exc.message, fields=sorted(exc.fields), status=400)
        return self.get_response(request)


def _too_large_message() -> str:
    return _("The submitted data is too large (at most %(size)s MB outside uploaded files).") % {
        "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    }


def bad_input_page(request, message: str, *, fields=(), status: int = 400) -> HttpResponse:
    """A plain Chinese page (no navigation: it is shown before authentication has run)."""
    return render(request, "bad_input.html", {"message": message, "fields": fields}, status=status)


def bad_request(request, exception=None):
    """handler400 (qnwmh/urls.py): Django's own refusals of bad input (a SuspiciousOperation
    raised later, e.g. by a view reading the body) on the same Chinese page."""
    if isinstance(exception, RequestDataTooBig):
        return bad_input_page(request, _too_large_message(), status=413)
    return bad_input_page(request, _("The request could not be read."), status=400)
