"""The JSON API under ``/api/`` (OpenAPI at ``/openapi.json``), for scripts with the
Bearer token, and the cluster-level Prometheus ``/metrics``."""

# no `from __future__ import annotations`: FastAPI resolves the Annotated aliases here

import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from benchcrawl.monitor.models import (
    ActionResult,
    AddNode,
    DataPage,
    Frontier,
    InferenceMax,
    Live,
    Node,
    Point,
    SpiderTarget,
    Target,
)
from benchcrawl.monitor.routes.deps import (
    PAUSE_REASON,
    PER_PAGE,
    Auth,
    MonitorDep,
    Selected,
    paged,
)

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, _: Auth) -> Response:
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/nodes", response_model=list[Node])
def api_nodes(_: Auth, monitor: MonitorDep) -> Any:
    """Every node of every spider found in Redis."""
    return monitor.cluster.nodes()


@router.get("/api/spiders", response_model=list[Frontier])
def api_spiders(_: Auth, monitor: MonitorDep) -> Any:
    """Each spider's frontier: queued, leased by worker, failed with reasons, seen."""
    return monitor.cluster.frontiers()


@router.get("/api/series", response_model=dict[str, list[Point]])
def api_series(_: Auth, monitor: MonitorDep) -> Any:
    """Pages/min per node (``spider/node``) over the last hour."""
    return {
        node: [{"t": t, "pages_per_minute": v} for t, v in points]
        for node, points in monitor.cluster.series().items()
    }


@router.get("/api/inferencemax", response_model=InferenceMax)
def api_inferencemax(_: Auth, monitor: MonitorDep) -> Any:
    """The running sweep's progress, the versions in DATA_DIR and the scheduler's next
    tick and last runs."""
    return {
        "sweeps": monitor.cluster.sweeps(),
        "versions": monitor.data.versions(),
        "schedules": monitor.cluster.schedules(),
    }


@router.get("/api/live", response_model=Live)
def api_live(_: Auth, monitor: MonitorDep) -> Any:
    """Workers (serving, idle or busy, what each does and for how long), the open sweeps'
    progress by worker and each scheduler's next tick: what the page polls."""
    now = time.time()
    return {
        "nodes": monitor.cluster.nodes(now),
        "sweeps": monitor.cluster.sweeps(),
        "schedules": monitor.cluster.schedules(),
    }


@router.get("/api/data", response_model=DataPage)
def api_data(
    _: Auth,
    selected: Selected,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = PER_PAGE,
) -> Any:
    """The latest version's table (InferenceX ``results.csv``, or a 2025 version's
    ``merged.csv``), filtered and paged."""
    shown = paged(selected.rows, page, per_page, clamp=False)
    return {
        "version": selected.table.version,
        "kind": selected.table.kind,
        "columns": selected.table.columns,
        "total": shown.total,
        "page": shown.page,
        "per_page": shown.per_page,
        "rows": shown.rows,
    }


@router.post("/api/pause", response_model=ActionResult)
def api_pause(_: Auth, monitor: MonitorDep, target: Target) -> Any:
    """Set a pause flag: one node (``node``) or the cluster; one spider or all."""
    return _act(
        "pause", lambda: monitor.cluster.pause(target.spider, target.node, PAUSE_REASON), target
    )


@router.post("/api/resume", response_model=ActionResult)
def api_resume(_: Auth, monitor: MonitorDep, target: Target) -> Any:
    """Delete a pause flag: one node (``node``) or the cluster's; one spider or all."""
    return _act("resume", lambda: monitor.cluster.resume(target.spider, target.node), target)


@router.post("/api/requeue-failed", response_model=ActionResult)
def api_requeue(_: Auth, monitor: MonitorDep, target: SpiderTarget) -> Any:
    """Put failed requests back in the queue (one spider or all)."""
    try:
        done = monitor.cluster.requeue_failed(target.spider)
    except KeyError as e:
        raise HTTPException(404, "no such spider") from e
    return {"action": "requeue-failed", "spiders": sorted(done), "requeued": done}


@router.get("/api/add-node", response_model=AddNode)
def api_add_node(_: Auth, monitor: MonitorDep) -> Any:
    """The commands that add a worker to this cluster."""
    return {"commands": monitor.add_node}


def _act(action: str, call: Callable[[], list[str]], target: Target) -> dict[str, Any]:
    try:
        spiders = call()
    except KeyError as e:
        raise HTTPException(404, "no such spider") from e
    return {"action": action, "spiders": spiders, "node": target.node}
