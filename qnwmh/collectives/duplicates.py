"""One collective, one code (seeds 000 附件3 步骤一, Q4): who already holds a name, the 409
that says so, and the near-duplicates shown before a new code is made. Names are compared by
their keys (names.py); former names count like canonical ones."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from qnwmh.collectives.models import Collective, FormerName
from qnwmh.collectives.names import loose_key, name_key
from qnwmh.core.errors import Conflict
from qnwmh.core.paths import SEGMENT_WIDTH, is_within
from qnwmh.units.models import Unit


def holder_of_name(name: str, *, exclude_pk=None) -> Collective | None:
    """The collective whose canonical name or one of whose former names has `name`'s key."""
    key = name_key(name)
    holders = Collective.objects.select_related("unit").filter(
        Q(name_key=key) | Q(pk__in=FormerName.objects.filter(name_key=key).values("collective"))
    )
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    return holders.order_by("pk").first()


def in_jurisdiction(user, collective: Collective) -> bool:
    """True when `collective` lies in `user`'s subtree: only then may its code be named to them
    (issue 10 item 10 — a code is the collective's login name, and another province or a
    sibling city has no business with it)."""
    unit = getattr(user, "unit", None)
    return unit is not None and is_within(collective.unit.path, unit.path)


def lowest_common_unit(a: Unit, b: Unit) -> Unit | None:
    """The lowest unit over both `a` and `b`: the one that decides a transfer between them
    (seeds 000 Q4: 由上级管理员转移). None when they share no root."""
    common = 0
    for end in range(SEGMENT_WIDTH, min(len(a.path), len(b.path)) + 1, SEGMENT_WIDTH):
        if a.path[:end] != b.path[:end]:
            break
        common = end
    if not common:
        return None
    return Unit.objects.filter(path=a.path[:common]).first()


def exists_error(existing: Collective, actor=None) -> Conflict:
    """409 collective_exists. Inside the caller's subtree the message and `existing_code` name
    the code, so the admin can hand it to the collective (seeds 000 Q4). Outside it only the
    jurisdiction is named, with a hint for a transfer request to the lowest unit over both
    (`existing_unit`, `transfer_request`): the code is a login name and stays in its tree."""
    if actor is None or in_jurisdiction(actor, existing):
        message = _(
            "The collective %(name)s already exists with code %(code)s (jurisdiction: "
            "%(unit)s). One collective has one code: use the existing code; if its jurisdiction "
            "is wrong, an admin over both units transfers it."
        ) % {"name": existing.name, "code": existing.code, "unit": existing.unit.name}
        return Conflict(
            message,
            code="collective_exists",
            fields={"name": [message]},
            extra={"existing_code": existing.code},
        )
    decider = lowest_common_unit(existing.unit, actor.unit)
    message = _(
        "The collective %(name)s already exists under another jurisdiction (%(unit)s). One "
        "collective has one code: if it belongs under your unit, send a transfer request; "
        "%(decider)s decides it."
    ) % {
        "name": existing.name,
        "unit": existing.unit.name,
        "decider": decider.name if decider else "—",
    }
    return Conflict(
        message,
        code="collective_exists",
        fields={"name": [message]},
        extra={
            "existing_unit": {"id": existing.unit.pk, "name": existing.unit.name},
            "transfer_request": {
                "name": existing.name,
                "decided_by": {"id": decider.pk, "name": decider.name} if decider else None,
                "url": "/api/v1/collectives/transfer-requests",
            },
        },
    )


@dataclass
class Candidate:
    """A possible near-duplicate shown before creating: the collective and the name of it that
    looked alike (its canonical name or a former name)."""

    collective: Collective
    matched_name: str
    exact: bool
    # False outside the caller's subtree: then the code is never shown, only the unit.
    in_jurisdiction: bool = True

    @property
    def code(self) -> str | None:
        return self.collective.code if self.in_jurisdiction else None


def near_duplicates(name: str, user=None, *, limit: int = 10) -> list[Candidate]:
    """Collectives whose canonical or former name shares `name`'s loose key (有限公司/公司,
    集团, widths, spaces, punctuation and Chinese digits ignored). Searched country-wide: a
    duplicate in a neighbouring jurisdiction is exactly what the admin must see — but outside
    `user`'s subtree as its unit only, without the code (issue 10 item 10)."""
    key, loose = name_key(name), loose_key(name)
    if not key:
        return []
    former = FormerName.objects.filter(Q(loose_key=loose) | Q(name_key=key))
    found = (
        Collective.objects.select_related("unit")
        .prefetch_related("former_names")
        .filter(Q(loose_key=loose) | Q(name_key=key) | Q(pk__in=former.values("collective")))
        .order_by("code")[:limit]
    )
    candidates = [_candidate(c, key, loose) for c in found]
    for candidate in candidates:
        candidate.in_jurisdiction = user is None or in_jurisdiction(user, candidate.collective)
    return sorted(candidates, key=lambda c: not c.exact)


def _candidate(collective: Collective, key: str, loose: str) -> Candidate:
    if collective.name_key == key or collective.loose_key == loose:
        return Candidate(collective, collective.name, collective.name_key == key)
    for former in collective.former_names.all():
        if former.name_key == key or former.loose_key == loose:
            return Candidate(collective, former.name, former.name_key == key)
    return Candidate(collective, collective.name, False)
