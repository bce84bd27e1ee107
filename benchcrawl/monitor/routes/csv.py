"""The latest version's table (``results.csv``, or a 2025 version's ``merged.csv``),
filtered as on the page, as a CSV download."""

# no `from __future__ import annotations`: FastAPI resolves the Annotated aliases here

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from benchcrawl.monitor.data import to_csv
from benchcrawl.monitor.routes.deps import Auth, Selected

router = APIRouter()


@router.get("/api/data.csv", response_class=PlainTextResponse)
def api_data_csv(_: Auth, selected: Selected) -> Response:
    """The latest version's table (InferenceX ``results.csv``, or a 2025 version's
    ``merged.csv``), filtered, as CSV."""
    table = selected.table
    name = f"{table.kind or 'merged'}-{table.version or 'none'}.csv"
    return Response(
        to_csv(table.columns, selected.rows),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
