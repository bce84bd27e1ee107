"""Parsing and validation of the served data files (benchcrawl.inferencemax.schema)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from benchcrawl.inferencemax.schema import (
    RECORD_KEYS,
    RecordError,
    parse_records,
    sequence_length,
    validate_records,
)
from tests.support.growth import LINEAR, doubling_ratio

from ._support import FILES, SAMPLE_RECORD, file_url, sample_records

URL = file_url("gpt-oss-120b", "1k_1k", "e2e")


def body_of(records: Any) -> bytes:
    return json.dumps(records, separators=(",", ":")).encode()


def wrap(records: list[dict], parts: int = 1) -> list[dict]:
    """The later wrapped form, with extra per-record fields like the December 2025 files."""
    extra = [dict(r, hw=r["hwKey"].upper(), framework="vllm", date="2025-12-01") for r in records]
    size = -(-len(extra) // parts)
    return [
        {"data": extra[i * size : (i + 1) * size], "gpus": ["h100", "b200"]} for i in range(parts)
    ]


# --- served data: generated, and the 2025-10-25 snapshot when present ------------------


@pytest.mark.parametrize("model,seq,kind", FILES, ids=["-".join(f) for f in FILES])
def test_every_served_file_validates_record_for_record(bodies, raw, model, seq, kind):
    records = parse_records(
        bodies[model, seq, kind], file_url(model, seq, kind), "application/json; charset=utf-8"
    )
    # what comes out is what was served, key for key
    assert len(records) == len(raw[model, seq, kind]) > 0
    assert records == raw[model, seq, kind]
    assert all(list(r) == list(RECORD_KEYS) for r in records)


def test_validation_time_grows_linearly_with_the_records(raw):
    """Speed is in bench/; here only that twice the records cost about twice the time."""
    records = [r for doc in raw.values() for r in doc]
    n = len(records)
    assert sum(len(validate_records(doc, "u")) for doc in raw.values()) == n
    many = records * 8  # enough records that one call takes milliseconds

    ratio = doubling_ratio(lambda k: validate_records(many[:k], "u"), 2 * n, runs=7)
    assert ratio < LINEAR, f"validating 2x the records took {ratio:.1f}x the time"


@pytest.mark.parametrize("parts", [1, 3])
def test_wrapped_served_file_gives_the_same_records_as_plain(raw, parts):
    plain = raw["deepseek-r1-0528", "1k_8k", "interactivity"]
    wrapped = parse_records(body_of(wrap(plain, parts)), URL)
    assert wrapped == parse_records(body_of(plain), URL)
    assert len(wrapped) == len(plain)


# --- accepted input ------------------------------------------------------------------


@pytest.mark.parametrize("parts", [1, 2])
def test_wrapped_form_gives_the_same_records_as_plain(parts):
    plain = sample_records(4)
    assert parse_records(body_of(wrap(plain, parts)), URL) == plain


def test_extra_fields_are_dropped_and_only_the_11_keys_returned():
    rec = dict(copy.deepcopy(SAMPLE_RECORD), hw="H100", framework="sglang", date="2025-12-01")
    rec["costh"]["label"] = "extra"
    (out,) = parse_records(body_of([rec]), URL)
    assert list(out) == list(RECORD_KEYS)
    assert out == SAMPLE_RECORD


def test_str_body_int_numbers_and_bom_are_accepted():
    rec = dict(SAMPLE_RECORD, x=12, y=1000)
    text = "\ufeff" + json.dumps([rec])
    assert parse_records(text, URL) == [rec]
    assert parse_records(text.encode("utf-8"), URL) == [rec]


@pytest.mark.parametrize(
    "label,expected",
    [
        ("1K / 8K", "1k-8k"),
        ("1K / 1K", "1k-1k"),
        ("8K / 1K", "8k-1k"),
        (" 8K/1K ", "8k-1k"),
    ],
)
def test_sequence_length(label, expected):
    assert sequence_length(label) == expected


# --- errors --------------------------------------------------------------------------


def with_change(change: Callable[[dict], None], index: int = 1) -> bytes:
    """Sample records with record ``index`` changed; NaN/Infinity written as JSON literals."""
    records = sample_records(3)
    change(records[index])
    return json.dumps(records).encode()


def set_(path: str, value: Any) -> Callable[[dict], None]:
    def change(rec: dict) -> None:
        *parents, last = path.split(".")
        for p in parents:
            rec = rec[p]
        rec[last] = value

    return change


def drop(path: str) -> Callable[[dict], None]:
    def change(rec: dict) -> None:
        *parents, last = path.split(".")
        for p in parents:
            rec = rec[p]
        del rec[last]

    return change


BAD_CONC = dict(SAMPLE_RECORD, conc="8")
FIELD_CASES = [
    # (id, body, field, words the message must contain)
    (
        "conc-str",
        with_change(set_("conc", "8")),
        "[1].conc",
        "record 1 field conc is str, expected int",
    ),
    ("conc-float", with_change(set_("conc", 8.0)), "[1].conc", "is float, expected int"),
    ("tp-bool", with_change(set_("tp", True)), "[1].tp", "is bool, expected int"),
    (
        "roof-str",
        with_change(set_("tpPerMw.roof", "true")),
        "[1].tpPerMw.roof",
        "record 1 field tpPerMw.roof is str, expected bool",
    ),
    ("roof-int", with_change(set_("costr.roof", 1)), "[1].costr.roof", "is int, expected bool"),
    ("y-nan", with_change(set_("y", float("nan"))), "[1].y", "is nan, expected a finite number"),
    ("x-inf", with_change(set_("x", float("inf"))), "[1].x", "expected a finite number"),
    ("y-bool", with_change(set_("y", True)), "[1].y", "is bool, expected a number"),
    (
        "metric-y-str",
        with_change(set_("costh.y", "0.3")),
        "[1].costh.y",
        "is str, expected a number",
    ),
    ("metric-y-nan", with_change(set_("tpPerGpu.y", float("nan"))), "[1].tpPerGpu.y", "finite"),
    ("metric-null", with_change(set_("costn", None)), "[1].costn", "is null, expected an object"),
    ("missing-key", with_change(drop("hwKey")), "[1].hwKey", "record 1 field hwKey is missing"),
    (
        "missing-roof",
        with_change(drop("costn.roof")),
        "[1].costn.roof",
        "field costn.roof is missing",
    ),
    ("empty-hwkey", with_change(set_("hwKey", "")), "[1].hwKey", "empty string"),
    (
        "precision-null",
        with_change(set_("precision", None)),
        "[1].precision",
        "is null, expected str",
    ),
    ("huge-int", with_change(set_("x", 10**400)), "[1].x", "too large"),
    (
        "record-not-object",
        body_of([SAMPLE_RECORD, [1, 2]]),
        "[1]",
        "record 1 is list, expected an object",
    ),
    (
        "first-bad-wins",
        body_of([SAMPLE_RECORD, BAD_CONC, dict(SAMPLE_RECORD, tp="4")]),
        "[1].conc",
        "record 1 field conc",
    ),
    (
        "wrapped-field",
        body_of(wrap([SAMPLE_RECORD, BAD_CONC])),
        "[0].data[1].conc",
        "wrapper 0 record 1 field conc is str",
    ),
    (
        "wrapper-without-data",
        body_of([{"data": [SAMPLE_RECORD]}, {"gpus": []}]),
        "[1].data",
        "wrapper 1",
    ),
    ("wrapper-data-not-list", body_of([{"data": {"x": 1}}]), "[0].data", "expected a list"),
]


@pytest.mark.parametrize(
    "body,field,words", [c[1:] for c in FIELD_CASES], ids=[c[0] for c in FIELD_CASES]
)
def test_bad_field_names_url_and_field(body, field, words):
    with pytest.raises(RecordError) as info:
        parse_records(body, URL, "application/json")
    err = info.value
    assert err.url == URL
    assert err.field == field
    message = str(err)
    assert message.startswith(URL + ": ")
    assert words in message
    # the field's path (without the record index) is named in the message
    assert field.rsplit("]", 1)[-1].lstrip(".") in message
    assert "\n" not in message


DOCUMENT_CASES = [
    ("truncated", body_of(sample_records(3))[:-40], None, "truncated JSON at line 1 column"),
    ("truncated-mid-string", b'[{"x": 1, "hwKey": "h1', None, "truncated JSON at line 1 column"),
    ("invalid", b'[{"x": 1,, "y": 2}]', None, "invalid JSON at line 1 column 10"),
    ("invalid-line", b'[\n{"x": 1},\n{"x": }]', None, "line 3 column 7"),
    (
        "html-body",
        b"<!DOCTYPE html><html><body>404: This page could not be found</body></html>",
        "application/json",
        "got an HTML page, not JSON",
    ),
    ("html-content-type", b"Not Found", "text/html; charset=utf-8", "got an HTML page, not JSON"),
    ("html-whitespace", b"\n  <html></html>", None, "got an HTML page, not JSON"),
    ("empty-list", b"[]", None, "no records"),
    ("empty-wrapped", body_of([{"data": [], "gpus": []}]), None, "no records"),
    ("empty-body", b"  ", None, "empty body"),
    (
        "dict-top-level",
        body_of({"data": [SAMPLE_RECORD]}),
        None,
        "top-level JSON is dict, expected a list",
    ),
    ("str-top-level", b'"hello"', None, "top-level JSON is str"),
    ("not-utf8", b"[\xff\xfe]", None, "not UTF-8"),
]


@pytest.mark.parametrize(
    "body,ctype,words", [c[1:] for c in DOCUMENT_CASES], ids=[c[0] for c in DOCUMENT_CASES]
)
def test_bad_document_names_url_and_problem(body, ctype, words):
    with pytest.raises(RecordError) as info:
        parse_records(body, URL, ctype)
    assert info.value.url == URL
    assert info.value.field is None
    assert str(info.value).startswith(URL + ": ")
    assert words in str(info.value)


@pytest.mark.parametrize("model,seq,kind", FILES[:4], ids=["-".join(f) for f in FILES[:4]])
def test_truncated_served_file_is_reported_not_silently_shortened(bodies, model, seq, kind):
    body = bodies[model, seq, kind]
    # which word depends on where the cut falls (in a value: "invalid", at a string: ...)
    with pytest.raises(RecordError, match=r"^\S+: (truncated|invalid) JSON at line 1 column"):
        parse_records(body[: len(body) // 2], URL)


def test_record_error_is_a_value_error():
    assert issubclass(RecordError, ValueError)
