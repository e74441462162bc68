"""What every area's pages share: the admin guard and showing a domain refusal on a form."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from qnwmh.core.errors import DomainError


def admin_required(view):
    """Pages of the domain work, for the business administrator (业务管理员, `user.is_admin`):
    anyone else (a collective, a judge, an admin of another role) finds nothing here (404)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def role_required(role):
    """Pages of one administrator role (三权分立: system, security or audit administrator,
    docs/decisions/008-separated-admin-roles.md): every other account finds nothing (404)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.holds(role):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def apply_errors(form, exc: DomainError) -> None:
    """A domain refusal next to the fields it names, else at the top of the form; the form
    keeps what was typed."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for field, errors in exc.fields.items():
        for error in errors:
            if isinstance(error, str):
                form.add_error(field if field in form.fields else None, error)
