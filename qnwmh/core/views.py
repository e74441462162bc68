"""What every area's pages share: showing a domain refusal on a form (the guards are
core/access.py)."""

from django.shortcuts import render

from qnwmh.core.errors import DomainError


def error_page(request, exc: DomainError):
    """A domain refusal of a button with no form of its own: the message on the error page."""
    return render(request, "web/error.html", {"message": exc.message}, status=exc.status)


def apply_errors(form, exc: DomainError) -> None:
    """A domain refusal next to the fields it names, else at the top of the form; the form
    keeps what was typed."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for field, errors in exc.fields.items():
        for error in errors:
            if isinstance(error, str):
                form.add_error(field if field in form.fields else None, error)
