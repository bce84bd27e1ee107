"""The page (signed in with a session cookie): workers, nodes, frontiers, the pages/min
chart, sweeps, schedules, versions and the latest table; its action buttons; its
stylesheet and its script."""

# no `from __future__ import annotations`: FastAPI resolves the Annotated aliases here

import time
from importlib import resources
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from benchcrawl.monitor.data import LABELS, options
from benchcrawl.monitor.routes.deps import (
    PAUSE_REASON,
    PER_PAGE,
    Auth,
    MonitorDep,
    Selected,
    paged,
    render,
    session_of,
)
from benchcrawl.monitor.views import svg_chart

router = APIRouter(include_in_schema=False)

POLL = 3  # s between two looks of the page's script at /api/live


@router.get("/")
def page(request: Request, monitor: MonitorDep, selected: Selected, page: int = 1) -> HTMLResponse:
    session = session_of(request)
    if session is None:
        return render(request, "signin.html", error="")
    now = time.time()
    shown = paged(selected.rows, page, PER_PAGE, clamp=True)
    return render(
        request,
        "index.html",
        csrf=session.csrf,
        nodes=monitor.cluster.nodes(now),
        frontiers=monitor.cluster.frontiers(),
        chart=svg_chart(monitor.cluster.series(now), now, monitor.cluster.window),
        sweeps=monitor.cluster.sweeps(),
        schedules=monitor.cluster.schedules(),
        versions=monitor.data.versions(),
        table=selected.table,
        rows=shown.rows,
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
        filters=selected.filters,
        choices=options(selected.table),
        labels=LABELS,
        poll=POLL,
        query=urlencode({k: v for k, v in selected.filters.items() if v}),
        add_node=monitor.add_node,
        spiders=sorted(monitor.cluster.spiders),
    )


@router.post("/actions/{action}")
async def page_action(
    request: Request, action: str, monitor: MonitorDep, session: Auth
) -> Response:
    form = await request.form()
    spider = str(form.get("spider") or "") or None
    node = str(form.get("node") or "") or None
    try:
        if action == "pause":
            monitor.cluster.pause(spider, node, PAUSE_REASON)
        elif action == "resume":
            monitor.cluster.resume(spider, node)
        elif action == "requeue-failed":
            monitor.cluster.requeue_failed(spider)
        else:
            raise HTTPException(404, "no such action")
    except KeyError as e:
        raise HTTPException(404, "no such spider") from e
    return RedirectResponse("/", status_code=303)


@router.get("/static/monitor.css")
def stylesheet() -> Response:
    css = resources.files("benchcrawl.monitor").joinpath("static/monitor.css").read_text()
    return Response(css, media_type="text/css")


@router.get("/static/monitor.js")
def script() -> Response:
    """The page's one script: polls ``/api/live`` and redraws workers, sweeps and next
    ticks (served from here, as the CSP allows scripts from this origin only)."""
    js = resources.files("benchcrawl.monitor").joinpath("static/monitor.js").read_text()
    return Response(js, media_type="text/javascript")
