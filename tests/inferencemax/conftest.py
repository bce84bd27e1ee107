"""Fixtures: the read-only 2025-10-25 snapshot; every test using it skips when it is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ._support import FILES, SNAPSHOT_DIR, file_name


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    if not SNAPSHOT_DIR.is_dir():
        pytest.skip(f"snapshot not available at {SNAPSHOT_DIR}")
    return SNAPSHOT_DIR


@pytest.fixture(scope="session")
def snapshot_bodies(snapshot_dir: Path) -> dict[tuple[str, str, str], bytes]:
    """Raw bytes of all 18 files keyed by (model_slug, seq_slug, kind)."""
    return {f: (snapshot_dir / file_name(*f)).read_bytes() for f in FILES}


@pytest.fixture(scope="session")
def snapshot_raw(snapshot_bodies: dict) -> dict[tuple[str, str, str], list[dict]]:
    """The files decoded with plain ``json.loads``: the reference for value checks."""
    return {f: json.loads(b) for f, b in snapshot_bodies.items()}
