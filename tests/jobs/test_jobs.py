import pytest

from qnwmh.jobs import domain
from qnwmh.jobs.enums import JobStatus
from qnwmh.jobs.models import Job


@domain.job_handler
def count_to_three(job, progress):
    for i in range(1, 4):
        progress(i, 3)
    domain.attach_output(job, "结果 表.txt", b"1,2,3")
    return {"summary": "done", "problems": [{"line": 2, "message": "bad"}]}


@domain.job_handler
def explode(job, progress):
    raise ValueError("boom")


def not_a_handler(job, progress):
    return {}


@pytest.mark.django_db(transaction=True)
def test_job_runs_in_process_and_keeps_its_output(world):
    job = domain.start(count_to_three, actor=world.users["hunan"], title="数三")
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.result["summary"]) == (
        JobStatus.DONE,
        3,
        3,
        "done",
    )
    assert job.output_file.read() == b"1,2,3"


@pytest.mark.django_db(transaction=True)
def test_job_failure_is_recorded(world):
    job = domain.start(explode, actor=world.users["hunan"], title="失败")
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "boom")


def test_only_marked_functions_can_run():
    with pytest.raises(ValueError):
        domain.resolve_handler("tests.jobs.test_jobs.not_a_handler")


@pytest.mark.django_db(transaction=True)
def test_job_page_and_download_scoped_to_subtree(world, login_as):
    job = domain.start(count_to_three, actor=world.users["changde"], title="数三")
    client = login_as(world.users["hunan"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"1,2,3"
    client = login_as(world.users["guangdong"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_job_runs_once_even_if_delivered_twice(world):
    job = domain.start(count_to_three, actor=world.users["hunan"], title="数三")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, done=0)
    domain.run(job.pk)
    assert Job.objects.get(pk=job.pk).done == 0
