"""Domain errors. Domain functions raise these; the pages show the message and the API maps
them to its error format (../shared/API.md) — one place decides the status code."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid"
    default_message = _("The request is not valid.")

    def __init__(
        self,
        message=None,
        *,
        code: str | None = None,
        fields: dict | None = None,
        extra: dict | None = None,
    ):
        self.message = str(message or self.default_message)
        if code:
            self.code = code
        self.fields = fields or {}
        # Further keys of the API error object, e.g. {"existing_code": "…"} (API.md).
        self.extra = extra or {}
        super().__init__(self.message)


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _("Please log in first.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("The requested object does not exist or is outside your jurisdiction.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class AlreadyHandled(Conflict):
    """The loser of a concurrent decision (compare-and-swap found the row already changed)."""

    code = "already_handled"
    default_message = _("This has already been handled by someone else.")


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    default_message = _("Too many attempts. Please try again later.")
