"""Data files no dashboard serves: RecordError, never another exception."""

from __future__ import annotations

import json

import pytest

from benchcrawl.inferencemax.schema import RecordError, parse_records, validate_records

URL = "https://example.test/m-1k_1k-e2e.json"
REC = {
    "x": 1.5, "y": 2, "conc": 4, "tp": 8, "hwKey": "h100", "precision": "fp8",
    **{k: {"y": 1.0, "roof": False} for k in ("tpPerGpu", "tpPerMw", "costh", "costn", "costr")},
}  # fmt: skip


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"[" * 100_000, "nested too deeply"),  # RecursionError from json
        (b"[" + b"1" * 5_000 + b"]", "invalid JSON"),  # ValueError: int digit limit
        (json.dumps([{**REC, "hwKey": "\ud800"}]).encode(), "lone surrogate"),
        (json.dumps([{"data": [{**REC, "precision": "\udfff"}]}]).encode(), "lone surrogate"),
        (b"[1e999]", "record 0 is float"),
    ],
)
def test_hostile_bodies_are_record_errors(body: bytes, says: str) -> None:
    with pytest.raises(RecordError, match=says):
        parse_records(body, URL)


def test_a_lone_surrogate_is_refused_in_decoded_json_too() -> None:
    with pytest.raises(RecordError, match="hwKey holds a lone surrogate"):
        validate_records([{**REC, "hwKey": "h\ud800"}], URL)
    assert validate_records([REC], URL)[0]["hwKey"] == "h100"
