"""Unfreezing is the workflow engine's unfreeze (collectives/workflow.py): frozen → qualified,
stored in data_ok, with a history row and the audit entry's state."""

import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.collectives import frozen
from qnwmh.collectives.enums import DataState, Ownership
from qnwmh.collectives.models import DataStateChange
from qnwmh.core.errors import AlreadyHandled, Forbidden
from tests.collectives.factories import FrozenCollectiveFactory

pytestmark = pytest.mark.django_db


def test_unfreeze_writes_one_history_row(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    frozen.unfreeze(world.users["changde"], collective, ownership=Ownership.PUBLIC)
    row = DataStateChange.objects.get()
    assert (row.collective_id, row.actor, row.action, row.from_state, row.to_state) == (
        collective.pk,
        world.users["changde"],
        "unfreeze",
        DataState.FROZEN,
        DataState.QUALIFIED,
    )
    entry = AuditEntry.objects.get(action="collective.unfreeze")
    assert entry.changes["state"] == ["frozen", "qualified"]


def test_unfreeze_returns_the_record_unfrozen(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    result = frozen.unfreeze(world.users["changde"], collective, ownership=Ownership.PUBLIC)
    assert (result.data_ok, result.frozen_reasons, result.ownership) == (
        True,
        [],
        Ownership.PUBLIC,
    )


def test_refused_or_repeated_unfreeze_writes_no_history(world):
    collective = FrozenCollectiveFactory(unit=world.changde)
    with pytest.raises(Forbidden):
        frozen.unfreeze(world.users["guangdong"], collective, ownership=Ownership.PUBLIC)
    frozen.unfreeze(world.users["changde"], collective, ownership=Ownership.PUBLIC)
    collective.refresh_from_db()
    with pytest.raises(AlreadyHandled):
        frozen.unfreeze(world.users["changde"], collective, ownership=Ownership.PUBLIC)
    assert DataStateChange.objects.count() == 1
