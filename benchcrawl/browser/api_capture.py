"""What an InferenceX (2026) page fetches from its API, attributed to the selection it is for.

The page loads ``/api/v1/availability`` and then ``/api/v1/benchmarks?model=M&date=D``; a
pooled page may still receive an answer of its previous selection after moving on, and a
page's default selection can answer after another one was asked for. So an answer is never
"the next response": it is the newest answered benchmarks request whose own ``model`` and
``date`` parameters are the selection wanted.

It also tells the generations apart by what the page requests first: a 2025 data file (fed
on to the :class:`~benchcrawl.browser.capture.DataCapture` it wraps) or the availability
answer. Every fetch's path is kept, to name them when a page is of neither generation.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from benchcrawl.browser.capture import CapturedFile, DataCapture, _read
from benchcrawl.exceptions import DashboardError
from benchcrawl.inferencex.answer import selection_of
from benchcrawl.items import INFERENCEMAX, INFERENCEX

AVAILABILITY = "/api/v1/availability"
BENCHMARKS = "/api/v1/benchmarks"
_NAMED = 8  # requests named in the "none of the known generations" sentence


class ApiCapture:
    """Feed it Playwright's ``request``, ``response`` and ``requestfailed`` events."""

    def __init__(self, data: DataCapture | None = None) -> None:
        self.data = data
        self.requested: list[str] = []  # paths of the page's fetch/xhr requests, in order
        self._api: dict[Any, str] = {}  # request -> its path (availability or benchmarks)
        self._order: dict[Any, int] = {}
        self._answers: dict[Any, Any] = {}  # request -> Response, or the failed Request
        self._changed = asyncio.Event()

    # --- events -------------------------------------------------------------------------
    def on_request(self, request: Any) -> None:
        if self.data is not None:
            self.data.on_request(request)
        if request.resource_type not in ("fetch", "xhr"):
            return
        path = urlsplit(request.url).path
        self.requested.append(path)
        if request.method == "GET" and path in (AVAILABILITY, BENCHMARKS):
            self._api[request] = path
            self._order[request] = len(self._order)
        self._changed.set()

    def on_response(self, response: Any) -> None:
        if self.data is not None:
            self.data.on_response(response)
        if response.request in self._api:
            self._answers[response.request] = response
            self._changed.set()

    def on_request_failed(self, request: Any) -> None:
        if self.data is not None:
            self.data.on_request_failed(request)
        if request in self._api:
            self._answers[request] = request
            self._changed.set()

    # --- waiting ------------------------------------------------------------------------
    async def _until(self, found: Any, timeout: float) -> Any:
        """Wait until ``found()`` returns something; None when *timeout* s pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (value := found()) is None:
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return found()
        return value

    async def generation(self, page_url: str, timeout: float) -> str:
        """Which generation the page is, from its first data request."""

        def seen() -> str | None:
            if self.data is not None and self.data.seen:
                return INFERENCEMAX
            if AVAILABILITY in self._api.values():
                return INFERENCEX
            return None

        found = await self._until(seen, timeout)
        if found is None:
            asked = ", ".join(dict.fromkeys(self.requested[:_NAMED])) or "no data at all"
            raise DashboardError(
                f"the page at {page_url} is none of the known dashboard generations: within "
                f"{timeout:g} s it requested {asked} (neither a 2025 data file nor "
                f"{AVAILABILITY})"
            )
        return str(found)

    def _newest(self, path: str, model: str | None = None, day: str | None = None) -> Any:
        best = None
        for request, answer in self._answers.items():
            if self._api[request] != path:
                continue
            if model is not None:
                got_model, got_day = selection_of(request.url)
                if got_model != model or (day and got_day != day):
                    continue
            if best is None or self._order[request] > self._order[best[0]]:
                best = (request, answer)
        return best

    async def availability(self, timeout: float) -> CapturedFile:
        """The availability answer the page loaded."""
        best = await self._until(lambda: self._newest(AVAILABILITY), timeout)
        if best is None:
            raise TimeoutError(f"no {AVAILABILITY} answer within {timeout:g} s")
        return await _read_any("availability", best[1], timeout)

    def first_benchmarks(self) -> tuple[str, str] | None:
        """The selection of the first benchmarks request the page made (its default)."""
        first = [r for r, p in self._api.items() if p == BENCHMARKS]
        return selection_of(first[0].url) if first else None

    async def benchmarks(self, model: str, day: str, timeout: float) -> CapturedFile:
        """The answer to the page's newest benchmarks request for *model* at *day* (any
        date when *day* is ``""``)."""
        best = await self._until(lambda: self._newest(BENCHMARKS, model, day), timeout)
        if best is None:
            raise TimeoutError(
                f"the page requested no benchmarks answer for {model} at run date "
                f"{day or '(its default)'} within {timeout:g} s"
            )
        return await _read_any("benchmarks", best[1], timeout)


async def _read_any(kind: str, answer: Any, timeout: float) -> CapturedFile:
    """The answer with its body, also for an error status (the page reads it: its
    ``{"error": ...}`` says what was wrong)."""
    if not hasattr(answer, "status") or answer.status == 200:
        return await _read(kind, answer, timeout)
    captured = CapturedFile(kind, answer.url, answer.status, None, b"")
    try:
        captured.content_type = (await answer.all_headers()).get("content-type")
        captured.body = await asyncio.wait_for(answer.body(), min(timeout, 2.0))
    except Exception:  # the body of an error answer is a bonus
        pass
    return captured
