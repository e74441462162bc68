"""The review state machine, exhaustively: every state × every action × every persona, with
approval delegation off and on (../shared/API.md; seeds 000 附件3). The expected table is
written out here independently of rules.py."""

import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import Conflict, Forbidden
from qnwmh.registrations import domain
from qnwmh.registrations.enums import RegistrationState as S
from qnwmh.registrations.models import Registration, Transition
from tests.registrations.factories import CollectiveFactory, RegistrationFactory

PERSONAS = [
    "collective",
    "other_collective",
    "wuling",  # county admin of the jurisdiction (tier 3)
    "changde",  # city admin above it (tier 2)
    "hunan",  # province (tier 1)
    "national",  # national committee (tier 0)
    "guangdong",  # another province (tier 1)
    "judge",
]
ACTIONS = ["submit", "pre_approve", "approve", "return", "cancel"]
TARGET = {
    "submit": S.SUBMITTED,
    "pre_approve": S.PRE_APPROVED,
    "approve": S.APPROVED,
    "return": S.RETURNED,
    "cancel": S.CANCELLED,
}
FROM = {
    "submit": {S.DRAFT, S.RETURNED},
    "pre_approve": {S.SUBMITTED},
    "approve": {S.SUBMITTED, S.PRE_APPROVED},
    "return": {S.SUBMITTED, S.PRE_APPROVED},
    "cancel": {S.SUBMITTED, S.PRE_APPROVED, S.APPROVED},
}


def role(action: str, delegated: bool) -> set[str]:
    """Who may take the action at all (in some state)."""
    deciders = {"hunan", "national"} | ({"wuling", "changde"} if delegated else set())
    return {
        "submit": {"collective"},
        "pre_approve": {"wuling", "changde"},
        "approve": deciders,
        "return": {"wuling", "changde", "hunan", "national"},
        "cancel": deciders,
    }[action]


def perform(action, actor, registration):
    if action == "submit":
        return domain.submit(actor, registration)
    if action == "pre_approve":
        return domain.pre_approve(actor, registration)
    if action == "approve":
        return domain.approve(actor, registration)
    if action == "return":
        return domain.return_registration(actor, registration, "材料不全")
    return domain.cancel(actor, registration, "整改不合格")


@pytest.mark.parametrize("delegated", [False, True], ids=["own-approval", "delegated"])
@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_transition_allowed_exactly_for_role_and_state(
    world, cycle, collective, persona, action, state, delegated
):
    cycle.approval_delegated = delegated
    cycle.save()
    registration = RegistrationFactory(cycle=cycle, collective=collective, state=state)
    actors = {
        **world.users,
        "collective": collective.user,
        "other_collective": CollectiveFactory(unit=world.wuling).user,
    }
    allowed = persona in role(action, delegated) and state in FROM[action]

    if allowed:
        result = perform(action, actors[persona], registration)
        assert result.state == TARGET[action]
        assert Registration.objects.get(pk=registration.pk).state == TARGET[action]
        assert list(Transition.objects.values_list("from_state", "to_state", "actor")) == [
            (state, TARGET[action], actors[persona].pk)
        ]
        return
    expected = Forbidden if persona not in role(action, delegated) else Conflict
    with pytest.raises(expected) as refused:
        perform(action, actors[persona], registration)
    assert type(refused.value) is expected
    if expected is Conflict:
        assert refused.value.code == "invalid_state"
    assert Registration.objects.get(pk=registration.pk).state == state
    assert Transition.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="registration.").exists()


@pytest.mark.parametrize(
    ("action", "audit_action", "reason"),
    [
        ("pre_approve", "registration.pre_approve", ""),
        ("approve", "registration.approve", ""),
        ("return", "registration.return", "材料不全"),
        ("cancel", "registration.cancel", "整改不合格"),
    ],
)
def test_transition_writes_one_history_row_and_one_audit_entry(
    world, submitted, action, audit_action, reason
):
    actor = world.users["changde"] if action == "pre_approve" else world.users["hunan"]
    perform(action, actor, submitted)
    transition = Transition.objects.get()
    assert (transition.registration_id, transition.actor, transition.from_state) == (
        submitted.pk,
        actor,
        S.SUBMITTED,
    )
    assert (transition.to_state, transition.reason) == (TARGET[action], reason)
    entry = AuditEntry.objects.get(action=audit_action)
    expected = {"state": ["submitted", TARGET[action].value]}
    if reason:
        expected["reason"] = [None, reason]
    assert (entry.actor, entry.object_id, entry.changes) == (actor, str(submitted.pk), expected)
    assert entry.scope_path == world.wuling.path


def test_full_flow_draft_to_approved_with_a_return(world, registration, collective):
    domain.submit(collective.user, registration)
    domain.pre_approve(world.users["wuling"], registration)
    domain.return_registration(world.users["hunan"], registration, "号长年龄证明缺失")
    assert Registration.objects.get(pk=registration.pk).return_reason == "号长年龄证明缺失"
    domain.submit(collective.user, registration)
    domain.approve(world.users["hunan"], registration)
    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.state, stored.return_reason) == (S.APPROVED, "")
    assert stored.approved_at is not None
    assert list(Transition.objects.values_list("from_state", "to_state", "reason")) == [
        ("draft", "submitted", ""),
        ("submitted", "pre_approved", ""),
        ("pre_approved", "returned", "号长年龄证明缺失"),
        ("returned", "submitted", ""),
        ("submitted", "approved", ""),
    ]


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.parametrize("action", ["return", "cancel"])
def test_return_and_cancel_need_a_reason(world, submitted, action, reason):
    call = domain.return_registration if action == "return" else domain.cancel
    with pytest.raises(Exception) as refused:
        call(world.users["hunan"], submitted, reason)
    assert (refused.value.status, refused.value.code, refused.value.fields) == (
        400,
        "reason_required",
        {"reason": ["请填写原因"]},
    )
    assert Registration.objects.get(pk=submitted.pk).state == S.SUBMITTED


def test_stale_copy_loses_with_already_handled(world, submitted):
    stale = Registration.objects.get(pk=submitted.pk)
    domain.approve(world.users["hunan"], submitted)
    with pytest.raises(Conflict) as lost:
        domain.return_registration(world.users["changde"], stale, "材料不全")
    assert (lost.value.code, lost.value.message) == ("already_handled", "已被他人处理。")
    assert Transition.objects.count() == 1


def test_model_methods_delegate_to_the_domain(world, submitted):
    submitted.pre_approve(world.users["wuling"])
    submitted.approve(world.users["hunan"])
    submitted.cancel(world.users["hunan"], "严重问题")
    assert Registration.objects.get(pk=submitted.pk).state == S.CANCELLED
    assert Transition.objects.count() == 3


def test_no_generic_state_setter_exists():
    assert not [name for name in dir(domain) if "set_state" in name or "update_state" in name]
