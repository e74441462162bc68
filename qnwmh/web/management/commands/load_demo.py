from django.core.management.base import BaseCommand

from qnwmh.web import demo


class Command(BaseCommand):
    help = "载入演示数据（可重复执行），并打印演示账号及其一次性密码。"

    def handle(self, *args, **options):
        logins = demo.load()
        self.stdout.write("")
        self.stdout.write("演示账号（首次登录须修改密码；一次性密码只在此显示）：")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.password:<16}  {login.role}")
        self.stdout.write("")
