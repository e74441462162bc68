import pytest

from qnwmh.accounts.enums import AccountKind
from tests.factories import UserFactory


@pytest.fixture
def two_factor_required(settings):
    """The suite runs the factory personas (no two-factor login) with the admin requirement off
    (tests/conftest.py); tests of the requirement switch it on."""
    settings.ADMIN_TWO_FACTOR_REQUIRED = True


@pytest.fixture
def collective_user(world):
    return UserFactory(
        username="hn-0001", kind=AccountKind.COLLECTIVE, unit=world.wuling, display_name="急诊科"
    )
