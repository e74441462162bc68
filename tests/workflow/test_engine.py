"""The workflow engine on a declared toy workflow (toy.py): every action from every state by
every persona, the refusal order (403, then 409, then 400), the reason, the history row, the
audit entry, the hooks, the stale copy that loses, and system actions."""

import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import AlreadyHandled, Conflict, Forbidden, InvalidInput
from qnwmh.jobs.enums import JobStatus as J
from qnwmh.jobs.models import Job, JobTransition
from qnwmh.workflow import engine
from tests.workflow import toy
from tests.workflow.toy import FROM, TO, TOY

PERSONAS = ["owner", "changde", "hunan", "guangdong", "system"]
ACTIONS = ["send", "accept", "reject", "reopen", "expire"]
# Who may take each action at all, written out independently of toy.py's predicates.
ROLE = {
    "send": {"owner"},
    "accept": {"changde", "hunan"},
    "reject": {"changde", "hunan"},
    "reopen": {"owner"},
    "expire": {"system"},
}


def actor_of(persona, world, owner):
    return {"owner": owner, "system": None}.get(persona) or world.users.get(persona)


@pytest.mark.parametrize("state", list(J))
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_transition_allowed_exactly_for_role_and_state(
    world, owner, make_doc, persona, action, state
):
    doc = make_doc(state)
    actor = actor_of(persona, world, owner)
    reason = "不合格" if action == "reject" else ""

    if persona in ROLE[action] and state in FROM[action]:
        result = engine.transition(TOY, action, actor, doc, reason=reason)
        assert (result.status, Job.objects.get(pk=doc.pk).status) == (TO[action], TO[action])
        assert list(
            JobTransition.objects.values_list("action", "from_state", "to_state", "actor")
        ) == [(action, state, TO[action], getattr(actor, "pk", None))]
        return
    expected = Forbidden if persona not in ROLE[action] else Conflict
    with pytest.raises(expected) as refused:
        engine.transition(TOY, action, actor, doc, reason=reason)
    assert type(refused.value) is expected
    if expected is Conflict:
        assert refused.value.code == "invalid_state"
    assert Job.objects.get(pk=doc.pk).status == state
    assert (JobTransition.objects.count(), toy.HOOKED) == (0, [])
    assert not AuditEntry.objects.filter(action__startswith="toy.").exists()


@pytest.mark.parametrize("state", list(J))
@pytest.mark.parametrize("persona", PERSONAS)
def test_allowed_actions_are_the_users_buttons(world, owner, make_doc, persona, state):
    doc = make_doc(state)
    expected = [
        a for a in ACTIONS if persona in ROLE[a] and state in FROM[a] and persona != "system"
    ]
    assert engine.allowed_actions(TOY, actor_of(persona, world, owner), doc) == expected


def test_role_is_checked_before_state_and_state_before_reason(world, owner, make_doc):
    done = make_doc(J.DONE)
    with pytest.raises(Forbidden):
        engine.transition(TOY, "reject", world.users["guangdong"], done, reason="")
    with pytest.raises(Conflict) as wrong_state:
        engine.transition(TOY, "reject", world.users["changde"], done, reason="")
    assert wrong_state.value.code == "invalid_state"
    assert wrong_state.value.message == f"当前状态为“{J.DONE.label}”，不能进行此操作"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reason_required(world, make_doc, reason):
    doc = make_doc(J.RUNNING)
    with pytest.raises(InvalidInput) as refused:
        engine.transition(TOY, "reject", world.users["changde"], doc, reason=reason)
    assert (refused.value.status, refused.value.code, refused.value.fields) == (
        400,
        "reason_required",
        {"reason": ["请填写原因"]},
    )
    assert (Job.objects.get(pk=doc.pk).status, JobTransition.objects.count()) == (J.RUNNING, 0)


def test_reason_too_long(world, make_doc):
    doc = make_doc(J.RUNNING)
    with pytest.raises(InvalidInput) as refused:
        engine.transition(TOY, "reject", world.users["changde"], doc, reason="一" * 11)
    assert (refused.value.code, refused.value.fields) == ("invalid", {"reason": ["最多 10 个字"]})


def test_reason_is_stripped_and_kept_in_history_field_and_audit(world, make_doc):
    doc = make_doc(J.RUNNING)
    engine.transition(TOY, "reject", world.users["changde"], doc, reason="  材料不全  ")
    stored = Job.objects.get(pk=doc.pk)
    assert (stored.status, stored.error, doc.error) == (J.FAILED, "材料不全", "材料不全")
    assert JobTransition.objects.get().reason == "材料不全"
    entry = AuditEntry.objects.get(action="toy.reject")
    assert entry.changes == {"state": ["running", "failed"], "reason": [None, "材料不全"]}


def test_history_row_names_who_when_from_to_action(world, owner, make_doc):
    doc = make_doc(J.QUEUED)
    engine.transition(TOY, "send", owner, doc)
    row = JobTransition.objects.get()
    assert (row.job_id, row.actor, row.action, row.from_state, row.to_state, row.reason) == (
        doc.pk,
        owner,
        "send",
        "queued",
        "running",
        "",
    )
    assert row.at is not None


def test_audit_entry_scoped_and_with_further_changes(world, make_doc):
    doc = make_doc(J.RUNNING)
    engine.transition(TOY, "accept", world.users["hunan"], doc, changes={"note": ["a", "b"]})
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == (
        "toy.accept",
        world.users["hunan"],
        str(doc.pk),
    )
    assert entry.changes == {"state": ["running", "done"], "note": ["a", "b"]}
    assert entry.scope_path == world.hunan.path  # the owner has no unit: the actor's


def test_updates_are_swapped_with_the_state(world, owner, make_doc):
    doc = make_doc(J.QUEUED)
    engine.transition(TOY, "send", owner, doc, updates={"done": 7})
    assert (Job.objects.get(pk=doc.pk).done, doc.done) == (7, 7)


def test_hooks_run_after_the_swap_with_the_change(world, owner, make_doc):
    doc = make_doc(J.QUEUED)
    engine.transition(TOY, "send", owner, doc)
    [(job_id, change)] = toy.HOOKED
    assert (job_id, change.action, change.from_state, change.to_state, change.actor) == (
        doc.pk,
        "send",
        J.QUEUED,
        J.RUNNING,
        owner,
    )


def test_a_failing_hook_undoes_the_whole_change(world, owner, make_doc, monkeypatch):
    def broken(job, change):
        raise RuntimeError("derived data failed")

    monkeypatch.setattr(TOY, "hooks", (broken,))
    doc = make_doc(J.QUEUED)
    with pytest.raises(RuntimeError):
        engine.transition(TOY, "send", owner, doc)
    assert (Job.objects.get(pk=doc.pk).status, doc.status) == (J.QUEUED, J.QUEUED)
    assert (JobTransition.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_stale_copy_loses_with_already_handled(world, make_doc):
    doc = make_doc(J.RUNNING)
    stale = Job.objects.get(pk=doc.pk)
    engine.transition(TOY, "accept", world.users["hunan"], doc)
    with pytest.raises(AlreadyHandled) as lost:
        engine.transition(TOY, "reject", world.users["changde"], stale, reason="晚了")
    assert (lost.value.status, lost.value.code, lost.value.message) == (
        409,
        "already_handled",
        "已被他人处理。",
    )
    assert list(JobTransition.objects.values_list("action", flat=True)) == ["accept"]
    assert Job.objects.get(pk=doc.pk).status == J.DONE


def test_system_action_takes_no_user_and_has_no_actor(world, make_doc):
    doc = make_doc(J.QUEUED)
    with pytest.raises(Forbidden):
        engine.transition(TOY, "expire", world.users["national"], doc)
    engine.transition(TOY, "expire", None, doc)
    row = JobTransition.objects.get()
    assert (row.actor, row.action, row.to_state) == (None, "expire", J.FAILED)
    assert AuditEntry.objects.get().actor is None


def test_unknown_action_is_a_programming_error(world, make_doc):
    with pytest.raises(ValueError):
        engine.transition(TOY, "set_state", None, make_doc(J.QUEUED))
