"""The TOTP secret at rest: encrypted (accounts/encryption.py), the clear column dropped."""

from django.db import migrations, models

from qnwmh.accounts import encryption


def encrypt_secrets(apps, schema_editor):
    TwoFactor = apps.get_model("accounts", "TwoFactor")
    for row in TwoFactor.objects.only("pk", "secret").iterator():
        TwoFactor.objects.filter(pk=row.pk).update(
            secret_encrypted=encryption.encrypt(row.secret)
        )


def decrypt_secrets(apps, schema_editor):
    TwoFactor = apps.get_model("accounts", "TwoFactor")
    for row in TwoFactor.objects.only("pk", "secret_encrypted").iterator():
        TwoFactor.objects.filter(pk=row.pk).update(
            secret=encryption.decrypt(row.secret_encrypted)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_admin_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="twofactor",
            name="secret_encrypted",
            field=models.CharField(default="", max_length=255),
            preserve_default=False,
        ),
        # The reverse needs the clear column back before it can be filled.
        migrations.AlterField(
            model_name="twofactor",
            name="secret",
            field=models.CharField(max_length=64, blank=True, default=""),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.RemoveField(model_name="twofactor", name="secret"),
    ]
