"""`POST /api/v1/exports` and `GET /api/v1/jobs/{id}` (API.md "Added in 2026-12"): the seed's
tables as a job by the admin of the unit, followed and downloaded with the same bearer token."""

import io

import openpyxl
import pytest

from qnwmh.jobs.models import Job
from qnwmh.registrations.enums import RegistrationState as S
from tests.cycles.factories import CycleFactory, QuotaFactory
from tests.registrations.factories import CollectiveFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def national(world):
    cycle = CycleFactory(unit=world.national, name="2025—2026年度全国青年文明号")
    QuotaFactory(cycle=cycle, unit=world.changde, required_registrations=6, evaluation_quota=1)
    RegistrationFactory(
        cycle=cycle,
        collective=CollectiveFactory(unit=world.wuling, name="武陵区人民医院急诊科"),
        state=S.SUBMITTED,
    )
    return cycle


def _start(client, callbacks, **body):
    with callbacks(execute=True):
        return client.post("/exports", body)


@pytest.mark.parametrize(
    ("kind", "first_data_row"),
    [("summary", [1, "武陵区人民医院急诊科"]), ("quotas", ["常德市团委", 6])],
)
def test_export_job_runs_and_downloads_with_the_token(
    world, api_client, national, django_capture_on_commit_callbacks, kind, first_data_row
):
    client = api_client.as_user(world.users["hunan"])
    response = _start(
        client,
        django_capture_on_commit_callbacks,
        kind=kind,
        cycle=national.pk,
        unit=world.hunan.pk,
        format="xlsx",
    )
    assert response.status_code == 202
    job_id = response.json()["job"]
    state = client.get(f"/jobs/{job_id}").json()
    assert state == {
        "id": job_id,
        "state": "done",
        "progress": 100,
        "download": f"/api/v1/jobs/{job_id}/download",
        "error": None,
    }
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet["A1"].value.startswith("2025—2026年度全国青年文明号")
    assert [c.value for c in sheet[4]][:2] == first_data_row


def test_export_csv(world, api_client, national, django_capture_on_commit_callbacks):
    client = api_client.as_user(world.users["changde"])
    response = _start(
        client,
        django_capture_on_commit_callbacks,
        kind="summary",
        cycle=national.pk,
        unit=world.changde.pk,
        format="csv",
    )
    job = Job.objects.get(pk=response.json()["job"])
    assert job.output_name.endswith(".csv")


def test_export_outside_the_subtree_is_404_and_starts_nothing(
    world, api_client, national, django_capture_on_commit_callbacks
):
    client = api_client.as_user(world.users["guangdong"])
    response = _start(
        client,
        django_capture_on_commit_callbacks,
        kind="summary",
        cycle=national.pk,
        unit=world.hunan.pk,
    )
    assert response.status_code == 404
    client = api_client.as_user(world.users["changde"])
    response = _start(
        client,
        django_capture_on_commit_callbacks,
        kind="quotas",
        cycle=national.pk,
        unit=world.hunan.pk,  # the parent: not the caller's to export
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_bad_kind_or_format_is_400(world, api_client, national):
    client = api_client.as_user(world.users["hunan"])
    body = {"kind": "works", "cycle": national.pk, "unit": world.hunan.pk}
    assert client.post("/exports", body).status_code == 400
    body = {"kind": "summary", "cycle": national.pk, "unit": world.hunan.pk, "format": "pdf"}
    assert client.post("/exports", body).status_code == 400


def test_a_job_is_only_for_who_started_it(
    world, api_client, national, django_capture_on_commit_callbacks
):
    client = api_client.as_user(world.users["hunan"])
    job_id = _start(
        client,
        django_capture_on_commit_callbacks,
        kind="summary",
        cycle=national.pk,
        unit=world.changde.pk,
    ).json()["job"]
    # Not even the admin of the unit the job covers: a job is its starter's.
    other = api_client.as_user(world.users["changde"])
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}/download").status_code == 404


def test_export_buttons_on_the_cycle_and_progress_pages(
    world, login_as, national, django_capture_on_commit_callbacks
):
    client = login_as(world.users["hunan"])
    for url in (f"/cycles/{national.pk}/", f"/cycles/{national.pk}/progress/"):
        page = client.get(url).content.decode()
        assert f'action="/cycles/{national.pk}/export/"' in page
        assert 'value="summary"' in page and 'value="quotas"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/cycles/{national.pk}/export/", {"kind": "quotas", "unit": world.hunan.pk}
        )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.output_name.startswith("名额分配表-") and job.output_name.endswith(".xlsx")
    response = login_as(world.users["guangdong"]).post(
        f"/cycles/{national.pk}/export/", {"kind": "quotas", "unit": world.hunan.pk}
    )
    assert response.status_code == 404
    assert Job.objects.count() == 1
