"""Two decisions at the same moment on a real PostgreSQL (SQLite serialises writers, so this is
skipped there): exactly one wins, the other hears "已被他人处理", one history row."""

import pytest
from django.db import connection

from qnwmh.core.errors import AlreadyHandled
from qnwmh.jobs.enums import JobStatus as J
from qnwmh.jobs.models import Job, JobTransition
from qnwmh.workflow import engine
from tests.registrations.test_concurrency import run_at_once
from tests.workflow.toy import TOY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_reviewers_at_once_one_wins(world, make_doc):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")
    doc = make_doc(J.RUNNING)
    first, second = (Job.objects.get(pk=doc.pk) for _ in range(2))

    outcomes = run_at_once(
        lambda: engine.transition(TOY, "accept", world.users["hunan"], first),
        lambda: engine.transition(TOY, "reject", world.users["changde"], second, reason="不全"),
    )

    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(losers) == 1 and type(losers[0]) is AlreadyHandled
    assert losers[0].message == "已被他人处理。"
    stored = Job.objects.get(pk=doc.pk)
    assert list(JobTransition.objects.values_list("to_state", flat=True)) == [stored.status]
    assert stored.status in (J.DONE, J.FAILED)
