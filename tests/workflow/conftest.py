import pytest

from qnwmh.accounts.enums import AccountKind
from qnwmh.jobs.enums import JobStatus
from qnwmh.jobs.models import Job
from tests.factories import UserFactory
from tests.workflow import toy


@pytest.fixture(autouse=True)
def _no_hook_calls_left():
    toy.HOOKED.clear()
    yield
    toy.HOOKED.clear()


@pytest.fixture
def owner(world):
    """The toy document's author: an account that is no admin (the toy asks only ownership)."""
    return UserFactory(username="toy-owner", kind=AccountKind.JUDGE, unit=None)


@pytest.fixture
def make_doc(world, owner):
    def make(status=JobStatus.QUEUED) -> Job:
        return Job.objects.create(
            handler="toy",
            title="玩具文档",
            status=status,
            created_by=owner,
            scope_path=world.changde.path,
        )

    return make
