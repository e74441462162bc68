"""The export and import figures: the hand-written baseline makes the app's cells, and figure
and baseline runs alternate."""

import json

from django.utils import translation

from bench import transfer
from bench.run import alternated
from qnwmh.registrations import exports

VALUES = [
    ("=集体", "-单位", None, "submitted"),
    ("甲集体", "乙团委", json.dumps([["CITY", 2020, ""]]), "approved"),
    ("乙集体", "丙团委", json.dumps([["COUNTY", 2017, "=县级"], ["CITY", 2020, "市级"]]), "named"),
    ("丁集体", "丁团委", None, "submitted"),
]


def test_hand_written_cells_are_the_apps_cells():
    with translation.override("zh-hans"):
        app = exports.SummaryTable().rows(tuple(VALUES))
        header = exports.SummaryTable().headers()
    hand = transfer.HandTable()
    assert [hand.row(*values) for values in VALUES] == app
    assert header == transfer.SUMMARY_HEADER


def test_alternated_runs_take_turns_and_keep_the_median_run():
    calls = []
    seconds = {"app": iter([3.0, 1.0, 2.0]), "base": iter([1.0, 5.0, 2.0])}

    def run(kind, rows):
        calls.append(kind)
        return {"rows": rows, "seconds": next(seconds[kind]), "cpu_seconds": 1.0, "peak_mb": 10}

    found = alternated(run, ["app", "base"], 100, 3)
    assert calls == ["app", "base"] * 3
    assert (found["app"]["seconds"], found["base"]["seconds"]) == (2.0, 2.0)
    assert found["app"]["seconds_range"] == (1.0, 3.0)
    assert len(found["base"]["loads"]) == 3
