"""Indexes of the name search (docs/performance.md §2), PostgreSQL only: SQLite keeps the
plain LIKE scan, which is fine at the size of a local installation.

- pg_trgm GIN on `name_key` of collectives and former names: serves `LIKE '%key%'` for keys
  of three characters or more.
- A GIN index on the distinct character bigrams of `name_key`
  (`collectives_bigrams(name_key) @> ARRAY['青年']`): trigrams cannot serve a two-character
  word, and most Chinese search words have two. An expression index needs no table kept in
  step: every insert, rename and import (COPY included) maintains it.
"""

from django.db import migrations

BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION collectives_bigrams(s text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}')
  FROM generate_series(1, char_length(s) - 1) AS i
$$
"""

FORWARD = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    BIGRAMS_FUNCTION,
    "CREATE INDEX IF NOT EXISTS collective_name_trgm ON collectives_collective "
    "USING gin (name_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS formername_name_trgm ON collectives_formername "
    "USING gin (name_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS collective_name_bigrams ON collectives_collective "
    "USING gin (collectives_bigrams(name_key))",
    "CREATE INDEX IF NOT EXISTS formername_name_bigrams ON collectives_formername "
    "USING gin (collectives_bigrams(name_key))",
)

BACKWARD = (
    "DROP INDEX IF EXISTS formername_name_bigrams",
    "DROP INDEX IF EXISTS collective_name_bigrams",
    "DROP INDEX IF EXISTS formername_name_trgm",
    "DROP INDEX IF EXISTS collective_name_trgm",
    "DROP FUNCTION IF EXISTS collectives_bigrams(text)",
    # The extension stays: another app may have come to rely on it.
)


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("collectives", "0002_names_legacy_contact")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
