"""A background job's life, declared once and run by the workflow engine: every step is a
system action (no user acts) with a history row (docs/decisions/003-background-jobs.md).

    run       queued → running     a worker claims it (of two workers given it, one wins)
    finish    running → done       the handler returned its result
    fail      running → failed     the handler raised, or its worker was found dead
                                   (recovery.reap)
    restart   failed → queued      its starter runs it again (recovery.restart; the one step a
                                   person takes, audited there as "job.restart")

Not audited here: the audit log holds what people do ("job.start", "job.restart"); a job's own
steps are in its history.
"""

from qnwmh.jobs.enums import JobStatus as J
from qnwmh.jobs.models import Job, JobTransition
from qnwmh.jobs.rules import is_job_starter
from qnwmh.workflow.declare import Action, Workflow

JOB = Workflow(
    name="job",
    model=Job,
    history=JobTransition,
    subject="job",
    state_field="status",
    actions=[
        Action("run", (J.QUEUED,), J.RUNNING),
        Action("finish", (J.RUNNING,), J.DONE),
        Action("fail", (J.RUNNING,), J.FAILED),
        Action("restart", (J.FAILED,), J.QUEUED, allowed=is_job_starter),
    ],
    audited=False,
    scope_unit=lambda job: None,
)
