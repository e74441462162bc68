"""What a backup holds: the rows of every model of the system, in dependency order.

Left out on purpose: contenttypes and auth (Permission and Group rows are derived from the code
by `migrate`; the custom User model does not use them) and sessions (a restored session would
log someone in as whoever now has that user id)."""

from django.apps import apps
from django.db import models

EXCLUDED_APPS = frozenset({"contenttypes", "auth", "sessions"})


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def backed_up_models() -> list[type[models.Model]]:
    """Every managed, concrete model outside EXCLUDED_APPS (m2m tables included), each after
    the models it points to."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in EXCLUDED_APPS
    ]
    return dependency_order(chosen)


def _targets(model: type[models.Model], among: set) -> set:
    return {
        field.related_model._meta.concrete_model
        for field in model._meta.local_concrete_fields
        if field.is_relation and field.related_model is not None
    } & among - {model}


def dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models pointed to come first (a self-reference, such as a unit's parent, does not count:
    those rows go in primary-key order and the foreign keys are checked at commit)."""
    remaining = sorted(chosen, key=label)
    among = set(remaining)
    ordered: list[type[models.Model]] = []
    while remaining:
        placed = set(ordered)
        ready = [model for model in remaining if _targets(model, among) <= placed]
        if not ready:  # a cycle between models: deferred constraints make any order work
            ready = remaining[:1]
        ordered.extend(ready)
        remaining = [model for model in remaining if model not in ready]
    return ordered


def model_for(model_label: str) -> type[models.Model] | None:
    by_label = {label(model): model for model in backed_up_models()}
    return by_label.get(model_label)
