import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qnwmh.accounts.models import User
from qnwmh.units.models import Unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_bootstrap_creates_the_committee_and_prints_one_json_line():
    out = StringIO()
    call_command("bootstrap", "--username", "Root-Admin", stdout=out)
    printed = json.loads(out.getvalue().strip())
    user = User.objects.get(username="root-admin")
    assert printed["username"] == "root-admin"
    assert user.check_password(printed["one_time_password"])
    assert user.must_change_password
    assert user.unit.name == "全国创建青年文明号活动组委会" and user.unit.tier == 0


@pytest.mark.django_db
def test_bootstrap_refuses_when_the_committee_exists():
    call_command("bootstrap", "--username", "root-admin", stdout=StringIO())
    with pytest.raises(CommandError, match="系统已初始化"):
        call_command("bootstrap", "--username", "another", stdout=StringIO())
    assert Unit.objects.count() == 1


@pytest.mark.django_db
def test_demo_data_is_idempotent_and_prints_working_logins():
    out = StringIO()
    call_command("load_demo", stdout=out)
    counts = (Unit.objects.count(), User.objects.count())
    second = StringIO()
    call_command("load_demo", stdout=second)
    assert (Unit.objects.count(), User.objects.count()) == counts
    line = next(x for x in second.getvalue().splitlines() if x.strip().startswith("hunan "))
    password = line.split()[1]
    assert User.objects.get(username="hunan").check_password(password)
    hunan = Unit.objects.get(name="湖南省团委")
    assert Unit.objects.filter(parent=hunan).count() == 18


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "x" * 20 + "Production-Secret-Key-For-The-Check-Only-0123456789",
        "ALLOWED_HOSTS": "qnwmh.example.cn",
        "QNWMH_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
