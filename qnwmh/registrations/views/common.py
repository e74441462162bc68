"""What both sides of the registration pages share: access decorators, form errors."""

__all__ = ["admin_required", "apply_errors", "collective_required"]

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from qnwmh.core.errors import Forbidden, NotFound
from qnwmh.core.views import apply_errors


def _guarded(allowed):
    """Login, then `allowed(user)`; a refusal and anything the domain could not find or would
    not show becomes 404 — a page outside one's jurisdiction looks like no page at all."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not allowed(request.user):
                raise Http404
            try:
                return view(request, *args, **kwargs)
            except (NotFound, Forbidden) as exc:
                raise Http404 from exc

        return wrapper

    return decorator


# The collective's own pages.
collective_required = _guarded(lambda user: user.is_collective)
# The reviewers' pages.
admin_required = _guarded(lambda user: user.is_admin and user.unit is not None)
