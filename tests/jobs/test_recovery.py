"""Jobs that survive their worker (qnwmh/jobs/recovery.py, issue 12 #5): a heartbeat with the
progress, a job whose worker died marked failed with a Chinese reason, restarted by whoever
started it — an import from its last stored chunk — and no job left "running" by a restore."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from qnwmh.audit.models import AuditEntry
from qnwmh.collectives import imports
from qnwmh.collectives.imports import job as import_job
from qnwmh.collectives.models import Collective, ImportChunk
from qnwmh.core.errors import AlreadyHandled, Forbidden
from qnwmh.jobs import domain, recovery
from qnwmh.jobs.enums import JobStatus
from qnwmh.jobs.models import Job
from tests.conftest import count_queries

pytestmark = pytest.mark.django_db

STALE_REASON = (
    "执行此任务的后台进程已中断（10 分钟没有任何响应），任务已标记为失败；发起人可以重新开始。"
)


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no except Exception."""


@domain.job_handler
def slow_count(job, progress):
    for i in range(1, 4):
        progress(i, 3)
    return {"summary": "done"}


def _started(world, handler=slow_count) -> Job:
    job = domain.start(handler, actor=world.users["hunan"], title="任务")
    return job


def _running_since(job: Job, minutes: float) -> None:
    then = timezone.now() - timedelta(minutes=minutes)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=then, heartbeat_at=then
    )


def test_progress_carries_the_heartbeat_without_a_statement_of_its_own(world):
    job = _started(world)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    progress = domain.Progress(Job.objects.get(pk=job.pk), every=1)
    progress(0, 3)
    assert count_queries(lambda: progress(1)) == 1
    assert Job.objects.get(pk=job.pk).heartbeat_at > timezone.now() - timedelta(seconds=5)


def test_a_job_without_heartbeat_is_marked_failed_with_a_chinese_reason(world):
    job = _started(world)
    _running_since(job, 11)
    assert recovery.reap() == 1
    job.refresh_from_db()
    assert (job.status, job.error, job.result["summary"]) == (
        JobStatus.FAILED,
        STALE_REASON,
        STALE_REASON,
    )
    # A step of the job's workflow, taken by the system: in its history.
    assert list(job.history.values_list("actor", "action", "from_state", "to_state")) == [
        (None, "fail", "running", "failed")
    ]


def test_a_job_with_a_recent_heartbeat_is_left_running(world):
    job = _started(world)
    _running_since(job, 9)
    assert recovery.reap() == 0
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_the_job_page_reaps_its_stalled_job_and_offers_a_restart(world, login_as):
    job = _started(world)
    _running_since(job, 11)
    page = login_as(world.users["hunan"]).get(f"/jobs/{job.pk}/").content.decode()
    assert STALE_REASON in page and f'action="/jobs/{job.pk}/restart/"' in page
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_reap_jobs_command(world, capsys):
    _running_since(_started(world), 11)
    call_command("reap_jobs")
    assert capsys.readouterr().out.strip() == "已将 1 个中断的任务标记为失败。"


def test_only_the_starter_restarts(world, login_as, django_capture_on_commit_callbacks):
    job = _started(world)
    _running_since(job, 11)
    recovery.reap()
    with pytest.raises(Forbidden):
        recovery.restart(world.users["national"], job)
    page = login_as(world.users["national"]).get(f"/jobs/{job.pk}/").content.decode()
    assert "/restart/" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as(world.users["hunan"]).post(f"/jobs/{job.pk}/restart/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.done, job.error) == (JobStatus.DONE, 3, "")
    assert AuditEntry.objects.filter(action="job.restart").count() == 1


def test_a_job_is_restarted_once(world):
    job = _started(world)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    first, second = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)  # two tabs open
    recovery.restart(world.users["hunan"], first)
    with pytest.raises(AlreadyHandled):
        recovery.restart(world.users["hunan"], second)
    assert list(job.history.values_list("action", flat=True)) == ["restart"]


# --- An import killed mid-way resumes from its last stored chunk -------------------------------


def _rows(count: int) -> bytes:
    lines = ["集体名称,归口单位"] + [f"常德第{n}班组,常德市团委" for n in range(1, count + 1)]
    return ("\n".join(lines) + "\n").encode()


# The kill leaves the reader's generator open on a closed file; Python reports it on collection.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_killed_import_resumes_after_its_last_stored_chunk(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(import_job, "CHUNK", 4)
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.start_import(world.users["hunan"], SimpleUploadedFile("a.csv", _rows(10)))
    calls = []
    real_write = import_job.write_chunk

    def write_then_die(actor, rows, source, job):
        calls.append([row.line for row in rows])
        if len(calls) == 2:
            raise WorkerKilled
        return real_write(actor, rows, source, job)

    monkeypatch.setattr(import_job, "write_chunk", write_then_die)
    with pytest.raises(WorkerKilled):
        domain.run(job.pk)
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # as a killed worker leaves it
    assert Collective.objects.count() == 4
    assert list(ImportChunk.objects.values_list("last_line", flat=True)) == [5]

    _running_since(job, 11)
    recovery.reap()
    monkeypatch.setattr(import_job, "write_chunk", real_write)
    with django_capture_on_commit_callbacks(execute=True):
        recovery.restart(world.users["hunan"], Job.objects.get(pk=job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result["counts"] == {
        "created": 10,
        "frozen": 10,
        "exists": 0,
        "rejected": 0,
        "empty": 0,
        "rows": 10,
    }
    assert Collective.objects.count() == 10
    assert calls == [[2, 3, 4, 5], [6, 7, 8, 9]]  # lines 2–5 were not read again for storing


def test_a_restore_leaves_no_job_running(world):
    from qnwmh.jobs.recovery import fail_unfinished

    running, queued, done = _started(world), _started(world), _started(world)
    _running_since(running, 1)
    Job.objects.filter(pk=done.pk).update(status=JobStatus.DONE)
    assert fail_unfinished() == 2
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert (statuses[running.pk], statuses[queued.pk], statuses[done.pk]) == (
        JobStatus.FAILED,
        JobStatus.FAILED,
        JobStatus.DONE,
    )
    assert Job.objects.get(pk=running.pk).error.startswith("系统从备份恢复时此任务尚未完成")
