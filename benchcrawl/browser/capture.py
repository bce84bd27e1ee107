"""Attribute the data files a page fetches to the selection that caused them.

A single-page app loads its default selection on start, and that answer can arrive after
the first click; Playwright also delivers a request's event to Python asynchronously, so
"the step we were at when the event arrived" is not "the step that issued the request",
and with interception a request's ``timing.startTime`` can be later than the click that
caused it. What is reliable is the order of ``request`` events, which is the order in
which the page issued them. So each data request gets a sequence number; the caller waits
until an earlier change's requests have been *seen* before making the final change, and
keeps the newest answered request of each kind numbered after that point.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any


@dataclass
class CapturedFile:
    kind: str
    url: str
    status: int  # 0 when the request failed without an HTTP answer
    content_type: str | None
    body: bytes
    error: str | None = None


def kind_of(url: str, patterns: dict[str, str]) -> str | None:
    """The data kind whose pattern appears in the URL's file name, or None if not data."""
    path = url.split("?", 1)[0].rsplit("/", 1)[-1]
    for kind, pattern in patterns.items():
        if pattern in path:
            return kind
    return None


class DataCapture:
    """Collects a page's data-file requests and their answers. Feed it Playwright's
    ``request``, ``response`` and ``requestfailed`` events."""

    def __init__(self, patterns: dict[str, str]) -> None:
        self.patterns = patterns
        self.seen = 0  # data requests issued so far, in the browser's order
        self._kind: dict[Any, tuple[int, str]] = {}  # request -> (sequence number, kind)
        self._answers: dict[Any, Any] = {}  # request -> Response, or the failed Request
        self._changed = asyncio.Event()

    def is_data(self, request: Any) -> str | None:
        if request.method != "GET" or request.resource_type not in ("fetch", "xhr"):
            return None
        return kind_of(request.url, self.patterns)

    def on_request(self, request: Any) -> None:
        kind = self.is_data(request)
        if kind is not None:
            self.seen += 1
            self._kind[request] = (self.seen, kind)
            self._changed.set()

    def on_response(self, response: Any) -> None:
        if response.request in self._kind:
            self._answers[response.request] = response
            self._changed.set()

    def on_request_failed(self, request: Any) -> None:
        if request in self._kind:
            self._answers[request] = request
            self._changed.set()

    async def _wait(self, deadline: float) -> bool:
        self._changed.clear()
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            await asyncio.wait_for(self._changed.wait(), max(remaining, 0))
        except TimeoutError:
            return False
        return True

    async def wait_issued(self, count: int, timeout: float) -> bool:
        """Wait until *count* data requests have been issued; False if not in time."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.seen < count:
            if not await self._wait(deadline):
                return False
        return True

    def _pick(self, after: int) -> dict[str, Any]:
        newest: dict[str, tuple[int, Any]] = {}
        for request, answer in self._answers.items():
            number, kind = self._kind[request]
            if number > after and (kind not in newest or number > newest[kind][0]):
                newest[kind] = (number, answer)
        return {kind: answer for kind, (_, answer) in newest.items()}

    async def wait_for(self, after: int, timeout: float) -> dict[str, CapturedFile]:
        """The newest answered file of each kind among the data requests issued after the
        first *after* ones (0 = any), bodies read. Raises TimeoutError naming what is
        missing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        picked = self._pick(after)
        while len(picked) < len(self.patterns):
            if not await self._wait(deadline):
                missing = sorted(set(self.patterns) - set(picked))
                raise TimeoutError(
                    f"no {' or '.join(missing)} data request answered within {timeout:g} s"
                )
            picked = self._pick(after)
        return {
            kind: await _read(kind, answer, max(deadline - loop.time(), 1.0))
            for kind, answer in picked.items()
        }


async def _read(kind: str, answer: Any, timeout: float) -> CapturedFile:
    if not hasattr(answer, "status"):  # a failed Playwright Request
        return CapturedFile(kind, answer.url, 0, None, b"", error=answer.failure or "failed")
    headers = await answer.all_headers()
    content_type = headers.get("content-type")
    if answer.status != 200:
        # the page may never read an error's body, and Chromium then never finishes it
        return CapturedFile(kind, answer.url, answer.status, content_type, b"")
    try:
        body = await asyncio.wait_for(answer.body(), timeout)
    except TimeoutError:
        error = f"the body of {answer.url} did not arrive within {timeout:g} s"
        return CapturedFile(kind, answer.url, 0, content_type, b"", error=error)
    except Exception as e:  # the page navigated away or the browser went down
        return CapturedFile(kind, answer.url, 0, content_type, b"", error=str(e))
    return CapturedFile(kind, answer.url, answer.status, content_type, body)
