"""Writing the audit log. Every domain function that changes data calls `record` once.

Appending takes the chain's lock (AuditEntry.save), which every writer shares until its commit.
A transaction that does more after its audit entry keeps all other writers waiting meanwhile,
so a busy domain function records inside `appended_last()`: its entries are appended at the end
of the block, the last statements before the commit (docs/performance.md, deadline surge).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import models, transaction

from qnwmh.audit import context
from qnwmh.audit.masking import mask, mask_text
from qnwmh.audit.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


# The entries recorded inside the innermost `appended_last()` block, not yet appended.
_pending: ContextVar[list[AuditEntry] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def appended_last() -> Iterator[None]:
    """Inside a transaction: the entries the block records are appended at its end, in the
    order recorded. A nested block hands its entries to the outer one, and only if it succeeds;
    an exception drops them with the rest of the block's writes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("appended_last() must run inside the change's transaction")
    outer = _pending.get()
    entries: list[AuditEntry] = []
    token = _pending.set(entries)
    try:
        yield
    finally:
        _pending.reset(token)
    if outer is not None:
        outer.extend(entries)
    else:
        for entry in entries:
            entry.save()


def record(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    scope_unit=None,
    changes: dict[str, Any] | None = None,
    object_repr: str = "",
) -> AuditEntry:
    """Append one audit entry at the end of the hash chain (AuditEntry.save). `scope_unit` is the
    unit whose subtree may read it (defaults to the actor's unit). Phone numbers, ID numbers and
    e-mail addresses in `changes` and `object_repr` are masked, secrets dropped (masking.py).
    Inside `appended_last()` the entry is returned unsaved and appended at the block's end."""
    meta = context.current()
    actor_unit = getattr(actor, "unit", None) if actor is not None else None
    scope = scope_unit or actor_unit
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        actor_unit_name=actor_unit.name if actor_unit else "",
        scope_path=scope.path if scope else "",
        ip=meta.ip,
        user_agent=meta.user_agent,
        channel=meta.channel,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=mask_text(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=mask(_jsonable(changes or {})),
    )
    pending = _pending.get()
    if pending is None:
        entry.save()
    else:
        pending.append(entry)
    return entry


def root_unit():
    """The top of the unit tree: the scope of system operations (backups, restores, archives),
    so the national committee reads them. Looked up by name because units come after audit in
    the import order (docs/architecture.md)."""
    unit_model = apps.get_model("units", "Unit")
    return unit_model.objects.filter(parent__isnull=True).order_by("path").first()
