"""Title moved from collectives to titles without touching the database: the rows written under
the old schema are the new model's, in the same table, and the content type moved with it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qnwmh.titles.models import Title

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("collectives", "0003_name_search_indexes"), ("titles", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_titles_written_before_the_move_are_kept(world):
    old_apps = migrate(BEFORE)
    old_title = old_apps.get_model("collectives", "Title")
    collective = old_apps.get_model("collectives", "Collective").objects.create(
        code="mv0001", name="迁移前的集体", unit_id=world.wuling.pk, unit_path=world.wuling.path
    )
    old_title.objects.create(collective=collective, level="CITY", year=2019, name="常德青年文明号")
    ContentType.objects.filter(app_label="titles", model="title").delete()
    ContentType.objects.get_or_create(app_label="collectives", model="title")
    ContentType.objects.clear_cache()

    migrate(_latest())

    assert list(Title.objects.values_list("collective__code", "level", "year", "name")) == [
        ("mv0001", "CITY", 2019, "常德青年文明号")
    ]
    assert Title._meta.db_table == "collectives_title"
    ContentType.objects.clear_cache()
    assert ContentType.objects.filter(app_label="collectives", model="title").count() == 0
    assert ContentType.objects.get_for_model(Title).app_label == "titles"


def test_the_move_unapplies_and_reapplies_cleanly(world):
    migrate(BEFORE)
    assert "collectives_title" in connection.introspection.table_names()
    migrate(_latest())
    assert "collectives_title" in connection.introspection.table_names()
    assert "titles_title" not in connection.introspection.table_names()


def test_titles_revoked_before_the_register_become_revoked(world):
    old_apps = migrate([("titles", "0001_initial")])
    old_title = old_apps.get_model("titles", "Title")
    collective = old_apps.get_model("collectives", "Collective").objects.create(
        code="mv0002", name="撤销前的集体", unit_id=world.wuling.pk, unit_path=world.wuling.path
    )
    old_title.objects.create(collective=collective, level="CITY", year=2017, name="已撤销")
    old_title.objects.create(
        collective=collective,
        level="CITY",
        year=2018,
        name="已撤销",
        revoked_at="2020-01-01T00:00Z",
    )
    migrate(_latest())
    assert sorted(Title.objects.values_list("year", "status")) == [
        (2017, "valid"),
        (2018, "revoked"),
    ]
