"""What a benchmarks answer must be: a JSON array of result rows.

Anything else (an HTML page, a cut body, ``{"error": ...}``, an empty array) fails its
combination with one sentence naming the model, the run date, the URL and what was wrong.
A row may carry fields and metrics nobody has seen before, and null ``isl``/``osl`` (agentic
traces); it must be an object with the fields that make it a result.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from benchcrawl.exceptions import BenchcrawlError

#: fields every result row has, with the JSON types they may take
REQUIRED: dict[str, tuple[type, ...]] = {
    "model": (str,),
    "hardware": (str,),
    "framework": (str,),
    "precision": (str,),
    "conc": (int,),
    "date": (str,),
    "metrics": (dict,),
}
_SHOWN = 60  # characters of a bad body quoted in the error


class AnswerError(BenchcrawlError):
    """A benchmarks answer that is not a JSON array of result rows."""


def selection_of(url: str) -> tuple[str, str]:
    """``(model, date)`` of a benchmarks URL's query (``""`` when absent)."""
    query = parse_qs(urlsplit(url).query)
    return query.get("model", [""])[0], query.get("date", [""])[0]


def _quote(body: bytes) -> str:
    text = body[:_SHOWN].decode("utf-8", "replace")
    text = " ".join(text.split())
    return repr(text + ("..." if len(body) > _SHOWN else ""))


def _what(body: bytes, content_type: str | None) -> str:
    """Why *body* is not a JSON array of rows, in a few words."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        if body.lstrip()[:1] == b"<" or "html" in (content_type or ""):
            return f"an HTML page ({content_type or 'no content type'}), not JSON"
        if body.lstrip()[:1] in (b"[", b"{"):
            return f"a cut or broken JSON body ({len(body)} bytes, {e.__class__.__name__}: {e})"
        return f"not JSON: {_quote(body)}"
    if isinstance(value, dict) and "error" in value:
        return f'an error object {{"error": {json.dumps(value["error"])}}}'
    return f"JSON of type {type(value).__name__}, not an array of result rows"


def parse_answer(
    body: bytes, url: str, content_type: str | None, model: str, run_date: str
) -> list[dict[str, Any]]:
    """The rows of one benchmarks answer, exactly as served; :class:`AnswerError` else."""

    def fail(what: str) -> AnswerError:
        return AnswerError(
            f"{model} at run date {run_date or '(the page default)'}: {url} answered {what}."
        )

    try:
        rows = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise fail(_what(body, content_type)) from None
    if not isinstance(rows, list):
        raise fail(_what(body, content_type))
    if not rows:
        raise fail("an empty array: no result rows")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise fail(f"a {type(row).__name__} as row {i}, not an object")
        for name, types in REQUIRED.items():
            value = row.get(name)
            if not isinstance(value, types) or (int in types and isinstance(value, bool)):
                got = "no such field" if name not in row else f"{json.dumps(value)[:40]}"
                raise fail(f"row {i} without a valid {name!r} ({got})")
    return rows


def http_failure(model: str, run_date: str, url: str, status: int, body: bytes) -> str:
    """The sentence for an answer with a non-200 status (after retries)."""
    detail = ""
    try:
        value = json.loads(body)
        if isinstance(value, dict) and "error" in value:
            detail = f' {{"error": {json.dumps(value["error"])}}}'
    except (ValueError, UnicodeDecodeError):
        pass
    return (
        f"{model} at run date {run_date or '(the page default)'}: {url} answered HTTP "
        f"{status}{detail}."
    )


def parse_availability(captured: Any, page_url: str) -> list[dict[str, Any]]:
    """The entries of the availability answer the page loaded (a captured file with
    ``url``, ``status`` and ``body``, or None); one sentence when it is not a JSON array of
    run entries."""
    where = captured.url if captured is not None else f"of the page {page_url}"
    if captured is None or captured.status != 200:
        status = "no answer" if captured is None else f"HTTP {captured.status}"
        raise AnswerError(f"the InferenceX availability answer {where} gave {status}.")
    try:
        entries = json.loads(captured.body)
    except (ValueError, UnicodeDecodeError):
        entries = None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise AnswerError(
            f"the InferenceX availability answer {where} is not a JSON array of run entries."
        )
    return entries
