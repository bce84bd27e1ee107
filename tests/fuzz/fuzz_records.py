"""Fuzz InferenceMAX record validation (``benchcrawl.inferencemax.schema``), plain and
wrapped forms, from bytes and from already-decoded JSON.

Contract: ``parse_records`` and ``validate_records`` raise only RecordError, and every
record they return holds exactly the 11 keys.
"""

from __future__ import annotations

import json

import atheris
from _harness import main

with atheris.instrument_imports(include=["benchcrawl"]):
    from benchcrawl.inferencemax.schema import (
        RECORD_KEYS,
        RecordError,
        parse_records,
        validate_records,
    )

URL = "https://inferencemax.example/data/m-1k_1k-e2e.json"
TYPES = [None, "application/json", "text/html"]


def _check(records: list) -> None:
    assert records and all(tuple(r) == RECORD_KEYS for r in records)


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    content_type = TYPES[fdp.ConsumeIntInRange(0, len(TYPES) - 1)]
    wrap = fdp.ConsumeBool()
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    try:
        _check(parse_records(body, URL, content_type))
    except RecordError:
        pass
    try:
        top = json.loads(body)
    except (ValueError, RecursionError):
        return
    if wrap:  # the wrapped form around whatever the bytes held
        top = [{"data": top, "gpus": []}, {"data": [top]}]
    try:
        _check(validate_records(top, URL))
    except RecordError:
        pass


if __name__ == "__main__":
    main(one_input)
