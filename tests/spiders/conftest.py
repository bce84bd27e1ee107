"""Fixtures for the InferenceMAX spider: the replica dashboard, real Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from benchcrawl.browser.launch import chromium_executable
from benchcrawl.replica import Replica
from benchcrawl.replica.data import default_snapshot_dir


@pytest.fixture(scope="session", autouse=True)
def _need_chromium() -> None:
    if not chromium_executable() and not shutil.which("chromium"):
        pytest.skip("no Chromium (apt-get install -y chromium)")


@pytest.fixture
def snapshot_dir():
    snap = default_snapshot_dir()
    if snap is None:
        pytest.skip("../shared/inferencemax/snapshots/2025-10-25 is absent")
    return snap


@pytest.fixture
def replica() -> Iterator[Replica]:
    """The replica serving the snapshot when present (else generated data)."""
    with Replica(hydrate_delay=0.2) as server:
        yield server
