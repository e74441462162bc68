"""The generated unit trees: the region line (national committee → provinces → cities →
counties) and the industry line (national body → provincial → city units), four levels deep,
sized to a requested number of units. Ids are assigned level by level before anything is
inserted, so every path is known up front (qnwmh/core/paths.py: fixed-width id segments)."""

import math
import random
from dataclasses import dataclass, field

from bench import names
from qnwmh.core import paths
from qnwmh.units.enums import Line

ROOT_NAME = "全国青年文明号活动组委会"


@dataclass
class GenUnit:
    id: int
    parent: "GenUnit | None"
    level: int  # 0 root … 3
    line: str
    name: str
    place: str  # the place or body a collective's name starts with
    path: str = ""
    sector: tuple = ()
    places: list[str] = field(default_factory=list)  # place of each level from 1 down

    @property
    def first_tier_id(self) -> int:
        """The tier-1 unit above (or itself): the approving unit of its registrations."""
        return int(self.path[paths.SEGMENT_WIDTH : 2 * paths.SEGMENT_WIDTH])


def level_sizes(total: int) -> tuple[int, int, int]:
    """How many units on levels 1, 2 and 3 for `total` units in all (the root included):
    roughly the same fan-out below levels 1 and 2."""
    if total < 7:
        raise ValueError("at least 7 units are needed for two lines four levels deep")
    top = max(2, min(len(names.PROVINCES) + len(names.SECTORS), round(2.5 * total ** (1 / 3))))
    rest = total - 1 - top
    fanout = (-1 + math.sqrt(1 + 4 * rest / top)) / 2
    second = max(2, min(rest - 2, round(top * fanout)))
    return top, second, rest - second


def _spread(rng: random.Random, parents: list[GenUnit], count: int) -> list[GenUnit]:
    """A parent for each of `count` children: every parent one first, then by random weight."""
    if count <= len(parents):
        chosen = parents[:count]
    else:
        weights = [rng.uniform(0.3, 1.7) for _ in parents]
        chosen = parents + rng.choices(parents, weights=weights, k=count - len(parents))
    order = {unit.id: index for index, unit in enumerate(parents)}
    return sorted(chosen, key=lambda unit: order[unit.id])


class TreeBuilder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.units: list[GenUnit] = []
        self._taken: dict[int, set[str]] = {}

    def add(self, parent: GenUnit | None, line: str, place: str, name: str, sector=()) -> GenUnit:
        taken = self._taken.setdefault(parent.id if parent else 0, set())
        name = names.unique(name, taken)
        unit = GenUnit(
            id=len(self.units) + 1,
            parent=parent,
            level=parent.level + 1 if parent else 0,
            line=line,
            name=name,
            place=place,
            sector=sector or (parent.sector if parent else ()),
        )
        unit.path = (parent.path if parent else "") + paths.segment(unit.id)
        unit.places = [*(parent.places if parent else []), place][-3:] if parent else []
        self.units.append(unit)
        return unit

    def first_level(self, root: GenUnit, count: int) -> list[GenUnit]:
        regions = min(len(names.PROVINCES), max(1, round(count * 0.5)))
        industries = min(len(names.SECTORS), count - regions)
        regions = min(len(names.PROVINCES), count - industries)
        top = [
            self.add(root, Line.REGION, province, f"{province}团委")
            for province in names.PROVINCES[:regions]
        ]
        top += [
            self.add(root, Line.INDUSTRY, sector[0], f"{sector[0]}团委", sector=sector)
            for sector in names.SECTORS[:industries]
        ]
        return top

    def second_level(self, parents: list[GenUnit], count: int) -> list[GenUnit]:
        units = []
        for index, parent in enumerate(_spread(self.rng, parents, count)):
            if parent.line == Line.REGION:
                place = names.place_name(self.rng, "市")
            else:
                _body, short, suffix = parent.sector
                where = names.PROVINCES[index % len(names.PROVINCES)]
                if index >= len(names.PROVINCES) and self.rng.random() < 0.5:
                    where = names.place_name(self.rng, "市")
                place = f"{where}{short}{suffix}"
            units.append(self.add(parent, parent.line, place, f"{place}团委"))
        return units

    def third_level(self, parents: list[GenUnit], count: int) -> list[GenUnit]:
        units = []
        for parent in _spread(self.rng, parents, count):
            if parent.line == Line.REGION:
                place = names.place_name(self.rng, self.rng.choice(names.COUNTY_KINDS))
            else:
                _body, short, _suffix = parent.sector
                place = f"{names.place_name(self.rng, '市')}{short}局"
            units.append(self.add(parent, parent.line, place, f"{place}团委"))
        return units


def build_tree(rng: random.Random, total: int) -> list[GenUnit]:
    """Exactly `total` units, root first, then level by level (ids 1…total in that order)."""
    first, second, third = level_sizes(total)
    builder = TreeBuilder(rng)
    root = builder.add(None, Line.REGION, "全国", ROOT_NAME)
    top = builder.first_level(root, first)
    middle = builder.second_level(top, second)
    builder.third_level(middle, third)
    return builder.units
