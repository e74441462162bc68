"""Django's `flush`, able to empty the audit tables on PostgreSQL.

The audit triggers refuse TRUNCATE (qnwmh/audit/guard.py). Emptying the whole database is a
deliberate, loud act (it asks for confirmation, and the test runner does it between
transactional tests), so `flush` lifts the guard for its own transaction only.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from qnwmh.audit import guard


class Command(flush.Command):
    def handle(self, **options):
        using = options["database"]
        if connections[using].vendor != "postgresql":
            return super().handle(**options)
        with transaction.atomic(using=using):
            guard.allow_wipe(using)
            return super().handle(**options)
