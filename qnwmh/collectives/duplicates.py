"""One collective, one code (seeds 000 附件3 步骤一, Q4): who already holds a name, the 409
that says so, and the near-duplicates shown before a new code is made. Names are compared by
their keys (names.py); former names count like canonical ones."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from qnwmh.collectives.models import Collective, FormerName
from qnwmh.collectives.names import loose_key, name_key
from qnwmh.core.errors import Conflict


def holder_of_name(name: str, *, exclude_pk=None) -> Collective | None:
    """The collective whose canonical name or one of whose former names has `name`'s key."""
    key = name_key(name)
    holders = Collective.objects.select_related("unit").filter(
        Q(name_key=key) | Q(pk__in=FormerName.objects.filter(name_key=key).values("collective"))
    )
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    return holders.order_by("pk").first()


def exists_error(existing: Collective) -> Conflict:
    """409 collective_exists. The existing code and its unit are named even when it lies in
    another admin's subtree: a code is a login name, not a secret, and without it the admin
    cannot tell the collective which code to use or ask for a transfer (seeds 000 Q4)."""
    message = _(
        "The collective %(name)s already exists with code %(code)s (jurisdiction: %(unit)s). "
        "One collective has one code: use the existing code; if its jurisdiction is wrong, an "
        "admin over both units transfers it."
    ) % {"name": existing.name, "code": existing.code, "unit": existing.unit.name}
    return Conflict(
        message,
        code="collective_exists",
        fields={"name": [message]},
        extra={"existing_code": existing.code},
    )


@dataclass
class Candidate:
    """A possible near-duplicate shown before creating: the collective and the name of it that
    looked alike (its canonical name or a former name)."""

    collective: Collective
    matched_name: str
    exact: bool


def near_duplicates(name: str, *, limit: int = 10) -> list[Candidate]:
    """Collectives whose canonical or former name shares `name`'s loose key (有限公司/公司,
    集团, widths, spaces, punctuation and Chinese digits ignored). Searched country-wide: a
    duplicate in a neighbouring jurisdiction is exactly what the admin must see."""
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
    return sorted((_candidate(c, key, loose) for c in found), key=lambda c: not c.exact)


def _candidate(collective: Collective, key: str, loose: str) -> Candidate:
    if collective.name_key == key or collective.loose_key == loose:
        return Candidate(collective, collective.name, collective.name_key == key)
    for former in collective.former_names.all():
        if former.name_key == key or former.loose_key == loose:
            return Candidate(collective, former.name, former.name_key == key)
    return Candidate(collective, collective.name, False)
