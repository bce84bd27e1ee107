"""ValidatePipeline: every captured file parsed and checked, or turned into a failure."""

from __future__ import annotations

import logging

from benchcrawl.items import CombinationFailure, CombinationResult
from benchcrawl.pipelines.validate import ValidatePipeline

from ._support import PLAN, result, served


def test_a_valid_file_gets_its_records(build, crawler, sweep_id):
    pipeline = build(ValidatePipeline)
    records = served(*PLAN[0])["e2e"]
    item = result(sweep_id, 1, *PLAN[0], "e2e", records)
    out = pipeline.process_item(item)
    assert out is item and out.records == records
    assert crawler.stats.get_value("inferencemax/files/valid") == 1
    assert crawler.stats.get_value("inferencemax/records/valid") == len(records)


def test_an_invalid_file_becomes_a_failure_naming_url_and_field(build, crawler, sweep_id, caplog):
    pipeline = build(ValidatePipeline)
    records = served(*PLAN[0])["interactivity"]
    records[2]["conc"] = str(records[2]["conc"])
    item = result(sweep_id, 1, *PLAN[0], "interactivity", records)
    with caplog.at_level(logging.ERROR, logger="benchcrawl.pipelines.validate"):
        out = pipeline.process_item(item)
    assert isinstance(out, CombinationFailure)
    assert (out.sweep_id, out.index, out.model, out.sequence) == (sweep_id, 1, *PLAN[0])
    assert out.reason.startswith(item.url + ": ")
    assert "record 2 field conc is str, expected int" in out.reason
    assert crawler.stats.get_value("inferencemax/files/invalid") == 1
    assert [r.getMessage() for r in caplog.records] == [f"invalid data file: {out.reason}"]


def test_an_empty_file_is_a_failure_not_zero_rows(build, sweep_id):
    out = build(ValidatePipeline).process_item(result(sweep_id, 2, *PLAN[1], "e2e", b"[]"))
    assert isinstance(out, CombinationFailure) and "no records" in out.reason


def test_other_items_pass_through(build):
    other = {"url": "http://example/"}
    assert build(ValidatePipeline).process_item(other) is other
    assert not isinstance(other, CombinationResult)
