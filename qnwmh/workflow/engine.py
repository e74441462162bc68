"""The one workflow engine: every declared state change goes through `transition`.

In this order, so a refusal says which check failed (registrations' seeds 000 附件3 and
../shared/API.md): who may act (role and subtree: 403 Forbidden), then the state (409
"invalid_state"), then the reason (400 "reason_required"). Then, in one transaction (the
workflow's `writes_last`):

1. the compare-and-swap, `filter(pk=…, state=old).update(state=new, **updates)`: exactly one
   row, or the caller lost a race and hears "已被他人处理" (AlreadyHandled, 409);
2. the workflow's hooks (derived data such as the subtree counts);
3. the history row (who, when, from, to, action, reason);
4. the audit entry — appended last, just before the commit (docs/performance.md, deadline
   surge), as are the hooks' shared writes when `writes_last` defers them;
5. the action's notifications, queued for after the commit: their builder, recipient lookups
   included, runs only once the transaction has committed (never on rollback), so it adds no
   statement and no lock time to the change itself.

There is deliberately no "set state": each call names a declared action.
"""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qnwmh.audit.domain import record
from qnwmh.core.errors import AlreadyHandled, Forbidden, InvalidInput
from qnwmh.notifications.domain import notify_after_commit
from qnwmh.workflow.declare import Action, Change, Workflow


def permitted(action: Action, actor, obj) -> bool:
    """Who may take the action at all (role and subtree), whatever the state."""
    if action.by_system:
        return actor is None
    return actor is not None and action.allowed.test(actor, obj)


def authorise(workflow: Workflow, name: str, actor, obj) -> Action:
    """Role and subtree first (403), then the state (409). System actions take no actor."""
    action = workflow.action(name)
    if not permitted(action, actor, obj):
        raise Forbidden()
    state = workflow.state_of(obj)
    if state not in action.sources:
        raise workflow.refuse_state(workflow, obj, state)
    return action


def allowed_actions(workflow: Workflow, user, obj) -> list[str]:
    """The actions this user may take on obj now (the page's buttons), in declared order."""
    state = workflow.state_of(obj)
    return [
        action.name
        for action in workflow.actions.values()
        if not action.by_system and state in action.sources and permitted(action, user, obj)
    ]


def clean_reason(action: Action, reason) -> str:
    """The reason, stripped: required for some actions (400 reason_required), never too long."""
    reason = (reason or "").strip()
    if action.reason_required and not reason:
        message = _("Please give the reason.")
        raise InvalidInput(message, code="reason_required", fields={"reason": [message]})
    if len(reason) > action.max_reason:
        message = _("At most %(limit)d characters.") % {"limit": action.max_reason}
        raise InvalidInput(message, fields={"reason": [message]})
    return reason


def transition(workflow: Workflow, name: str, actor, obj, *, reason="", updates=None, changes=None):
    """Take the declared action `name` on obj: check, swap, hooks, history, audit, notify — one
    transaction. `updates` are further fields the swap writes; `changes` further entries of the
    audit entry. Returns obj with its new state and updates."""
    action = authorise(workflow, name, actor, obj)
    reason = clean_reason(action, reason)
    old, new = workflow.state_of(obj), action.target
    updates = dict(updates or {})
    if action.reason_field:
        updates[action.reason_field] = reason
    if workflow.touch:
        updates[workflow.touch] = timezone.now()
    change = Change(action.name, old, new, actor, reason)
    with workflow.writes_last():
        _swap(workflow, obj, old, new, updates)
        for hook in workflow.hooks:
            hook(obj, change)
        workflow.history.objects.create(
            **{workflow.subject: obj},
            actor=actor,
            action=action.name,
            from_state=old,
            to_state=new,
            reason=reason,
        )
        if workflow.audited:
            _audit(workflow, obj, change, changes)
        if action.notify is not None:
            # robust: a message that cannot be built is logged; the committed change stands.
            transaction.on_commit(partial(_notify, action.notify, obj, change), robust=True)
    setattr(obj, workflow.state_field, workflow.stored_value(new))
    for key, value in updates.items():
        setattr(obj, key, value)
    return obj


def _swap(workflow: Workflow, obj, old: str, new: str, updates: dict) -> None:
    """The compare-and-swap: conditional on the state the caller saw, so of two decisions at
    the same moment exactly one changes the row."""
    field = workflow.state_field
    changed = workflow.model.objects.filter(
        pk=obj.pk, **{field: workflow.stored_value(old)}
    ).update(**{field: workflow.stored_value(new)}, **updates)
    if changed != 1:
        raise AlreadyHandled()


def _audit(workflow: Workflow, obj, change: Change, changes) -> None:
    reason = {"reason": [None, change.reason]} if change.reason else {}
    record(
        f"{workflow.name}.{change.action}",
        actor=change.actor,
        obj=obj,
        scope_unit=workflow.scope_unit(obj),
        changes={"state": [change.from_state, change.to_state], **reason, **(changes or {})},
    )


def _notify(build, obj, change: Change) -> None:
    """After the commit: build the messages (in the site's language: they go to others) and
    hand them to notifications, which delivers them at once outside a transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        notify_after_commit(list(build(obj, change)))
