"""Title now belongs to the titles app (titles 0001): dropped from collectives' state only —
the table collectives_title and its rows stay, as titles.Title."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("collectives", "0004_data_state_history"),
        ("titles", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Title")],
            database_operations=[],
        ),
    ]
