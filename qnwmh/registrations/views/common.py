"""What both sides of the registration pages share: access decorators, form errors."""

__all__ = ["admin_required", "apply_errors", "collective_required"]

from qnwmh.core.access import admin_required, role_required
from qnwmh.core.roles import AccountKind
from qnwmh.core.views import apply_errors

# The collective's own pages (the reviewers' are core's admin_required).
collective_required = role_required(AccountKind.COLLECTIVE)
