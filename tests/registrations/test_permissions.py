"""The named permissions registrations/rules.py registers (django-rules, docs/decisions/
009-permissions.md) answer as the state machine does."""

import pytest
import rules

from qnwmh.registrations.enums import RegistrationState as S
from tests.registrations.factories import RegistrationFactory


@pytest.mark.parametrize(
    ("permission", "persona", "state", "expected"),
    [
        ("registrations.approve_registration", "hunan", S.SUBMITTED, True),
        ("registrations.approve_registration", "changde", S.SUBMITTED, False),
        ("registrations.approve_registration", "hunan", S.DRAFT, False),
        ("registrations.pre_approve_registration", "wuling", S.SUBMITTED, True),
        ("registrations.pre_approve_registration", "guangzhou", S.SUBMITTED, False),
        ("registrations.return_registration", "national", S.PRE_APPROVED, True),
        ("registrations.cancel_registration", "hunan", S.APPROVED, True),
        ("registrations.view_registration", "guangdong", S.SUBMITTED, False),
        ("registrations.view_registration", "changde", S.DRAFT, True),
    ],
)
def test_named_permissions(world, cycle, collective, permission, persona, state, expected):
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=state)
    assert rules.has_perm(permission, world.users[persona], registration) is expected


@pytest.mark.parametrize(("state", "expected"), [(S.DRAFT, True), (S.SUBMITTED, False)])
def test_the_collective_submits_and_edits_its_own(cycle, collective, state, expected):
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=state)
    assert rules.has_perm("registrations.submit_registration", collective.user, registration) is (
        expected
    )
    assert rules.has_perm("registrations.change_registration", collective.user, registration) is (
        expected
    )
