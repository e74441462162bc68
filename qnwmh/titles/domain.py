"""The title register's domain: entering a title (and its evidence scan), audited.

A title in the register is what eligibility counts (issue 10 "Titles from the register only"):
a title a collective only states in its profile is a claim until an admin enters it here."""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.audit.domain import record
from qnwmh.core.errors import Conflict, Forbidden, InvalidInput
from qnwmh.core.uploads import opened
from qnwmh.cycles.enums import Level
from qnwmh.titles import rules
from qnwmh.titles.enums import TitleStatus
from qnwmh.titles.models import Title

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# An evidence scan is a PDF, a JPEG or a PNG, recognised from its first bytes (never from its
# name or the browser's content type).
_EVIDENCE_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


class CertificateExists(Conflict):
    code = "certificate_exists"


@dataclass(frozen=True)
class Evidence:
    content: bytes
    extension: str


def accept_evidence(data) -> Evidence:
    """Check an uploaded scan by its bytes: PDF, JPEG or PNG, at most 10 MB; InvalidInput
    (field "evidence") otherwise."""
    handle, size = opened(data)

    def reject(message):
        return InvalidInput(message, fields={"evidence": [message]})

    if not size:
        raise reject(_("The file is empty."))
    if size > MAX_EVIDENCE_BYTES:
        raise reject(_("The scan is larger than 10 MB."))
    head = handle.read(16)
    for signature, extension in _EVIDENCE_SIGNATURES:
        if head.startswith(signature):
            handle.seek(0)
            return Evidence(handle.read(), extension)
    raise reject(_("The scan must be a PDF, JPEG or PNG file."))


def enter_title(
    actor,
    *,
    collective,
    level: str,
    year: int,
    name: str = "",
    named_on=None,
    certificate_no: str = "",
    cycle=None,
    evidence=None,
) -> Title:
    """Enter a title in the register for `collective` (already fetched within the actor's
    subtree): Forbidden unless the actor may enter a title of this level over it
    (titles.rules.can_enter_title), CertificateExists for a certificate number already
    registered. Audited as "title.enter"."""
    if level not in Level.values:
        message = _("Unknown level.")
        raise InvalidInput(message, fields={"level": [message]})
    certificate_no = (certificate_no or "").strip()
    title = Title(
        collective=collective,
        level=level,
        year=year,
        name=(name or "").strip(),
        named_on=named_on,
        certificate_no=certificate_no,
        cycle=cycle,
        status=TitleStatus.VALID,
        entered_by=actor,
        entered_at=timezone.now(),
    )
    if not rules.can_enter_title(actor, title):
        raise Forbidden(_("Your unit may not enter a title of this level for this collective."))
    scan = accept_evidence(evidence) if evidence is not None else None
    if certificate_no and Title.objects.filter(certificate_no=certificate_no).exists():
        raise _certificate_exists()
    if scan is not None:
        title.evidence.save(f"title.{scan.extension}", ContentFile(scan.content), save=False)
    try:
        with transaction.atomic():
            title.save()
            record(
                "title.enter",
                actor=actor,
                obj=title,
                scope_unit=collective.unit,
                changes={
                    "collective": collective.code,
                    "level": level,
                    "year": year,
                    "certificate_no": certificate_no,
                },
            )
    except IntegrityError as exc:  # two entries of one number at once
        raise _certificate_exists() from exc
    return title


def _certificate_exists() -> CertificateExists:
    message = _("A title with this certificate number is already in the register.")
    return CertificateExists(message, fields={"certificate_no": [message]})
