"""API v1 of background jobs (../shared/API.md "Added in 2026-12"): the state of a job for who
started it, and its output behind the same bearer token (the private download of the pages'
/jobs/{id}/download/, answered here to an API client)."""

from django.http import Http404
from ninja import Router, Schema

from qnwmh.core.api import ERRORS, Id
from qnwmh.core.downloads import attachment
from qnwmh.core.errors import NotFound
from qnwmh.jobs.enums import JobStatus
from qnwmh.jobs.models import Job

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    state: JobStatus
    progress: int
    download: str | None
    error: str | None


def job_of_caller(request, job_id: int) -> Job:
    """A job of the caller's own: who started it (a job is not a report of the subtree)."""
    job = Job.objects.visible_to(request.user).filter(pk=job_id, created_by=request.user).first()
    if job is None:
        raise NotFound()
    return job


def job_body(job: Job) -> dict:
    done = job.status == JobStatus.DONE and bool(job.output_file)
    return {
        "id": job.pk,
        "state": job.status,
        "progress": job.percent,
        "download": f"/api/v1/jobs/{job.pk}/download" if done else None,
        "error": job.error or None,
    }


@router.get("/{job_id}", response={200: JobOut, **ERRORS})
def get_job(request, job_id: Id):
    """The state of a job the caller started: queued, running, done (with its download) or
    failed (with the error)."""
    return job_body(job_of_caller(request, job_id))


@router.get(
    "/{job_id}/download",
    response={**ERRORS},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The job's output file (xlsx or csv) as an attachment.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def download_job(request, job_id: Id):
    """The output of a finished job, to the same bearer token that started it."""
    job = job_of_caller(request, job_id)
    if not job.output_file:
        raise Http404
    return attachment(job.output_file.open("rb"), job.output_name)
