from django.db import migrations, models

# Each state is reached by exactly one action (enums.TRANSITIONS), so the rows written before
# the column existed get theirs from where they went.
ACTION_BY_TARGET = {
    "submitted": "submit",
    "pre_approved": "pre_approve",
    "approved": "approve",
    "returned": "return",
    "cancelled": "cancel",
}


def name_the_actions(apps, schema_editor):
    transition = apps.get_model("registrations", "Transition")
    for target, action in ACTION_BY_TARGET.items():
        transition.objects.filter(to_state=target, action="").update(action=action)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0003_registrationcount_no_cycle_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="transition",
            name="action",
            field=models.CharField(blank=True, max_length=32, verbose_name="action"),
        ),
        migrations.RunPython(name_the_actions, migrations.RunPython.noop),
    ]
