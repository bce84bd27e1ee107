"""Fixtures: the data every value check runs on.

``bodies`` / ``raw`` are parametrized over the replica's generated data (always) and the
read-only 2025-10-25 snapshot (when ``../shared`` is there); expectations are derived from
the data itself. The snapshot's own figures (README counts, 1,393 rows, ...) are checked
in ``test_snapshot.py``, which skips as one module when the snapshot is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchcrawl.replica.data import generate

from ._support import FILES, SNAPSHOT_DIR, file_name

DATASETS = ["generated"] + (["snapshot"] if SNAPSHOT_DIR.is_dir() else [])


def _read(dataset: str) -> dict[tuple[str, str, str], bytes]:
    if dataset == "snapshot":
        return {f: (SNAPSHOT_DIR / file_name(*f)).read_bytes() for f in FILES}
    files = generate()
    return {f: files[file_name(*f)] for f in FILES}


@pytest.fixture(scope="session", params=DATASETS)
def bodies(request: pytest.FixtureRequest) -> dict[tuple[str, str, str], bytes]:
    """Raw bytes of all 18 files keyed by (model_slug, seq_slug, kind)."""
    return _read(request.param)


@pytest.fixture(scope="session")
def raw(bodies: dict) -> dict[tuple[str, str, str], list[dict]]:
    """The files decoded with plain ``json.loads``: the reference for value checks."""
    return {f: json.loads(b) for f, b in bodies.items()}


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    if not SNAPSHOT_DIR.is_dir():
        pytest.skip(f"snapshot not available at {SNAPSHOT_DIR}")
    return SNAPSHOT_DIR


@pytest.fixture(scope="session")
def snapshot_bodies(snapshot_dir: Path) -> dict[tuple[str, str, str], bytes]:
    return _read("snapshot")


@pytest.fixture(scope="session")
def snapshot_raw(snapshot_bodies: dict) -> dict[tuple[str, str, str], list[dict]]:
    return {f: json.loads(b) for f, b in snapshot_bodies.items()}
