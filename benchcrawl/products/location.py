"""Where the results database is, without importing SQLAlchemy: the archive pipeline
works it out when a crawl starts, and the crawl must not pay for the database library
before it has a version to load."""

from __future__ import annotations

from pathlib import Path

SQLITE_NAME = "benchcrawl.sqlite"  # in DATA_DIR, when DATABASE_URL is not set


def database_url(configured: str | None, data_dir: Path) -> str:
    """The database to use: *configured* (``DATABASE_URL``), else SQLite in *data_dir*.
    A bare ``postgresql://`` or ``postgres://`` URL uses psycopg 3, the driver we ship."""
    if not configured:
        return f"sqlite:///{data_dir / SQLITE_NAME}"
    for prefix in ("postgres://", "postgresql://"):
        if configured.startswith(prefix):
            return "postgresql+psycopg://" + configured[len(prefix) :]
    return configured
