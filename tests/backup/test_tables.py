"""Which tables a backup holds, and in which order they are loaded."""

from qnwmh.backup.tables import backed_up_models, dependency_order, label


def test_every_project_table_is_backed_up_and_derived_ones_are_not():
    labels = [label(model) for model in backed_up_models()]
    assert {"units.unit", "accounts.user", "audit.auditentry", "audit.archivecheckpoint"} <= set(
        labels
    )
    assert {"jobs.job", "cycles.cycle", "collectives.collective", "registrations.registration"} <= (
        set(labels)
    )
    assert [
        name for name in labels if name.split(".")[0] in ("auth", "contenttypes", "sessions")
    ] == []


def test_models_come_after_the_models_they_point_to():
    labels = [label(model) for model in backed_up_models()]
    for model in backed_up_models():
        for field in model._meta.local_concrete_fields:
            target = field.related_model
            if field.is_relation and target is not None and target is not model:
                assert labels.index(label(target)) < labels.index(label(model)), (model, field)


def test_dependency_order_is_stable():
    models = backed_up_models()
    assert dependency_order(list(reversed(models))) == models
