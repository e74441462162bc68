"""Geometry of the progress chart: horizontal bars (required / registered / approved) per unit,
drawn as SVG by the template — no script, no outside library."""

from dataclasses import dataclass

LABEL_WIDTH = 170
PLOT_WIDTH = 460
VALUE_GAP = 6
BAR_HEIGHT = 9
BAR_GAP = 2
GROUP_GAP = 10
TOP = 8
SERIES = ("required", "registered", "approved")


@dataclass
class Bar:
    series: str
    value: int
    y: int
    width: int

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + self.width + VALUE_GAP

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 1


@dataclass
class Group:
    label: str
    y: int
    label_y: int
    bars: list[Bar]


@dataclass
class Chart:
    width: int
    height: int
    label_width: int
    groups: list[Group]
    scale_max: int


def _scaled(value: int, top: int) -> int:
    if top <= 0 or value <= 0:
        return 0
    return max(1, round(PLOT_WIDTH * value / top))


def bar_chart(rows) -> Chart:
    """One group of three bars per row of the progress table, scaled to the largest value."""
    top = max((getattr(row, s) for row in rows for s in SERIES), default=0)
    group_height = len(SERIES) * (BAR_HEIGHT + BAR_GAP)
    groups = []
    y = TOP
    for row in rows:
        bars = [
            Bar(s, getattr(row, s), y + i * (BAR_HEIGHT + BAR_GAP), _scaled(getattr(row, s), top))
            for i, s in enumerate(SERIES)
        ]
        label = row.unit.name
        groups.append(Group(label, y, y + group_height // 2 + 4, bars))
        y += group_height + GROUP_GAP
    return Chart(
        width=LABEL_WIDTH + PLOT_WIDTH + 60,
        height=y + TOP,
        label_width=LABEL_WIDTH,
        groups=groups,
        scale_max=top,
    )
