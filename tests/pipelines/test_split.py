"""SplitPipeline: results filed in the sweep record; the item that completes the sweep
carries the whole sweep on (exactly once)."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem

from benchcrawl.items import CombinationFailure, SweepTables
from benchcrawl.pipelines.split import SplitPipeline

from ._support import PLAN, result, run, served


def test_the_last_file_of_the_sweep_carries_the_whole_sweep(build, crawler, sweep_id):
    pipeline = build(SplitPipeline)
    items = [
        result(sweep_id, index, model, sequence, kind, records)
        for index, (model, sequence) in enumerate(PLAN, start=1)
        for kind, records in served(model, sequence).items()
    ]
    for item in items[:-1]:
        with pytest.raises(DropItem, match="stored in the sweep"):
            run(pipeline.process_item(item))
    assert crawler.stats.get_value("inferencemax/combinations/done") == 1
    tables = run(pipeline.process_item(items[-1]))
    assert isinstance(tables, SweepTables)
    assert tables.sweep_id == sweep_id and tables.planned == len(PLAN)
    assert tables.failures == []
    assert [(r.index, r.kind) for r in tables.results] == [(i.index, i.kind) for i in items]
    assert crawler.stats.get_value("inferencemax/combinations/done") == 2
    assert crawler.stats.get_value("inferencemax/sweep/finalized_here") == 1
    # the same file again completes nothing and finalizes nothing
    with pytest.raises(DropItem):
        run(pipeline.process_item(items[-1]))


def test_a_failed_combination_is_accounted_and_travels_with_the_sweep(build, crawler, sweep_id):
    pipeline = build(SplitPipeline)
    failure = CombinationFailure(sweep_id, 2, *PLAN[1], "http://x/e2e.json: answered HTTP 500")
    with pytest.raises(DropItem):
        run(pipeline.process_item(failure))
    good = served(*PLAN[0])
    with pytest.raises(DropItem):
        run(pipeline.process_item(result(sweep_id, 1, *PLAN[0], "e2e", good["e2e"])))
    tables = run(
        pipeline.process_item(result(sweep_id, 1, *PLAN[0], "interactivity", good["interactivity"]))
    )
    assert isinstance(tables, SweepTables)
    assert tables.failures == [failure]
    assert {r.index for r in tables.results} == {1}
    assert crawler.stats.get_value("inferencemax/combinations/failed") == 1


def test_a_file_of_another_sweep_is_not_counted(build, crawler, sweep_id):
    pipeline = build(SplitPipeline)
    stale = result("20240101T000000.000000Z", 1, *PLAN[0], "e2e", served(*PLAN[0])["e2e"])
    with pytest.raises(DropItem):
        run(pipeline.process_item(stale))
    assert crawler.stats.get_value("inferencemax/combinations/done") is None


def test_other_items_pass_through(build):
    other = {"url": "http://example/"}
    assert run(build(SplitPipeline).process_item(other)) is other
