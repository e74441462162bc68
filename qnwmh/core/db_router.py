"""Reads for reports from a PostgreSQL read replica (DATABASE_REPLICA_URL), and only where the
code asks for it.

A replica lags the primary by a moment, so routing every read there would show people pages
without the change they just made. The router is therefore explicit: reads go to the replica
only inside `using_replica()`, which long read-only work (exports, progress tables) opts into;
everything else, and every write, stays on "default". Inside a transaction on "default" reads
stay there too, so a block that writes then reads sees its own writes.

    with using_replica():
        rows = list(Registration.objects.filter(...))

`using_replica` also works as a decorator. Without a configured replica it changes nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("qnwmh_reading_from_replica", default=False)


@contextmanager
def using_replica() -> Iterator[None]:
    """Within the block, reads may go to the replica (when one is configured)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_requested() -> bool:
    return _reading_from_replica.get()


class ReplicaRouter:
    """settings.DATABASE_ROUTERS entry, set when DATABASE_REPLICA_URL is."""

    def db_for_read(self, model, **hints) -> str | None:
        if not (replica_requested() and replica_configured()):
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Both aliases hold the same rows: an object read from the replica may be related to
        # one from the primary (and saved on the primary).
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica receives the schema by replication, never by `migrate`.
        return False if db == REPLICA else None
