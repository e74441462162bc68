"""`manage.py bootstrap`: the national committee's first system administrator (三权分立)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qnwmh.accounts.enums import AdminRole
from qnwmh.accounts.models import User
from qnwmh.units.models import Unit
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bootstrap(username: str) -> dict:
    out = StringIO()
    call_command("bootstrap", "--username", username, stdout=out)
    return json.loads(out.getvalue().strip())


def test_bootstrap_creates_the_first_system_admin():
    printed = _bootstrap("root-admin")
    user = User.objects.get(username="root-admin")
    assert (printed["username"], printed["admin_role"]) == ("root-admin", "SYSTEM")
    assert user.holds(AdminRole.SYSTEM) and user.unit.parent is None


def test_bootstrap_after_the_upgrade_adds_only_the_system_admin():
    """Data of before the separation: every admin became a business admin (migration 0003);
    bootstrap then gives the existing committee its system administrator, once."""
    root = UnitFactory(name="全国组委会", tier=0)
    UserFactory(username="old-national", unit=root)
    printed = _bootstrap("root-admin")
    assert printed["admin_role"] == "SYSTEM"
    assert Unit.objects.count() == 1
    assert User.objects.get(username="root-admin").unit == root
    with pytest.raises(CommandError, match="系统已初始化"):
        _bootstrap("another")
