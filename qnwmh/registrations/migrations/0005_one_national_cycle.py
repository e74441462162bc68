"""One 届次 for the whole tree (issue 10 item 1; API.md; seeds 000 一.2, 001, 004 一届次一申报):
a tier-1 unit's copy of a national cycle (e.g. "2025—2026年度全国青年文明号（湖南）") becomes the
province's allocations in the national committee's cycle of the same period.

For each NATIONAL cycle organised by a tier-1 unit, the national cycle is the one organised by
the tier-0 unit whose window overlaps the copy's. Then:
- its registrations move to the national cycle;
- its quota rows become allocations of the province's subtree in the national cycle (a row the
  national cycle already has for the same unit is kept, not overwritten), and the province gets
  an allocation of the copy's totals when the national committee gave it none;
- cycles that named the copy as `previous` name the national cycle; the copy is removed;
- the subtree count table of the national cycle is rebuilt.

A collective that would end with two registrations in the one cycle is refused: that copy is
left in place untouched and reported on the console (the migration does not stop, so the rest
of the tree moves; the admins then withdraw one of the two and run the migration's function
again with `manage.py shell`, or remove the copy by hand). With no national cycle of the period,
the copy is left in place and reported as well."""

from django.db import migrations

NATIONAL = "NATIONAL"


def _national_for(Cycle, copy):
    return (
        Cycle.objects.filter(
            level=NATIONAL,
            unit__tier=0,
            registration_opens__lte=copy.registration_closes,
            registration_closes__gte=copy.registration_opens,
        )
        .order_by("-registration_closes", "pk")
        .first()
    )


def merge_copies(apps, schema_editor, report=print):
    Cycle = apps.get_model("cycles", "Cycle")
    Quota = apps.get_model("cycles", "Quota")
    Registration = apps.get_model("registrations", "Registration")
    merged = []
    for copy in Cycle.objects.filter(level=NATIONAL, unit__tier=1).order_by("pk"):
        national = _national_for(Cycle, copy)
        if national is None:
            report(f"[one national cycle] {copy.name}: no national cycle of its period; kept.")
            continue
        twice = Registration.objects.filter(
            cycle=copy,
            collective_id__in=Registration.objects.filter(cycle=national).values("collective_id"),
        ).select_related("collective")
        if twice.exists():
            names = ", ".join(sorted(r.collective.name for r in twice))
            report(
                f"[one national cycle] {copy.name}: kept — these collectives are registered "
                f"in {national.name} too and would have two registrations: {names}"
            )
            continue
        Registration.objects.filter(cycle=copy).update(cycle=national)
        taken = set(Quota.objects.filter(cycle=national).values_list("unit_id", flat=True))
        rows = list(Quota.objects.filter(cycle=copy))
        for row in rows:
            if row.unit_id not in taken:
                Quota.objects.create(
                    cycle=national,
                    unit_id=row.unit_id,
                    required_registrations=row.required_registrations,
                    evaluation_quota=row.evaluation_quota,
                )
        if copy.unit_id not in taken and rows:
            # What the province had split, as its own allocation from the committee.
            children = [row for row in rows if row.unit.parent_id == copy.unit_id]
            Quota.objects.create(
                cycle=national,
                unit_id=copy.unit_id,
                required_registrations=sum(r.required_registrations for r in children),
                evaluation_quota=sum(r.evaluation_quota for r in children),
            )
        Cycle.objects.filter(previous=copy).update(previous=national)
        Quota.objects.filter(cycle=copy).delete()
        copy.delete()
        merged.append(national.pk)
        report(f"[one national cycle] {copy.name}: merged into {national.name}.")
    if merged:
        from qnwmh.registrations import counts

        for cycle_id in sorted(set(merged)):
            counts.rebuild(cycle_id)


class Migration(migrations.Migration):
    dependencies = [
        ("cycles", "0002_delegation"),
        ("registrations", "0004_transition_action"),
    ]

    operations = [migrations.RunPython(merge_copies, migrations.RunPython.noop)]
