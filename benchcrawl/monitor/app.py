"""The monitor's web app (FastAPI): the page, the JSON API under ``/api/`` (OpenAPI at
``/openapi.json``) and cluster-level ``/metrics``. Built by :func:`create_app` from plain
values; ``scrapy monitor`` (``benchcrawl/commands/monitor.py``) builds those from settings."""

# no `from __future__ import annotations`: FastAPI resolves the closures' Annotated aliases

import asyncio
import logging
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, Field

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
from benchcrawl.monitor.data import FILTERS, DataDir, options, select, to_csv
from benchcrawl.monitor.metrics import ClusterCollector
from benchcrawl.monitor.views import svg_chart

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PER_PAGE = 50
NAME = Annotated[str | None, Field(default=None, max_length=200)]


@dataclass
class Monitor:
    cluster: Cluster
    data: DataDir
    token: TokenCheck
    add_node: list[str]
    sessions: Sessions = field(default_factory=Sessions)
    failures: FailedSignIns = field(default_factory=FailedSignIns)


# --- API models ----------------------------------------------------------------------------
class Node(BaseModel):
    spider: str
    node: str
    host: str
    pid: int
    state: str = Field(description="running, throttled, paused, or lost (3 missed heartbeats)")
    reason: str
    pause_flag: bool
    cpu: float
    memory: float
    network: float
    pages_per_minute: float
    in_flight: int
    last_seen: float
    last_seen_ago: float


class Point(BaseModel):
    t: float = Field(description="unix time, s")
    pages_per_minute: float


class Failure(BaseModel):
    id: str
    url: str
    reason: str
    worker: str


class Frontier(BaseModel):
    spider: str
    queued: int
    leased: int
    leases: dict[str, int]
    failed: int
    failed_sample: list[Failure]
    seen: int


class Sweep(BaseModel):
    spider: str
    sweep_id: str
    status: str
    detail: str
    accounted: int
    planned: int
    failed: int
    created: float


class Version(BaseModel):
    version: str
    status: str
    rows: int
    written_at: str = ""


class ScheduledRun(BaseModel):
    tick: str
    outcome: str
    exit_code: str
    rows: str
    version: str
    seconds: str
    finished_at: str


class Schedule(BaseModel):
    spider: str
    next: str  # the tick a live scheduler waits for; "" when none is running
    runs: list[ScheduledRun]  # newest first


class InferenceMax(BaseModel):
    sweeps: list[Sweep]
    versions: list[Version]
    schedules: list[Schedule]


class DataPage(BaseModel):
    version: str | None
    columns: list[str]
    total: int
    page: int
    per_page: int
    rows: list[dict[str, str]]


class Target(BaseModel):
    spider: NAME = None
    node: NAME = None


class SpiderTarget(BaseModel):
    spider: NAME = None


class ActionResult(BaseModel):
    action: str
    spiders: list[str]
    node: str | None = None
    requeued: dict[str, int] = {}


class AddNode(BaseModel):
    commands: list[str]


def create_app(monitor: Monitor) -> FastAPI:
    app = FastAPI(
        title="benchcrawl monitor",
        version="1",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the document is /openapi.json
        redoc_url=None,
    )
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("benchcrawl.monitor", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    registry = CollectorRegistry()
    registry.register(ClusterCollector(monitor.cluster))

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "?"

    def session_of(request: Request) -> Session | None:
        return monitor.sessions.get(request.cookies.get(SESSION_COOKIE), time.time())

    bearer_scheme = HTTPBearer(auto_error=False, description="BENCHCRAWL_MONITOR_TOKEN")

    async def authorised(
        request: Request,
        _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    ) -> Session | None:
        """Bearer token or session cookie, else 401; a cookie-authenticated POST also needs
        the CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``)."""
        bearer = monitor.token.bearer(request.headers.get("authorization"))
        if bearer:
            monitor.failures.succeeded(client_of(request))
            return None
        if bearer is False:
            await _failed(request)
            raise HTTPException(401, "wrong token", headers={"WWW-Authenticate": "Bearer"})
        session = session_of(request)
        if session is None:
            raise HTTPException(
                401, "sign in or send a Bearer token", {"WWW-Authenticate": "Bearer"}
            )
        if request.method == "POST":
            candidate = request.headers.get(CSRF_HEADER)
            if candidate is None and "form" in request.headers.get("content-type", ""):
                candidate = str((await request.form()).get(CSRF_FIELD) or "") or None
            if not Sessions.csrf_ok(session, candidate):
                raise HTTPException(403, "missing or wrong CSRF token")
        return session

    async def _failed(request: Request) -> None:
        client = client_of(request)
        delay = monitor.failures.delay(client, time.time())
        monitor.failures.failed(client, time.time())
        logger.warning("failed sign-in from %s (answered after %.1f s)", client, delay)
        await asyncio.sleep(delay)

    Auth = Annotated[Session | None, Depends(authorised)]

    # --- the page ------------------------------------------------------------------------
    def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=status)

    @app.get("/", include_in_schema=False)
    def page(request: Request, page: int = 1) -> HTMLResponse:
        session = session_of(request)
        if session is None:
            return render("signin.html", error="")
        now = time.time()
        filters = {k: request.query_params.get(k) or None for k in FILTERS}
        table = monitor.data.latest()
        rows = select(table, filters)
        page = max(1, min(page, max(1, -(-len(rows) // PER_PAGE))))
        return render(
            "index.html",
            csrf=session.csrf,
            nodes=monitor.cluster.nodes(now),
            frontiers=monitor.cluster.frontiers(),
            chart=svg_chart(monitor.cluster.series(now), now, monitor.cluster.window),
            sweeps=monitor.cluster.sweeps(),
            schedules=monitor.cluster.schedules(),
            versions=monitor.data.versions(),
            table=table,
            rows=rows[(page - 1) * PER_PAGE : page * PER_PAGE],
            total=len(rows),
            page=page,
            pages=max(1, -(-len(rows) // PER_PAGE)),
            filters=filters,
            choices=options(table),
            query=urlencode({k: v for k, v in filters.items() if v}),
            add_node=monitor.add_node,
            spiders=sorted(monitor.cluster.spiders),
        )

    @app.post("/signin", include_in_schema=False)
    async def signin(request: Request) -> Response:
        form = await request.form()
        candidate = form.get("token")
        if isinstance(candidate, str) and monitor.token.matches(candidate):
            monitor.failures.succeeded(client_of(request))
            session = monitor.sessions.create(time.time())
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(
                SESSION_COOKIE, session.id, httponly=True, samesite="strict", path="/"
            )
            return response
        await _failed(request)
        return render("signin.html", status=401, error="Wrong token.")

    @app.post("/signout", include_in_schema=False)
    async def signout(request: Request, session: Auth) -> Response:
        monitor.sessions.drop(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.post("/actions/{action}", include_in_schema=False)
    async def page_action(request: Request, action: str, session: Auth) -> Response:
        form = await request.form()
        spider = str(form.get("spider") or "") or None
        node = str(form.get("node") or "") or None
        try:
            if action == "pause":
                monitor.cluster.pause(spider, node, "paused from the monitor")
            elif action == "resume":
                monitor.cluster.resume(spider, node)
            elif action == "requeue-failed":
                monitor.cluster.requeue_failed(spider)
            else:
                raise HTTPException(404, "no such action")
        except KeyError as e:
            raise HTTPException(404, "no such spider") from e
        return RedirectResponse("/", status_code=303)

    @app.get("/static/monitor.css", include_in_schema=False)
    def stylesheet() -> Response:
        css = resources.files("benchcrawl.monitor").joinpath("static/monitor.css").read_text()
        return Response(css, media_type="text/css")

    @app.get("/metrics", include_in_schema=False)
    def metrics(_: Auth) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    # --- the API -------------------------------------------------------------------------
    @app.get("/api/nodes", response_model=list[Node])
    def api_nodes(_: Auth) -> Any:
        """Every node of every spider found in Redis."""
        return monitor.cluster.nodes()

    @app.get("/api/spiders", response_model=list[Frontier])
    def api_spiders(_: Auth) -> Any:
        """Each spider's frontier: queued, leased by worker, failed with reasons, seen."""
        return monitor.cluster.frontiers()

    @app.get("/api/series", response_model=dict[str, list[Point]])
    def api_series(_: Auth) -> Any:
        """Pages/min per node (``spider/node``) over the last hour."""
        return {
            node: [{"t": t, "pages_per_minute": v} for t, v in points]
            for node, points in monitor.cluster.series().items()
        }

    @app.get("/api/inferencemax", response_model=InferenceMax)
    def api_inferencemax(_: Auth) -> Any:
        """The running sweep's progress, the versions in DATA_DIR and the scheduler's next
        tick and last runs."""
        return {
            "sweeps": monitor.cluster.sweeps(),
            "versions": monitor.data.versions(),
            "schedules": monitor.cluster.schedules(),
        }

    Filter = Annotated[str | None, Query(max_length=200)]

    @app.get("/api/data", response_model=DataPage)
    def api_data(
        _: Auth,
        model_name: Filter = None,
        sequence_length: Filter = None,
        hwKey: Filter = None,  # noqa: N803  (the column's own name)
        precision: Filter = None,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=500)] = PER_PAGE,
    ) -> Any:
        """The latest merged table, filtered and paged."""
        table = monitor.data.latest()
        filters = {"model_name": model_name, "sequence_length": sequence_length}
        rows = select(table, {**filters, "hwKey": hwKey, "precision": precision})
        return {
            "version": table.version,
            "columns": table.columns,
            "total": len(rows),
            "page": page,
            "per_page": per_page,
            "rows": rows[(page - 1) * per_page : page * per_page],
        }

    @app.get("/api/data.csv", response_class=PlainTextResponse)
    def api_data_csv(
        _: Auth,
        model_name: Filter = None,
        sequence_length: Filter = None,
        hwKey: Filter = None,  # noqa: N803
        precision: Filter = None,
    ) -> Response:
        """The latest merged table, filtered, as CSV."""
        table = monitor.data.latest()
        filters = {"model_name": model_name, "sequence_length": sequence_length}
        rows = select(table, {**filters, "hwKey": hwKey, "precision": precision})
        name = f"merged-{table.version or 'none'}.csv"
        return Response(
            to_csv(table.columns, rows),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.post("/api/pause", response_model=ActionResult)
    def api_pause(_: Auth, target: Target) -> Any:
        """Set a pause flag: one node (``node``) or the cluster; one spider or all."""
        return _act(
            "pause", lambda: monitor.cluster.pause(target.spider, target.node, "monitor"), target
        )

    @app.post("/api/resume", response_model=ActionResult)
    def api_resume(_: Auth, target: Target) -> Any:
        """Delete a pause flag: one node (``node``) or the cluster's; one spider or all."""
        return _act("resume", lambda: monitor.cluster.resume(target.spider, target.node), target)

    @app.post("/api/requeue-failed", response_model=ActionResult)
    def api_requeue(_: Auth, target: SpiderTarget) -> Any:
        """Put failed requests back in the queue (one spider or all)."""
        try:
            done = monitor.cluster.requeue_failed(target.spider)
        except KeyError as e:
            raise HTTPException(404, "no such spider") from e
        return {"action": "requeue-failed", "spiders": sorted(done), "requeued": done}

    @app.get("/api/add-node", response_model=AddNode)
    def api_add_node(_: Auth) -> Any:
        """The commands that add a worker to this cluster."""
        return {"commands": monitor.add_node}

    def _act(action: str, call: Any, target: Target) -> dict[str, Any]:
        try:
            spiders = call()
        except KeyError as e:
            raise HTTPException(404, "no such spider") from e
        return {"action": action, "spiders": spiders, "node": target.node}

    return app
