"""Chain the entries written before the chain existed: seq 1, 2, 3… in id order, each hashed
with the hash of the one before (the same function as every later append)."""

from django.db import migrations

from qnwmh.audit import hashing


def chain_existing_entries(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    db = schema_editor.connection.alias
    prev_hash, batch = hashing.GENESIS, []
    entries = AuditEntry.objects.using(db).order_by("id").iterator(chunk_size=2000)
    for seq, entry in enumerate(entries, start=1):
        entry.seq, entry.prev_hash = seq, prev_hash
        entry.entry_hash = prev_hash = hashing.entry_hash(
            {name: getattr(entry, name) for name in hashing.CONTENT_FIELDS}
        )
        batch.append(entry)
        if len(batch) == 500:
            AuditEntry.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "entry_hash"])
            batch = []
    if batch:
        AuditEntry.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "entry_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_chain_fields"),
    ]

    operations = [
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop, elidable=False),
    ]
