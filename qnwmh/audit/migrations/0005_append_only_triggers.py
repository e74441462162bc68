"""PostgreSQL only: triggers refusing UPDATE, DELETE and TRUNCATE of the audit tables (see
qnwmh/audit/guard.py for what gets through). SQLite has no equivalent; the chain covers it."""

from django.db import migrations

from qnwmh.audit import guard


def _tables(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    return (
        quote(apps.get_model("audit", "AuditEntry")._meta.db_table),
        quote(apps.get_model("audit", "ArchiveCheckpoint")._meta.db_table),
    )


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(guard.install_sql(*_tables(apps, schema_editor)), params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(guard.uninstall_sql(*_tables(apps, schema_editor)), params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_chain_seq_required"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
