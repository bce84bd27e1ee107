"""Local HTTP replica of the InferenceX (2026) site: the page, its API, robots.txt, faults.

Every request is logged with the headers that tell who sent it (``Sec-Fetch-Mode``: ``cors``
for the page's own ``fetch``, ``navigate`` for a page load) and its User-Agent; ``GET
/__replica/stats`` answers the log's counts as JSON for processes that are not the test's.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from .inferencex_data import SiteData, as_of, dump, generate
from .inferencex_page import render_page
from .server import ERROR_HTML, HTML_TYPE, JSON_TYPE, NOT_FOUND_HTML, SPA_HTML, HttpReplica

logger = logging.getLogger(__name__)

#: per model x date (or every answer): what the benchmarks endpoint does instead
FAULT_MODES = ("500-once", "500", "truncated", "html", "error", "empty", "new-fields")
ROBOTS_TXT = b"User-agent: *\nAllow: /\nDisallow: /api/\n"
BENCHMARKS_PATH = "/api/v1/benchmarks"
AVAILABILITY_PATH = "/api/v1/availability"
STATS_PATH = "/__replica/stats"
NEW_FIELD, NEW_METRIC = "kv_cache_dtype", "p95_ttft"  # what the "new-fields" fault adds


class ApiRequest(NamedTuple):
    """One served request."""

    method: str
    path: str  # with its query
    status: int
    time: float  # time.monotonic() on arrival
    fetch_mode: str  # Sec-Fetch-Mode: "cors" for a page's fetch, "navigate" for a page load
    user_agent: str


class InferenceXReplica(HttpReplica):
    """Serves the InferenceX page, ``/api/v1/*`` with as-of semantics, and robots.txt."""

    def __init__(
        self,
        data: SiteData | None = None,
        *,
        latency: float = 0.0,
        hydrate_delay: float = 0.3,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self.data = data if data is not None else generate()
        self.source = self.data.source
        self.latency = latency
        self.hydrate_delay = hydrate_delay
        self._lock = threading.Lock()
        self._faults: dict[tuple[str, str], str] = {}
        self._fired: set[tuple[str, str]] = set()
        self._requests: list[ApiRequest] = []
        self._cache: dict[Any, bytes] = {}  # answers as a CDN keeps them, until set_data

    # --- data, faults, the oracle -------------------------------------------------------
    def set_data(self, data: SiteData) -> None:
        """Publish another site state (e.g. the next day's runs)."""
        with self._lock:
            self.data = data
            self._cache.clear()

    def set_fault(self, mode: str, model: str = "*", day: str = "*") -> None:
        """Make the benchmarks answer for *model* at *day* (``*``: any) misbehave."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {FAULT_MODES}")
        with self._lock:
            self._faults[(model, day)] = mode
            self._fired.discard((model, day))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._fired.clear()

    def answer(self, model: str, day: str | None = None, exact: bool = False) -> list[dict]:
        """The rows the benchmarks endpoint serves for *model* at *day*, content faults
        ("new-fields") applied: what a crawler of this replica must have received."""
        with self._lock:
            data, mode = self.data, self._fault_for(model, day or "")
        rows = as_of(data, model, day, exact)
        return _with_new_fields(rows) if mode == "new-fields" else rows

    # --- request log --------------------------------------------------------------------
    @property
    def requests(self) -> list[ApiRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def benchmarks_requests(self) -> list[ApiRequest]:
        """The benchmarks requests served, in arrival order."""
        return [r for r in self.requests if urlsplit(r.path).path == BENCHMARKS_PATH]

    def benchmarks_selections(self) -> list[tuple[str, str]]:
        """(model, date) of each benchmarks request served, in arrival order."""
        out = []
        for r in self.benchmarks_requests():
            q = parse_qs(urlsplit(r.path).query)
            out.append((q.get("model", [""])[0], q.get("date", [""])[0]))
        return out

    # --- request handling ---------------------------------------------------------------
    def _cached(self, key: Any, data: SiteData | None) -> bytes:
        """The answer for *key*, computed once per site state (a CDN caches it a day)."""
        with self._lock:
            data = data or self.data
            body = self._cache.get(key)
        if body is None:
            body = _answer(data, key)
            with self._lock:
                if data is self.data:
                    self._cache[key] = body
        return body

    def _fault_for(self, model: str, day: str) -> str | None:
        for key in ((model, day), (model, "*"), ("*", day), ("*", "*")):
            if key in self._faults:
                return self._faults[key]
        return None

    def _handle(self, h: Any, method: str) -> None:
        arrived = time.monotonic()
        parts = urlsplit(h.path)
        path, query = parts.path, parse_qs(parts.query)
        if method == "POST":
            status, ctype, body = 403, JSON_TYPE, b'{"code":"bot_detected"}'
        elif path in ("/", "/index.html"):
            with self._lock:
                data = self.data
            page = render_page(data.models, data.default_model, data.names, self.hydrate_delay)
            status, ctype, body = 200, HTML_TYPE, page.encode()
        elif path == "/robots.txt":
            status, ctype, body = 200, "text/plain; charset=utf-8", ROBOTS_TXT
        elif path == AVAILABILITY_PATH:
            status, ctype, body = 200, JSON_TYPE, self._cached("availability", None)
        elif path == BENCHMARKS_PATH:
            status, ctype, body = self._benchmarks(query)
        elif path == STATS_PATH:
            selections = self.benchmarks_selections()
            stats = {"benchmarks": len(selections), "selections": selections}
            status, ctype, body = 200, JSON_TYPE, dump(stats)
        else:
            status, ctype, body = 404, HTML_TYPE, NOT_FOUND_HTML
        record = ApiRequest(
            method,
            h.path,
            status,
            arrived,
            h.headers.get("Sec-Fetch-Mode", ""),
            h.headers.get("User-Agent", ""),
        )
        if path != STATS_PATH:
            with self._lock:
                self._requests.append(record)
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Cache-Control", "no-store")
        h.end_headers()
        if method != "HEAD":
            h.wfile.write(body)

    def _benchmarks(self, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        model = query.get("model", [""])[0]
        day = query.get("date", [None])[0]
        exact = query.get("exact", ["false"])[0] == "true"
        with self._lock:
            data = self.data
            mode = self._fault_for(model, day or "")
            if mode == "500-once":
                key = (model, day or "")
                mode = None if key in self._fired else "500"
                self._fired.add(key)
        if self.latency > 0:
            time.sleep(self.latency)
        if model not in data.models:
            return 400, JSON_TYPE, b'{"error":"Unknown model"}'
        if mode == "500":
            return 500, HTML_TYPE, ERROR_HTML
        if mode == "html":
            return 200, HTML_TYPE, SPA_HTML
        if mode == "error":
            return 200, JSON_TYPE, b'{"error":"Internal server error"}'
        if mode == "empty":
            return 200, JSON_TYPE, b"[]"
        body = self._cached((model, day, exact, mode == "new-fields"), data)
        if mode == "truncated":
            body = body[: len(body) // 2]
        return 200, JSON_TYPE, body


def _answer(data: SiteData, key: Any) -> bytes:
    if key == "availability":
        return dump(data.availability)
    model, day, exact, new_fields = key
    rows = as_of(data, model, day, exact)
    return dump(_with_new_fields(rows) if new_fields else rows)


def _with_new_fields(rows: list[dict]) -> list[dict]:
    """Rows as a newer site serves them: one field and one metric more."""
    out = []
    for r in rows:
        metrics = dict(r.get("metrics") or {})
        metrics[NEW_METRIC] = round(float(metrics.get("median_ttft", 0.0)) * 2.1, 6)
        out.append({**r, NEW_FIELD: "fp8", "metrics": metrics})
    return out
