import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qnwmh.accounts.domain import create_account
from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.models import User
from qnwmh.core.errors import DomainError
from qnwmh.units.domain import create_root_unit
from qnwmh.units.models import Unit

NATIONAL_COMMITTEE = "全国创建青年文明号活动组委会"


class Command(BaseCommand):
    help = (
        "创建全国组委会（0 级单位）及其第一个系统管理员，打印一次性密码（JSON 一行）。"
        "已有组委会但还没有系统管理员时（三权分立之前的数据），只创建该系统管理员。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--display-name", default="全国组委会系统管理员")

    def handle(self, *args, username, display_name, **options):
        root = Unit.objects.filter(parent__isnull=True).first()
        if (
            root is not None
            and User.objects.filter(unit=root, admin_role=AdminRole.SYSTEM).exists()
        ):
            raise CommandError("系统已初始化：全国组委会已存在，不能再次执行 bootstrap。")
        try:
            with transaction.atomic():
                unit = root or create_root_unit(name=NATIONAL_COMMITTEE)
                user, one_time_password = create_account(
                    kind=AccountKind.ADMIN,
                    admin_role=AdminRole.SYSTEM,
                    username=username,
                    display_name=display_name,
                    unit=unit,
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            json.dumps(
                {
                    "username": user.username,
                    "one_time_password": one_time_password,
                    "admin_role": user.admin_role,
                },
                ensure_ascii=False,
            )
        )
