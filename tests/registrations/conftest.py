"""Fixtures of the registration tests: a Hunan cycle open today and a collective of 武陵区
(under 常德市, under 湖南省)."""

import pytest

from qnwmh.registrations.enums import RegistrationState
from tests.registrations.factories import CollectiveFactory, CycleFactory, RegistrationFactory


@pytest.fixture
def cycle(world):
    return CycleFactory(unit=world.hunan, name="2025—2026年度测试届次")


@pytest.fixture
def collective(world):
    return CollectiveFactory(unit=world.wuling, code="wl0001", name="武陵区人民医院急诊科")


@pytest.fixture
def other_collective(world):
    return CollectiveFactory(unit=world.wuling, code="wl0002", name="武陵区德诚会计师事务所审计部")


@pytest.fixture
def guangdong_collective(world):
    return CollectiveFactory(unit=world.guangzhou, code="gz0001", name="广州地铁三号线乘务中心")


@pytest.fixture
def registration(cycle, collective):
    return RegistrationFactory(cycle=cycle, collective=collective, state=RegistrationState.DRAFT)


@pytest.fixture
def submitted(cycle, collective):
    return RegistrationFactory(
        cycle=cycle, collective=collective, state=RegistrationState.SUBMITTED
    )
