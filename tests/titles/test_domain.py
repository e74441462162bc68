"""Entering a title in the register (titles/domain.py, titles/rules.py): who may, at which
level, the certificate number once, the evidence scan checked by its bytes, and the audit."""

import pytest

from qnwmh.audit.models import AuditEntry
from qnwmh.core.errors import Forbidden, InvalidInput
from qnwmh.cycles.enums import Level
from qnwmh.titles.domain import CertificateExists, enter_title
from qnwmh.titles.enums import TitleStatus
from tests.collectives.factories import CollectiveFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def collective(world):
    return CollectiveFactory(unit=world.wuling, name="武陵区某某班组")


def test_a_province_enters_a_provincial_title_audited(world, collective):
    title = enter_title(
        world.users["hunan"],
        collective=collective,
        level=Level.PROVINCIAL,
        year=2022,
        name="湖南省青年文明号",
        certificate_no="HN-2022-001",
    )
    assert title.status == TitleStatus.VALID
    assert title.entered_by == world.users["hunan"] and title.entered_at is not None
    entry = AuditEntry.objects.get(action="title.enter")
    assert entry.object_id == str(title.pk)


@pytest.mark.parametrize(
    ("persona", "level", "allowed"),
    [
        ("national", Level.NATIONAL, True),
        ("national", Level.COUNTY, True),
        ("hunan", Level.NATIONAL, False),
        ("hunan", Level.PROVINCIAL, True),
        ("hunan", Level.CITY, True),
        ("changde", Level.PROVINCIAL, False),
        ("changde", Level.CITY, True),
        ("wuling", Level.CITY, False),
        ("wuling", Level.COUNTY, True),
        ("guangdong", Level.PROVINCIAL, False),  # not over the collective
    ],
)
def test_a_unit_enters_titles_of_its_level_or_below_in_its_subtree(
    world, collective, persona, level, allowed
):
    def enter():
        return enter_title(world.users[persona], collective=collective, level=level, year=2020)

    if allowed:
        assert enter().pk
    else:
        with pytest.raises(Forbidden):
            enter()


def test_a_certificate_number_is_registered_once(world, collective):
    enter_title(
        world.users["hunan"],
        collective=collective,
        level=Level.CITY,
        year=2020,
        certificate_no="C-1",
    )
    with pytest.raises(CertificateExists) as caught:
        enter_title(
            world.users["hunan"],
            collective=collective,
            level=Level.CITY,
            year=2021,
            certificate_no="C-1",
        )
    assert caught.value.status == 409 and caught.value.code == "certificate_exists"
    # Without a number, as many as needed.
    enter_title(world.users["hunan"], collective=collective, level=Level.CITY, year=2018)
    enter_title(world.users["hunan"], collective=collective, level=Level.CITY, year=2019)


def test_the_evidence_scan_is_checked_by_its_bytes_and_kept_private(
    world, collective, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    title = enter_title(
        world.users["hunan"], collective=collective, level=Level.CITY, year=2020, evidence=PDF
    )
    assert title.evidence.name.startswith("private/titles/") and title.evidence.name.endswith(
        ".pdf"
    )
    with pytest.raises(InvalidInput) as caught:
        enter_title(
            world.users["hunan"],
            collective=collective,
            level=Level.CITY,
            year=2021,
            evidence=b"<html><script>alert(1)</script>",
        )
    assert "evidence" in caught.value.fields
