from django.core.management.base import BaseCommand
from django.db import transaction

from qnwmh.accounts import encryption
from qnwmh.accounts.models import TwoFactor


class Command(BaseCommand):
    help = (
        "用当前 SECRET_KEY 重新加密全部已存储的 TOTP 密钥（密钥轮换：旧密钥须在 "
        "SECRET_KEY_FALLBACKS 中；完成后即可移除旧密钥）。"
    )

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            rows = TwoFactor.objects.select_for_update().only("pk", "secret_encrypted")
            for row in rows.iterator():
                TwoFactor.objects.filter(pk=row.pk).update(
                    secret_encrypted=encryption.reencrypt(row.secret_encrypted)
                )
                count += 1
        self.stdout.write(f"已用当前 SECRET_KEY 重新加密 {count} 个 TOTP 密钥。")
