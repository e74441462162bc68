"""Matching the 归口单位 column to a unit of the importer's subtree (by name, exact key, then
loose key, "上级单位/单位" for names that occur twice)."""

import re
import unicodedata
from collections import defaultdict

from django.utils.translation import gettext as _

from qnwmh.collectives.names import name_key
from qnwmh.core import paths
from qnwmh.units.models import Unit


class RowRejected(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def unit_loose_key(name: str) -> str:
    """共青团常德市委员会, 共青团常德市委 and 常德市团委 are one unit to a person."""
    key = name_key(name).removeprefix("共青团")
    for suffix in ("委员会", "团工委", "团委", "工委", "委"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key.removesuffix(suffix)
    return key


class UnitIndex:
    """The importer's subtree in memory, to resolve 归口单位 by name: exact key first, then the
    loose key; "上级单位/单位" settles names that occur twice in the subtree."""

    def __init__(self, root: Unit):
        units = list(Unit.objects.subtree_of(root).only("id", "name", "path", "line"))
        above = Unit.objects.filter(path__in=paths.ancestor_paths(root.path))
        self.by_path = {u.path: u for u in [*units, *above.only("id", "name", "path")]}
        self.by_key: dict[str, list[Unit]] = defaultdict(list)
        self.by_loose: dict[str, list[Unit]] = defaultdict(list)
        self.keys = {
            u.path: (name_key(u.name), unit_loose_key(u.name)) for u in self.by_path.values()
        }
        for unit in units:
            key, loose = self.keys[unit.path]
            self.by_key[key].append(unit)
            self.by_loose[loose].append(unit)
        # A list names a few hundred units thousands of times: each text is resolved once.
        self.resolved: dict[str, Unit | RowRejected] = {}

    def resolve(self, text: str) -> Unit:
        found = self.resolved.get(text)
        if found is None:
            try:
                found = self._resolve(text)
            except RowRejected as exc:
                found = exc
            self.resolved[text] = found
        if isinstance(found, RowRejected):
            raise RowRejected(found.message)
        return found

    def _resolve(self, text: str) -> Unit:
        parts = [p for p in _split_unit_path(text) if name_key(p)]
        if not parts:
            raise RowRejected(
                _("The jurisdiction (归口单位) is missing; the row was not imported.")
            )
        target, above = parts[-1], parts[:-1]
        found = self.by_key.get(name_key(target)) or self.by_loose.get(unit_loose_key(target), [])
        found = [unit for unit in found if all(self._has_ancestor(unit, a) for a in above)]
        if not found:
            raise RowRejected(
                _(
                    "The jurisdiction %(unit)s is not a unit you manage (or is misspelt); "
                    "the row was not imported."
                )
                % {"unit": text}
            )
        if len(found) > 1:
            raise RowRejected(
                _(
                    "%(count)d units you manage are called %(unit)s: write it as "
                    "上级单位/单位; the row was not imported."
                )
                % {"count": len(found), "unit": text}
            )
        return found[0]

    def _has_ancestor(self, unit: Unit, text: str) -> bool:
        key, loose = name_key(text), unit_loose_key(text)
        for path in paths.ancestor_paths(unit.path)[:-1]:
            keys = self.keys.get(path)
            if keys and (keys[0] == key or keys[1] == loose):
                return True
        return False


def _split_unit_path(text: str) -> list[str]:
    return re.split(r"[/>\\|→]", unicodedata.normalize("NFKC", text))
