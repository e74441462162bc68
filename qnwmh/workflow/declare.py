"""Declaring a workflow: an aggregate's states and the actions that move it, once, in its app's
`workflow.py` (STYLE.md). The engine (engine.py) runs the declaration; nothing else changes the
state.

    REGISTRATION = Workflow(
        name="registration",              # audit entries "registration.<action>"
        model=Registration,               # its manager does the compare-and-swap
        history=Transition,               # concrete workflow.models.History
        subject="registration",           # the history's foreign key to the aggregate
        actions=[
            Action("pre_approve", sources=(S.SUBMITTED,), target=S.PRE_APPROVED,
                   allowed=rules.may_pre_approve),
            Action("return", UNDER_REVIEW, S.RETURNED, allowed=rules.may_return,
                   reason_required=True, reason_field="return_reason", notify=notices.returned),
            ...
        ],
        hooks=[counts_moved],             # derived data, after the swap, before the history
        writes_last=shared_writes_last,   # the transaction: shared rows written last
    )

An action without `allowed` is done by the system (a job's worker), never by a user.
"""

from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import rules
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from qnwmh.audit.domain import appended_last
from qnwmh.core.errors import Conflict, DomainError
from qnwmh.notifications.domain import Message

MAX_REASON = 1000


@dataclass(frozen=True)
class Change:
    """One transition as it happens: what the hooks and the notifications are told."""

    action: str
    from_state: str
    to_state: str
    actor: Any
    reason: str = ""


@dataclass(frozen=True)
class Action:
    """One arrow: from any of `sources` to `target`. `allowed` is a django-rules predicate on
    (user, obj) — role and subtree, answered 403 when false; the state is checked after it
    (409). `notify` builds the messages after the commit (its recipient lookups run outside
    the transaction)."""

    name: str
    sources: tuple
    target: str
    allowed: rules.Predicate | None = None
    reason_required: bool = False
    max_reason: int = MAX_REASON
    # A field of the aggregate that also takes the reason (e.g. the return reason it shows).
    reason_field: str = ""
    notify: Callable[[models.Model, Change], Iterable[Message]] | None = None

    def __post_init__(self):
        # An enum member (TextChoices) becomes its plain code: history rows and audit names.
        object.__setattr__(self, "name", str(self.name))
        object.__setattr__(self, "sources", tuple(self.sources))

    @property
    def by_system(self) -> bool:
        return self.allowed is None


@contextmanager
def audited_last():
    """The default transaction: the audit entry is the last statement before the commit
    (audit/domain.py: the chain's lock is shared by every writer)."""
    with transaction.atomic(), appended_last():
        yield


def _invalid_state(workflow: "Workflow", obj, state: str) -> DomainError:
    message = workflow.invalid_state_message % {"state": workflow.state_label(obj, state)}
    return Conflict(message, code="invalid_state")


@dataclass
class Workflow:
    """An aggregate's workflow. Mutable on purpose: a test may swap a part (the history model,
    the transaction) to prove what the real one guarantees."""

    name: str
    model: type[models.Model]
    history: type[models.Model]
    subject: str
    actions: Iterable[Action] | Mapping[str, Action]
    state_field: str = "state"
    # State → stored value, when the field is not the state's code itself (a boolean flag).
    stored: Mapping[str, Any] | None = None
    # Run after the swap, before the history row: derived data (counts) and consequences.
    hooks: Iterable[Callable[[models.Model, Change], None]] = ()
    writes_last: Callable = audited_last
    scope_unit: Callable[[models.Model], Any] = field(default=lambda obj: obj.unit)
    audited: bool = True
    # A timestamp field set at every transition (e.g. "updated_at").
    touch: str = ""
    invalid_state_message: str = _("This is now “%(state)s”; this is not possible in that state.")
    # The error for a state the action does not start from (default: 409 invalid_state).
    refuse_state: Callable[["Workflow", models.Model, str], DomainError] = _invalid_state

    def __post_init__(self):
        if not isinstance(self.actions, Mapping):
            self.actions = {action.name: action for action in self.actions}
        self.hooks = tuple(self.hooks)
        self._states_by_value = {v: k for k, v in (self.stored or {}).items()}

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise ValueError(f"{self.name} has no action {name!r}") from None

    def state_of(self, obj) -> str:
        value = getattr(obj, self.state_field)
        return self._states_by_value[value] if self.stored else value

    def stored_value(self, state: str):
        return self.stored[state] if self.stored else state

    def state_label(self, obj, state: str) -> str:
        display = getattr(obj, f"get_{self.state_field}_display", None)
        return str(display()) if display and not self.stored else str(state)
