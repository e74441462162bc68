"""Title moves here from collectives (state only): its table, collectives_title, and its rows
stay as they are; collectives 0004 drops the model from collectives' state. The content type
follows, so anything keyed on it (permissions) keeps pointing at the same rows."""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor, source="collectives", target="titles"):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    # A migrate that stopped between the two apps' migrations has made the target already
    # (post_migrate creates a content type per model of the state): keep that one.
    if not content_types.filter(app_label=target, model="title").exists():
        content_types.filter(app_label=source, model="title").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="titles", target="collectives")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("collectives", "0003_name_search_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Title",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "level",
                            models.CharField(
                                choices=[
                                    ("NATIONAL", "National"),
                                    ("PROVINCIAL", "Provincial"),
                                    ("CITY", "City"),
                                    ("COUNTY", "County"),
                                ],
                                max_length=16,
                                verbose_name="level",
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        (
                            "name",
                            models.CharField(blank=True, max_length=200, verbose_name="title"),
                        ),
                        (
                            "revoked_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="revoked at"),
                        ),
                        (
                            "collective",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="titles",
                                to="collectives.collective",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "title",
                        "verbose_name_plural": "titles",
                        "db_table": "collectives_title",
                        "ordering": ["-year"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
