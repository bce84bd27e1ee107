"""The monitor's web app (FastAPI): the page, the JSON API under ``/api/`` (OpenAPI at
``/openapi.json``) and cluster-level ``/metrics``. Built by :func:`create_app` from plain
values; ``scrapy monitor`` (``benchcrawl/commands/monitor.py``) builds those from settings.
The routes are in :mod:`benchcrawl.monitor.routes`, one router per job."""

from __future__ import annotations

from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry

from benchcrawl.monitor.metrics import ClusterCollector
from benchcrawl.monitor.routes import api, auth, csv, pages
from benchcrawl.monitor.routes.deps import PER_PAGE, Monitor

__all__ = ["CSP", "PER_PAGE", "Monitor", "create_app"]

CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)  # the page's one script is /static/monitor.js (no inline script), fetching /api/live


def create_app(monitor: Monitor) -> FastAPI:
    app = FastAPI(
        title="benchcrawl monitor",
        version="1",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the document is /openapi.json
        redoc_url=None,
    )
    app.state.monitor = monitor
    app.state.templates = jinja2.Environment(
        loader=jinja2.PackageLoader("benchcrawl.monitor", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app.state.registry = CollectorRegistry()
    app.state.registry.register(ClusterCollector(monitor.cluster))
    app.middleware("http")(security_headers)
    for module in (auth, pages, api, csv):
        app.include_router(module.router)
    return app


async def security_headers(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
