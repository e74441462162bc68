"""Test factories stand in for the domain functions, so they keep the dashboard's subtree
counts (qnwmh/registrations/counts.py) the way those do; and the comparison the count tests
make, table against live aggregate."""

from django.db import transaction

from qnwmh.registrations import counts
from qnwmh.reporting.progress import _counts, live_counts
from qnwmh.units.models import Unit


def create_counted(create, model_class, *args, **kwargs):
    with transaction.atomic():
        registration = create(model_class, *args, **kwargs)
        counts.created(registration.pk)
    return registration


def create_titled(create, model_class, *args, **kwargs):
    collective = kwargs["collective"]
    with (
        transaction.atomic(),
        counts.recounting(counts.of_collective(collective.pk), collective_id=collective.pk),
    ):
        return create(model_class, *args, **kwargs)


def table_differs_from_live(cycle) -> dict:
    """{unit name: (table, live)} for every unit whose dashboard counts differ."""
    found = {}
    for unit in Unit.objects.order_by("path"):
        table, live = _counts(cycle, unit), live_counts(cycle, unit)
        if table != live:
            found[unit.name] = (table, live)
    return found
