"""What a benchmarks answer must be (pure)."""

from __future__ import annotations

import json

import pytest

from benchcrawl.inferencex.answer import (
    AnswerError,
    http_failure,
    parse_answer,
    parse_availability,
    selection_of,
)
from benchcrawl.replica.inferencex_data import as_of, generate

URL = "https://x.example/api/v1/benchmarks?model=GLM-5&date=2026-01-02"


def rows() -> list[dict]:
    data = generate(dates=3)
    return as_of(data, "DeepSeek-R1-0528", None)


def test_rows_are_kept_exactly_as_served_with_agentic_and_new_fields():
    served = rows()
    served[0] = {**served[0], "brand_new": {"x": 1}, "isl": None, "osl": None}
    body = json.dumps(served).encode()
    assert parse_answer(body, URL, "application/json", "GLM-5", "2026-01-02") == served


@pytest.mark.parametrize(
    ("body", "ctype", "what"),
    [
        (b"<!DOCTYPE html><html></html>", "text/html", "answered an HTML page (text/html)"),
        (b'[{"model": "glm5", "hard', "application/json", "answered a cut or broken JSON"),
        (b'{"error": "Unknown model"}', "application/json", 'an error object {"error": '),
        (b"[]", "application/json", "answered an empty array"),
        (b"[1, 2]", "application/json", "a int as row 0, not an object"),
        (b'[{"model": "glm5"}]', "application/json", "row 0 without a valid 'hardware'"),
        (b"nope", "text/plain", "answered not JSON: 'nope'"),
    ],
)
def test_anything_else_is_one_sentence_naming_model_date_and_url(body, ctype, what):
    with pytest.raises(AnswerError) as e:
        parse_answer(body, URL, ctype, "GLM-5", "2026-01-02")
    message = str(e.value)
    assert message.startswith(f"GLM-5 at run date 2026-01-02: {URL} answered ")
    assert what in message and message.endswith(".") and "\n" not in message


def test_a_bool_is_not_a_concurrency():
    row = {**rows()[0], "conc": True}
    with pytest.raises(AnswerError, match="without a valid 'conc'"):
        parse_answer(json.dumps([row]).encode(), URL, None, "GLM-5", "2026-01-02")


def test_http_failure_names_the_error_object():
    assert http_failure("GLM-5", "2026-01-02", URL, 400, b'{"error": "Unknown model"}') == (
        f'GLM-5 at run date 2026-01-02: {URL} answered HTTP 400 {{"error": "Unknown model"}}.'
    )
    assert selection_of(URL) == ("GLM-5", "2026-01-02")


class _Captured:
    def __init__(self, status: int, body: bytes) -> None:
        self.url, self.status, self.body = "https://x.example/api/v1/availability", status, body


def test_availability_must_be_an_array_of_entries():
    good = [{"model": "dsr1", "date": "2026-01-02"}]
    assert parse_availability(_Captured(200, json.dumps(good).encode()), "p") == good
    for captured, what in [
        (_Captured(200, b"<html>"), "is not a JSON array of run entries."),
        (_Captured(503, b""), "gave HTTP 503."),
        (None, "of the page p gave no answer."),
    ]:
        with pytest.raises(AnswerError) as e:
            parse_availability(captured, "p")
        assert str(e.value).startswith("the InferenceX availability answer ")
        assert str(e.value).endswith(what)
