"""Figures of a benchmark run: each next to its baseline from the same run, the ratio, the
goal and whether it was met; printed as a table and written to bench/results.json."""

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Figure:
    figure: str
    value: float | None
    unit: str
    baseline: float | None
    ratio: float | None
    goal: str
    met: bool | None  # None: nothing to judge (measured for information, or not available)
    note: str = ""


def slower(figure, value, baseline, unit, limit, note="") -> Figure:
    """A time where smaller is better: ratio = value / baseline, met when ≤ limit."""
    ratio = value / baseline if value is not None and baseline else None
    met = None if ratio is None else ratio <= limit
    return Figure(figure, _r(value), unit, _r(baseline), _r(ratio), f"≤ {limit}×", met, note)


def faster(figure, value, baseline, unit, limit, note="") -> Figure:
    """A time that must beat its baseline: ratio = baseline / value, met when ≥ limit."""
    ratio = baseline / value if value and baseline is not None else None
    met = None if ratio is None else ratio >= limit
    return Figure(figure, _r(value), unit, _r(baseline), _r(ratio), f"≥ {limit}× faster", met, note)


def rate(figure, value, baseline, unit, limit, note="") -> Figure:
    """A throughput (bigger is better): ratio = value / baseline, met when ≥ limit."""
    ratio = value / baseline if value is not None and baseline else None
    met = None if ratio is None else ratio >= limit
    return Figure(figure, _r(value), unit, _r(baseline), _r(ratio), f"≥ {limit}×", met, note)


def info(figure, value, unit, note="", baseline=None) -> Figure:
    ratio = value / baseline if value is not None and baseline else None
    return Figure(figure, _r(value), unit, _r(baseline), _r(ratio), "—", None, note)


def _r(number):
    if number is None:
        return None
    return round(number, 3 if abs(number) < 100 else 1)


def median_ms(func: Callable, repeat: int = 7, warmup: int = 1) -> float:
    """The median wall time of `func()` in milliseconds (medians resist a shared machine).
    Anything slower than a second is run 3 times, not `repeat`."""
    for _ in range(warmup):
        started = time.perf_counter()
        func()
        if time.perf_counter() - started > 1:
            repeat = min(repeat, 3)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def table(figures: list[Figure]) -> str:
    header = ["figure", "value", "unit", "baseline", "ratio", "goal", "met"]
    rows = [
        [f.figure, _cell(f.value), f.unit, _cell(f.baseline), _cell(f.ratio), f.goal, _cell(f.met)]
        for f in figures
    ]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [_line(header, widths), _line(["-" * w for w in widths], widths)]
    lines += [_line(row, widths) for row in rows]
    return "\n".join(lines)


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _line(cells: list[str], widths: list[int]) -> str:
    return " | ".join(
        cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True)
    )


def write(figures: list[Figure], path: Path = RESULTS) -> None:
    path.write_text(
        json.dumps([asdict(f) for f in figures], ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
