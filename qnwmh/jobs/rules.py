"""Who may act on a background job (docs/decisions/009-permissions.md). A job's own steps are the
system's (workflow.py); a person only restarts a failed job, and only the one who started it."""

import rules


@rules.predicate
def is_job_starter(user, job) -> bool:
    """The account that started the job (jobs are private to their starter)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and job.created_by_id == user.pk
    )
