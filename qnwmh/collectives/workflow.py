"""A collective's 数据合格 (seeds 000 Q3), declared once and run by the workflow engine: a legacy
record that came in incomplete is frozen (its login disabled) until an admin over it completes
it. Importing creates records frozen or not (creation is no transition); the one arrow is

    unfreeze   frozen → qualified   an admin over the collective's jurisdiction (完善信息,
                                    数据合格 = 是); its login is enabled again

The state is stored in the boolean `Collective.data_ok`. A second unfreeze of the same record
is "already handled", whether it lost the race or arrived after it.
"""

import rules
from django.utils.translation import gettext as _

from qnwmh.accounts import domain as accounts
from qnwmh.collectives import rules as collective_rules
from qnwmh.collectives.enums import DataState
from qnwmh.collectives.models import Collective, DataStateChange
from qnwmh.core.errors import AlreadyHandled
from qnwmh.workflow.declare import Action, Workflow

may_manage_collective = rules.predicate(collective_rules.can_manage_collective)


def login_enabled(collective, change) -> None:
    """Through the accounts domain, so that the audit log has the account's own entry. Still
    without a password: the admin issues a one-time one by reset when the collective asks."""
    if collective.user is not None:
        accounts.switch_active(change.actor, collective.user, True)


def not_frozen(workflow, collective, state) -> AlreadyHandled:
    return AlreadyHandled(_("This record is not frozen (it may have been unfrozen already)."))


COLLECTIVE_DATA = Workflow(
    name="collective",
    model=Collective,
    history=DataStateChange,
    subject="collective",
    state_field="data_ok",
    stored={DataState.FROZEN: False, DataState.QUALIFIED: True},
    actions=[
        Action("unfreeze", (DataState.FROZEN,), DataState.QUALIFIED, allowed=may_manage_collective),
    ],
    hooks=[login_enabled],
    refuse_state=not_frozen,
)
