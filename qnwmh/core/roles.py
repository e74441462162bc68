"""Who an account is: its kind and, for an administrator, its one role (三权分立). Here, at the
bottom, because every layer asks — the audit log (below units and accounts) as much as the
scoping base and the guards."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    ADMIN = "ADMIN", _("Administrator")
    COLLECTIVE = "COLLECTIVE", _("Collective")
    JUDGE = "JUDGE", _("Judge")


class AdminRole(models.TextChoices):
    """三权分立 (等保 2.0 三级 8.1.4.2 d, docs/decisions/008-separated-admin-roles.md): every
    admin account holds exactly one of these; no account holds two."""

    # The Youth League's domain work: collectives and their accounts, cycles, quotas,
    # registrations, review, exports.
    BUSINESS = "BUSINESS", _("Business administrator")
    # Admin accounts of the own unit and the units below, the units themselves, settings.
    SYSTEM = "SYSTEM", _("System administrator")
    # Lockouts, two-factor resets, sessions and login history of other accounts.
    SECURITY = "SECURITY", _("Security administrator")
    # Reads the audit log and its verification, nothing else.
    AUDIT = "AUDIT", _("Audit administrator")


def has_role(user, role) -> bool:
    """True for a logged-in account of `role`: an AdminRole (an admin account of exactly that
    role) or an AccountKind (AccountKind.ADMIN: an admin of any role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if role in AdminRole.values:
        return user.kind == AccountKind.ADMIN and user.admin_role == role
    return user.kind == role
