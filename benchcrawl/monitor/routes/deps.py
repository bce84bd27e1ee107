"""What the monitor's routers share: the monitor itself (:class:`Monitor`), the sign-in
check, the data filter and its paging, computed one way for the page, the API and the CSV;
one pause note for the page's button and the API."""

# no `from __future__ import annotations`: FastAPI resolves the Annotated aliases here

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import jinja2
from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from benchcrawl.monitor.auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    FailedSignIns,
    Session,
    Sessions,
    TokenCheck,
)
from benchcrawl.monitor.cluster import Cluster
from benchcrawl.monitor.data import FILTERS, DataDir, Table, select

logger = logging.getLogger(__name__)

PER_PAGE = 50
PAUSE_REASON = "paused from the monitor"  # the note a pause flag holds, page or API


@dataclass
class Monitor:
    """What the app serves, built from plain values (``scrapy monitor`` builds them from
    settings)."""

    cluster: Cluster
    data: DataDir
    token: TokenCheck
    add_node: list[str]
    sessions: Sessions = field(default_factory=Sessions)
    failures: FailedSignIns = field(default_factory=FailedSignIns)


def monitor_of(request: Request) -> Monitor:
    return request.app.state.monitor  # type: ignore[no-any-return]


def client_of(request: Request) -> str:
    return request.client.host if request.client else "?"


def session_of(request: Request) -> Session | None:
    return monitor_of(request).sessions.get(request.cookies.get(SESSION_COOKIE), time.time())


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    return HTMLResponse(env.get_template(name).render(**context), status_code=status)


async def failed_sign_in(request: Request) -> None:
    """Log a wrong token and answer it late: the delay grows with each failure from the
    same client."""
    failures = monitor_of(request).failures
    client = client_of(request)
    delay = failures.delay(client, time.time())
    failures.failed(client, time.time())
    logger.warning("failed sign-in from %s (answered after %.1f s)", client, delay)
    await asyncio.sleep(delay)


bearer_scheme = HTTPBearer(auto_error=False, description="BENCHCRAWL_MONITOR_TOKEN")


async def authorised(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Session | None:
    """Bearer token or session cookie, else 401; a cookie-authenticated POST also needs
    the CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``)."""
    monitor = monitor_of(request)
    bearer = monitor.token.bearer(request.headers.get("authorization"))
    if bearer:
        monitor.failures.succeeded(client_of(request))
        return None
    if bearer is False:
        await failed_sign_in(request)
        raise HTTPException(401, "wrong token", headers={"WWW-Authenticate": "Bearer"})
    session = session_of(request)
    if session is None:
        raise HTTPException(401, "sign in or send a Bearer token", {"WWW-Authenticate": "Bearer"})
    if request.method == "POST":
        candidate = request.headers.get(CSRF_HEADER)
        if candidate is None and "form" in request.headers.get("content-type", ""):
            candidate = str((await request.form()).get(CSRF_FIELD) or "") or None
        if not Sessions.csrf_ok(session, candidate):
            raise HTTPException(403, "missing or wrong CSRF token")
    return session


Auth = Annotated[Session | None, Depends(authorised)]
MonitorDep = Annotated[Monitor, Depends(monitor_of)]

# --- the data: one filter, one paging --------------------------------------------------------
Filter = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True)
class Selection:
    """The latest merged table and its rows that pass the filters."""

    table: Table
    filters: dict[str, str | None]
    rows: list[dict[str, str]]


def selection(
    request: Request,
    model_name: Filter = None,
    sequence_length: Filter = None,
    hwKey: Filter = None,  # noqa: N803  (the column's own name)
    precision: Filter = None,
    hardware: Filter = None,
    framework: Filter = None,
    date: Filter = None,
) -> Selection:
    """The rows of the latest table whose filter columns equal every given value (an empty
    value filters nothing). ``results.csv`` (InferenceX) has model_name, hardware,
    framework, precision and date (the run date); ``merged.csv`` (2025) model_name,
    sequence_length, hwKey and precision. A filter on a column the table lacks matches
    no row."""
    given = {
        "model_name": model_name,
        "sequence_length": sequence_length,
        "hwKey": hwKey,
        "precision": precision,
        "hardware": hardware,
        "framework": framework,
        "date": date,
    }
    table = monitor_of(request).data.latest()
    shown = FILTERS.get(table.kind, ())
    # the table's own filters always (the page's drop-downs), the others only when given
    filters = {k: v or None for k, v in given.items() if k in shown or v}
    return Selection(table, filters, select(table, filters))


Selected = Annotated[Selection, Depends(selection)]


@dataclass(frozen=True)
class Paged:
    rows: list[dict[str, str]]
    total: int
    page: int
    pages: int
    per_page: int


def paged(rows: list[dict[str, str]], page: int, per_page: int, *, clamp: bool) -> Paged:
    """Page *page* (from 1) of *rows*; with *clamp*, a page past either end shows the
    nearest one (the page's links), else it is empty (the API)."""
    pages = max(1, -(-len(rows) // per_page))
    if clamp:
        page = max(1, min(page, pages))
    return Paged(rows[(page - 1) * per_page : page * per_page], len(rows), page, pages, per_page)
