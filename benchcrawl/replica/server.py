"""Local HTTP replica of the InferenceMAX dashboard (stdlib only)."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self

from .data import (
    DATA_PREFIX,
    default_files,
    default_snapshot_dir,
    dump,
    generate,
    load_snapshot,
    page_catalog,
)
from .inferencemax_page import VARIANTS, render_page

logger = logging.getLogger(__name__)

FAULT_MODES = ("truncated", "html", "404", "500-once", "500", "wrapped", "changed-type", "empty")
BEACON_PATH = "/_vercel/insights/event"
NOT_FOUND_HTML = (b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404: This page could"
                  b" not be found.</title></head><body><div><h1>404</h1><h2>This page could not be"
                  b" found.</h2></div></body></html>")
ERROR_HTML = (b"<!DOCTYPE html><html><head><title>500: Internal Server Error</title></head>"
              b"<body><h1>500</h1><h2>Internal Server Error.</h2></body></html>")
SPA_HTML = (b"<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            b"<title>InferenceMAX by SemiAnalysis</title></head>"
            b"<body><div id=\"__next\">Loading&hellip;</div></body></html>")
BEACON_BODY = b'{"code":"bot_detected","message":"Request blocked: automated traffic detected"}'
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


class RequestRecord(NamedTuple):
    """One served request; `time` is time.monotonic() when the request arrived."""

    method: str
    path: str
    status: int
    time: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    replica: HttpReplica

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "benchcrawl-replica"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self.server.replica._handle(self, "GET")

    def do_HEAD(self) -> None:
        self.server.replica._handle(self, "HEAD")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.replica._handle(self, "POST")


class HttpReplica:
    """A local HTTP server in a daemon thread; subclasses answer requests in ``_handle``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------
    def start(self) -> Self:
        """Bind and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._server = _Server((self.host, self._port), _Handler)
        self._server.replica = self  # type: ignore[assignment]
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name=f"replica-{self._port}", daemon=True)
        self._thread.start()
        logger.debug("replica serving %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """Bound port (the requested one before start())."""
        return self._port

    @property
    def url(self) -> str:
        """Base URL of the page, e.g. http://127.0.0.1:PORT/."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self._port}/"

    def _handle(self, h: _Handler, method: str) -> None:
        raise NotImplementedError


class Replica(HttpReplica):
    """Serves the replica page, its data files and the analytics beacon."""

    def __init__(self, files: dict[str, bytes] | None = None, *, variant: str = "combobox",
                 latency: float = 0.0, hydrate_delay: float = 0.3, host: str = "127.0.0.1",
                 port: int = 0, default_latency: float | None = None) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
        if files is None:
            snap = default_snapshot_dir()
            files = load_snapshot(snap) if snap else generate()
            self.source = str(snap) if snap else "generate(seed=0)"
        else:
            self.source = "files"
        super().__init__(host, port)
        self.variant = variant
        self.latency = latency
        self.hydrate_delay = hydrate_delay
        self._lock = threading.Lock()
        self._files: dict[str, bytes] = dict(files)
        self._faults: dict[str, str] = {}
        self._fired: set[str] = set()
        self._default_served: set[str] = set()
        self._default_latency = default_latency
        self._requests: list[RequestRecord] = []

    def data_url(self, filename: str) -> str:
        """Absolute URL of one data file."""
        return self.url.rstrip("/") + DATA_PREFIX + filename

    # --- data and faults -----------------------------------------------------
    @property
    def files(self) -> dict[str, bytes]:
        """Copy of the served data files."""
        with self._lock:
            return dict(self._files)

    def set_files(self, files: dict[str, bytes]) -> None:
        """Replace the served data files (e.g. the next night's run)."""
        with self._lock:
            self._files = dict(files)

    def set_fault(self, filename: str, mode: str) -> None:
        """Make `filename` misbehave; see FAULT_MODES."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {FAULT_MODES}")
        with self._lock:
            self._faults[filename] = mode
            self._fired.discard(filename)

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()
            self._fired.clear()

    @property
    def default_latency(self) -> float | None:
        """Extra delay for the first request of each default-selection file."""
        return self._default_latency

    @default_latency.setter
    def default_latency(self, value: float | None) -> None:
        with self._lock:
            self._default_latency = value
            self._default_served.clear()

    # --- request log ---------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """Snapshot of (method, path, status, monotonic_time) for every served request."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._lock:
            self._requests.clear()

    def data_requests(self) -> list[RequestRecord]:
        """Logged requests for data files, in arrival order."""
        return sorted((r for r in self.requests if r.path.startswith(DATA_PREFIX)),
                      key=lambda r: r.time)

    def hits(self, filename: str) -> int:
        """Number of GET requests for one data file (query string ignored)."""
        path = DATA_PREFIX + filename
        return sum(1 for r in self.requests if r.method == "GET" and r.path.split("?")[0] == path)

    # --- request handling ------------------------------------------------------
    def _handle(self, h: _Handler, method: str) -> None:
        arrived = time.monotonic()
        path = h.path.split("?", 1)[0].split("#", 1)[0]
        headers: dict[str, str] = {"Cache-Control": "no-store"}
        if method == "POST":
            if path == BEACON_PATH:
                status, ctype = 403, JSON_TYPE
                body = BEACON_BODY
            else:
                status, ctype, body = 404, HTML_TYPE, NOT_FOUND_HTML
        elif path in ("/", "/index.html"):
            with self._lock:
                catalog = page_catalog(self._files)
            status, ctype = 200, HTML_TYPE
            body = render_page(catalog, self.variant, self.hydrate_delay).encode()
        elif path.startswith(DATA_PREFIX):
            status, ctype, body = self._data_response(path[len(DATA_PREFIX):])
        else:
            status, ctype, body = 404, HTML_TYPE, NOT_FOUND_HTML
        with self._lock:  # logged before the response leaves, so clients never see it first
            self._requests.append(RequestRecord(method, h.path, status, arrived))
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            h.send_header(key, value)
        h.end_headers()
        if method != "HEAD":
            h.wfile.write(body)

    def _data_response(self, name: str) -> tuple[int, str, bytes]:
        with self._lock:
            mode = self._faults.get(name)
            body = self._files.get(name)
            if mode == "500-once":
                mode = None if name in self._fired else "500"
                self._fired.add(name)
            extra = 0.0
            if self._default_latency and name not in self._default_served \
                    and name in default_files(self._files):
                self._default_served.add(name)
                extra = self._default_latency
        delay = (self.latency or 0.0) + extra
        if delay > 0:
            time.sleep(delay)
        if mode == "500":
            return 500, HTML_TYPE, ERROR_HTML
        if mode == "html":
            return 200, HTML_TYPE, SPA_HTML
        if mode == "404" or body is None or "/" in name:
            return 404, HTML_TYPE, NOT_FOUND_HTML
        return 200, JSON_TYPE, _apply_fault(body, mode)


def _apply_fault(body: bytes, mode: str | None) -> bytes:
    """Transform a data file's bytes for a content-level fault mode."""
    if mode == "truncated":
        return body[: len(body) // 2]
    if mode == "empty":
        return b"[]"
    if mode in ("wrapped", "changed-type"):
        records = json.loads(body)
        if mode == "wrapped":
            gpus = list(dict.fromkeys(str(r.get("hwKey", "")).split("_")[0]
                                      for r in records if isinstance(r, dict)))
            return dump([{"data": records, "gpus": gpus}])
        if records and isinstance(records[0], dict) and "conc" in records[0]:
            records[0]["conc"] = str(records[0]["conc"])
        return dump(records)
    return body
