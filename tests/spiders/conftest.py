"""Fixtures for the InferenceMAX spider: the replica dashboard, real Chromium.

The replica serves its generated data, so every end-to-end check runs on a fresh clone;
expected rows are derived from ``replica.files``. The 2025-10-25 snapshot (``../shared``)
adds its own check when present (``snapshot_replica``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchcrawl.browser.launch import chromium_executable
from benchcrawl.replica import Replica, generate, load_snapshot
from tests.inferencemax._support import SNAPSHOT_DIR


@pytest.fixture(scope="session", autouse=True)
def _need_chromium() -> None:
    if not chromium_executable() and not shutil.which("chromium"):
        pytest.skip("no Chromium (apt-get install -y chromium)")


@pytest.fixture
def replica() -> Iterator[Replica]:
    """The replica serving generated data (``generate(seed=0)``)."""
    with Replica(generate(), hydrate_delay=0.2) as server:
        yield server


@pytest.fixture
def snapshot_dir() -> Path:
    if not SNAPSHOT_DIR.is_dir():
        pytest.skip(
            f"the 2025-10-25 snapshot is absent at {SNAPSHOT_DIR} (set INFERENCEMAX_SNAPSHOT): "
            "the sweep of the real files did not run; the sweep of generated data did"
        )
    return SNAPSHOT_DIR


@pytest.fixture
def snapshot_replica(snapshot_dir: Path) -> Iterator[Replica]:
    """The replica serving the 2025-10-25 snapshot byte for byte."""
    with Replica(load_snapshot(snapshot_dir), hydrate_delay=0.2) as server:
        yield server
