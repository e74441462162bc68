"""A toy workflow for the engine's tests, declared on an existing table: a job seen as a
document its owner sends for review (no job ever runs here; only the status column is used).

    send     queued → running    its owner
    accept   running → done      a business admin over its scope; the owner is told
    reject   running → failed    the same, with a reason (at most 10 characters), kept in
                                 `error`; the owner is told why
    reopen   failed → queued     its owner
    expire   queued → failed     the system
"""

import rules

from qnwmh.jobs.enums import JobStatus as J
from qnwmh.jobs.models import Job, JobTransition
from qnwmh.notifications.domain import Message
from qnwmh.workflow.declare import Action, Workflow


@rules.predicate
def is_owner(user, job) -> bool:
    return job.created_by_id == user.pk


@rules.predicate
def is_admin_over(user, job) -> bool:
    return bool(user.is_business_admin and user.unit and job.scope_path.startswith(user.unit.path))


def tell_owner(job, change) -> list[Message]:
    return [Message((job.created_by_id,), f"toy.{change.action}", change.action, change.reason)]


HOOKED: list = []  # (job id, change) of every hook call, for the tests to read


def hook(job, change) -> None:
    HOOKED.append((job.pk, change))


TOY = Workflow(
    name="toy",
    model=Job,
    history=JobTransition,
    subject="job",
    state_field="status",
    actions=[
        Action("send", (J.QUEUED,), J.RUNNING, allowed=is_owner),
        Action("accept", (J.RUNNING,), J.DONE, allowed=is_admin_over, notify=tell_owner),
        Action(
            "reject",
            (J.RUNNING,),
            J.FAILED,
            allowed=is_admin_over,
            reason_required=True,
            max_reason=10,
            reason_field="error",
            notify=tell_owner,
        ),
        Action("reopen", (J.FAILED,), J.QUEUED, allowed=is_owner),
        Action("expire", (J.QUEUED,), J.FAILED),
    ],
    hooks=[hook],
    scope_unit=lambda job: job.created_by.unit,
)

FROM = {
    "send": {J.QUEUED},
    "accept": {J.RUNNING},
    "reject": {J.RUNNING},
    "reopen": {J.FAILED},
    "expire": {J.QUEUED},
}
TO = {
    "send": J.RUNNING,
    "accept": J.DONE,
    "reject": J.FAILED,
    "reopen": J.QUEUED,
    "expire": J.FAILED,
}
