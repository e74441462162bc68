"""A populated system for backup tests: a row in every table of the project, built with plain
Model.objects.create (the backup must not depend on how rows came to be), an archived stretch
of the audit log, and files under MEDIA_ROOT."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from qnwmh.accounts.enums import LoginChannel, LoginOutcome
from qnwmh.accounts.models import ApiToken, LoginAttempt
from qnwmh.audit.archive import archive_entries
from qnwmh.audit.domain import record
from qnwmh.audit.models import AuditEntry
from qnwmh.backup.tables import backed_up_models, label
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.jobs.enums import JobStatus
from qnwmh.jobs.models import Job
from qnwmh.registrations.enums import RegistrationState
from qnwmh.registrations.models import Registration, Transition
from qnwmh.titles.models import Title
from qnwmh.units.enums import Line

REPORT = "汇总表,一行\n".encode() + bytes(range(256))


def populate(world, archive_dir) -> None:
    hunan, changde, admin = world.hunan, world.changde, world.users["hunan"]
    for n in range(3):
        AuditEntry.objects.create(
            action=f"old.{n}", at=timezone.now() - datetime.timedelta(days=400 - n)
        )
    archive_entries(timezone.localdate() - datetime.timedelta(days=200), archive_dir / "a.gz")
    cycle = Cycle.objects.create(
        name="2025—2026年度湖南省青年文明号",
        level=Level.PROVINCIAL,
        unit=hunan,
        registration_opens=datetime.date(2025, 3, 1),
        registration_closes=datetime.date(2025, 6, 30),
        prior_title_levels=[Level.CITY],
        created_by=admin,
    )
    Quota.objects.create(cycle=cycle, unit=changde, required_registrations=6, evaluation_quota=2)
    collective = Collective.objects.create(
        code="8061398585",
        name="常德市第一人民医院急诊科",
        name_key="常德市第一人民医院急诊科",
        unit=changde,
        unit_path=changde.path,
        line=Line.REGION,
        phone="0736-7221234",
        frozen_reasons=["缺少号长"],
        created_by=admin,
    )
    FormerName.objects.create(collective=collective, name="急诊科", name_key="急诊科")
    Title.objects.create(
        collective=collective, level=Level.CITY, year=2023, name="常德市青年文明号"
    )
    registration = Registration.objects.create(
        cycle=cycle,
        collective=collective,
        unit=changde,
        unit_path=changde.path,
        state=RegistrationState.SUBMITTED,
        member_count=20,
        leader_birth_date=datetime.date(1990, 5, 17),
        prior_titles=[{"level": "CITY", "year": 2023, "name": "常德市青年文明号"}],
        eligibility=[{"rule": "members", "passed": True, "message": ""}],
        submitted_at=timezone.now(),
    )
    Transition.objects.create(
        registration=registration, actor=admin, from_state="draft", to_state="submitted"
    )
    LoginAttempt.objects.create(
        username="admin-hunan",
        user=admin,
        ip="10.0.0.1",
        channel=LoginChannel.WEB,
        outcome=LoginOutcome.SUCCESS,
    )
    ApiToken.objects.create(
        user=admin, key_hash="a" * 64, expires_at=timezone.now() + datetime.timedelta(hours=8)
    )
    job = Job.objects.create(
        handler="qnwmh.registrations.exports.export_summary",
        title="汇总表",
        status=JobStatus.DONE,
        created_by=admin,
        scope_path=hunan.path,
        result={"summary": "1 行"},
    )
    job.output_file.save("汇总表.csv", ContentFile(REPORT))
    record("collective.update", actor=admin, obj=collective, changes={"phone": ["", "1"]})


def snapshot() -> dict[str, list[dict]]:
    """Every row of every backed-up table, by primary key, all field values."""
    return {
        label(model): list(model._base_manager.order_by("pk").values())
        for model in backed_up_models()
    }


def media(root) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
