"""The replica of the dashboard serving generated data, for tests outside tests/spiders
(where a conftest serves it the same way): skipped with its reason where no Chromium is."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from benchcrawl.browser.launch import chromium_executable
from benchcrawl.replica import Replica, generate


@contextmanager
def generated_replica(hydrate_delay: float = 0.2) -> Iterator[Replica]:
    """The replica serving ``generate()`` on a free loopback port."""
    if not chromium_executable() and not shutil.which("chromium"):
        pytest.skip("no Chromium (apt-get install -y chromium)")
    with Replica(generate(), hydrate_delay=hydrate_delay) as server:
        yield server
