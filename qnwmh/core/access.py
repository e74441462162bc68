"""The one role guard of pages and API. The API refuses another account with 403
(`require_role`); a page answers 404 (`role_required`): a page of another role, or outside
one's jurisdiction, looks like no page at all. What an account may do to one object is a rule
(each app's rules.py); which rows it sees is its scope (core/scoping.py)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from qnwmh.core.errors import Forbidden, NotFound
from qnwmh.core.roles import AccountKind, AdminRole, has_role


class WrongRole(Forbidden):
    """403 for an admin of another role (三权分立, API.md Errors: "or wrong role")."""

    default_message = _("This is the work of another administrator role.")


def has_any_role(user, roles) -> bool:
    return any(has_role(user, role) for role in roles)


def require_role(user, *roles) -> None:
    """API and domain: only an account of one of `roles` (AdminRole or AccountKind values) goes
    on; an admin of another role hears so (WrongRole), anyone else gets the plain 403."""
    if has_any_role(user, roles):
        return
    if has_role(user, AccountKind.ADMIN) and any(role in AdminRole.values for role in roles):
        raise WrongRole()
    raise Forbidden()


def role_required(*roles):
    """Pages of one role (AdminRole or AccountKind values): login first, then the role, else
    404; a domain refusal the page does not handle (NotFound, Forbidden) is 404 as well."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_any_role(request.user, roles):
                raise Http404
            try:
                return view(request, *args, **kwargs)
            except (NotFound, Forbidden) as exc:
                raise Http404 from exc

        return wrapper

    return decorator


# The pages of the domain work: the business administrator's (业务管理员, `user.is_business_admin`).
admin_required = role_required(AdminRole.BUSINESS)
