import pytest

from qnwmh.accounts.enums import AccountKind
from qnwmh.cycles.models import Cycle
from tests.cycles.factories import CycleFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycles(world):
    return {
        name: CycleFactory(unit=world.units[name], name=f"{name}届次")
        for name in ("national", "hunan", "changde", "wuling", "guangdong", "transport")
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("national", {"national", "hunan", "changde", "wuling", "guangdong", "transport"}),
        ("hunan", {"national", "hunan", "changde", "wuling"}),
        ("changde", {"national", "hunan", "changde", "wuling"}),
        ("wuling", {"national", "hunan", "changde", "wuling"}),
        ("guangdong", {"national", "guangdong"}),
        ("guangzhou", {"national", "guangdong"}),
        ("transport", {"national", "transport"}),
    ],
)
def test_visible_to_own_ancestors_and_below(world, cycles, persona, expected):
    visible = Cycle.objects.visible_to(world.users[persona])

    assert {c.name.removesuffix("届次") for c in visible} == expected


def test_visible_to_nobody_without_unit(world, cycles):
    assert list(Cycle.objects.visible_to(world.users["judge"])) == []


def test_visible_to_anonymous_nothing(world, cycles):
    from django.contrib.auth.models import AnonymousUser

    assert list(Cycle.objects.visible_to(AnonymousUser())) == []


def test_visible_to_collective_account_without_unit_nothing(world, cycles):
    account = UserFactory(kind=AccountKind.COLLECTIVE, unit=None)

    assert list(Cycle.objects.visible_to(account)) == []
