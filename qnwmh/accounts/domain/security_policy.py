"""安全策略: the national security administrator sets the lockout, throttle, idle and
password-prompt limits of the whole country (三权分立, issue 4), within the ranges that keep the
等保 2.0 三级 controls (models.POLICY_BOUNDS). Readers go through accounts/limits.py."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qnwmh.accounts import limits, rules
from qnwmh.accounts.models import POLICY_BOUNDS, SecurityPolicy
from qnwmh.accounts.validators import policy_bound_errors
from qnwmh.audit.domain import diff, record
from qnwmh.core.errors import AlreadyHandled, Forbidden, InvalidInput


def in_force() -> tuple[dict[str, int], SecurityPolicy | None]:
    """What the policy page shows, read fresh (not through the cache): the values (minutes,
    days, counts) and the row — None while the settings are the policy."""
    row = (
        SecurityPolicy.objects.select_related("updated_by")
        .filter(pk=SecurityPolicy.SINGLETON)
        .first()
    )
    values = limits.defaults() if row is None else limits.of_row(row)
    return values.as_form_values(), row


def version_of(row: SecurityPolicy | None) -> int:
    """The version a change must name: 0 while the settings are the policy."""
    return row.version if row is not None else 0


def _changed_meanwhile() -> AlreadyHandled:
    return AlreadyHandled(
        _(
            "Someone else changed the security policy meanwhile. "
            "Check the values in force and save again."
        )
    )


@transaction.atomic
def change(actor, values: dict[str, int], *, version: int) -> SecurityPolicy | None:
    """Set every limit at once; one audit entry with each changed value before and after (the
    settings' values before the first change). None when nothing changed (nothing recorded).
    `version` is what the form was shown: a change made since is not overwritten unseen."""
    if not rules.can_change_security_policy(actor):
        raise Forbidden()
    errors = policy_bound_errors(values)
    if errors:
        raise InvalidInput(_("Some limits are outside their allowed range."), fields=errors)
    row = SecurityPolicy.objects.select_for_update().filter(pk=SecurityPolicy.SINGLETON).first()
    if version_of(row) != version:
        raise _changed_meanwhile()
    before = limits.of_row(row).as_form_values() if row else limits.defaults().as_form_values()
    after = {name: values[name] for name in POLICY_BOUNDS}
    changes = diff(before, after)
    if not changes:
        return None
    creating = row is None
    row = row or SecurityPolicy(version=0)
    for name, value in after.items():
        setattr(row, name, value)
    row.version += 1
    row.updated_by = actor
    try:
        with transaction.atomic():
            row.save(force_insert=creating)
    except IntegrityError as exc:  # two first changes at once: the other one won
        raise _changed_meanwhile() from exc
    record("security_policy.change", actor=actor, obj=row, changes=changes)
    # This process sees the change at once, other servers within limits.CACHE_SECONDS.
    limits.forget()
    transaction.on_commit(limits.forget)
    return row
