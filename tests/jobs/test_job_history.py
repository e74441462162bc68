"""A job's steps are system transitions of its workflow (jobs/workflow.py), each with a history
row and no actor."""

import pytest

from qnwmh.core.errors import Forbidden
from qnwmh.jobs import domain
from qnwmh.jobs.enums import JobStatus
from qnwmh.jobs.models import Job, JobTransition
from qnwmh.jobs.workflow import JOB
from qnwmh.workflow import engine
from tests.jobs.test_jobs import count_to_three, explode


def history(job) -> list[tuple]:
    return list(
        JobTransition.objects.filter(job=job).values_list(
            "actor", "action", "from_state", "to_state"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_job_that_ends_well(world):
    job = domain.start(count_to_three, actor=world.users["hunan"], title="数三")
    assert history(job) == [
        (None, "run", "queued", "running"),
        (None, "finish", "running", "done"),
    ]
    job.refresh_from_db()
    assert (job.started_at is not None, job.finished_at is not None) == (True, True)


@pytest.mark.django_db(transaction=True)
def test_a_job_that_fails(world):
    job = domain.start(explode, actor=world.users["hunan"], title="失败")
    assert history(job) == [
        (None, "run", "queued", "running"),
        (None, "fail", "running", "failed"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_job_delivered_twice_runs_and_is_recorded_once(world):
    job = domain.start(count_to_three, actor=world.users["hunan"], title="数三")
    domain.run(job.pk)
    assert len(history(job)) == 2


def test_restart_puts_a_failed_job_back_in_the_queue_by_its_starter_only(world):
    job = Job.objects.create(
        handler="x", title="t", status=JobStatus.FAILED, created_by=world.users["hunan"]
    )
    for other in (world.users["national"], None):
        with pytest.raises(Forbidden):
            engine.transition(JOB, "restart", other, job)
    engine.transition(JOB, "restart", world.users["hunan"], job)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert history(job) == [(world.users["hunan"].pk, "restart", "failed", "queued")]
