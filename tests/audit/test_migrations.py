"""Entries written before the chain existed are chained by the migration that adds it."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from qnwmh.audit import hashing
from qnwmh.audit.models import AuditEntry
from qnwmh.audit.verify import verify_chain

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


def test_existing_entries_are_chained_in_id_order():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    old_apps = migrate(("audit", "0001_initial"))
    historical = old_apps.get_model("audit", "AuditEntry")
    start = timezone.now() - datetime.timedelta(days=3)
    for n in range(3):
        historical.objects.create(action=f"before.{n}", changes={"n": [n, n + 1]})
    historical.objects.filter(action="before.0").update(at=start)
    migrate(*latest)
    chained = list(AuditEntry.objects.order_by("id"))
    assert [(e.seq, e.action) for e in chained] == [
        (1, "before.0"),
        (2, "before.1"),
        (3, "before.2"),
    ]
    assert chained[0].prev_hash == hashing.GENESIS
    assert [e.prev_hash for e in chained[1:]] == [e.entry_hash for e in chained[:-1]]
    assert (verify_chain().intact, verify_chain().count) == (True, 3)
    assert AuditEntry.objects.create(action="after").seq == 4
