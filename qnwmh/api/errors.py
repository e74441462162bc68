"""The error format of API v1: {"error": {"code", "message", "fields"}} — never a 500 for bad
input."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from ninja.errors import AuthenticationError, HttpError, ValidationError

from qnwmh.core.errors import DomainError

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def _validation_fields(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [
            str(p) for p in error.get("loc", []) if p not in ("body", "query", "path", "payload")
        ]
        key = ".".join(loc) or "__all__"
        fields.setdefault(key, []).append(_translate_pydantic(error))
    return fields


def _translate_pydantic(error: dict) -> str:
    kind = error.get("type", "")
    messages = {
        "missing": _("This field is required."),
        "string_too_long": _("This value is too long."),
        "string_too_short": _("This value is too short."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_type": _("Enter a date as YYYY-MM-DD."),
        "enum": _("Choose one of the allowed values."),
        "literal_error": _("Choose one of the allowed values."),
        "string_type": _("Enter text."),
        "json_invalid": _("The request body is not valid JSON."),
        "model_attributes_type": _("The request body must be a JSON object."),
        "dict_type": _("The request body must be a JSON object."),
        "list_type": _("Enter a list."),
        "bool_type": _("Enter true or false."),
        "bool_parsing": _("Enter true or false."),
        "greater_than_equal": _("This value is too small."),
        "less_than_equal": _("This value is too large."),
        "float_parsing": _("Enter a number."),
        "extra_forbidden": _("This field is not allowed."),
    }
    return messages.get(kind, _("This value is not valid."))


def too_large_body() -> dict:
    return error_body(
        "too_large",
        _("The request body is too large (at most %(size)s MB).")
        % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)},
    )


def _not_found_body() -> dict:
    return error_body(
        "not_found", _("The requested object does not exist or is outside your jurisdiction.")
    )


def handler404(request, exception):
    """Django's 404 (qnwmh/urls.py): under /api/ a path no operation matches (an unknown path,
    or a non-numeric id of an {int:...} route) answers in the API's error format, not with the
    HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse(_not_found_body(), status=404)
    return defaults.page_not_found(request, exception)


def install(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = _validation_fields(exc.errors)
        return api.create_response(
            request,
            error_body("invalid", _("The request contains invalid values."), fields),
            status=400,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return api.create_response(
            request, error_body("not_authenticated", _("Please log in first.")), status=401
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, _not_found_body(), status=404)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB): the client's fault, not ours.
        return api.create_response(request, too_large_body(), status=413)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        # Too many fields, a malformed multipart body…: Django refuses it as bad input.
        body = error_body("invalid", _("The request could not be read."))
        return api.create_response(request, body, status=400)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # Ninja raises these for bodies it cannot parse; the client sent bad input. A body the
        # parser refused (api/parser.py: a character no text field stores) names the fields.
        cause = exc.__cause__
        if isinstance(cause, DomainError):
            return domain_error(request, cause)
        if isinstance(cause, RequestDataTooBig):
            return too_big(request, cause)
        if exc.status_code == 400:
            body = error_body("invalid", _("The request body is not valid JSON."))
        else:
            body = error_body("http_error", _("The request could not be handled."))
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("unexpected API error")
        return api.create_response(
            request, error_body("server_error", _("An internal error occurred.")), status=500
        )
