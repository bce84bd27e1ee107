"""Fixtures: the served files, a second version derived from them with known changes, and
an archive holding both (archived through the real pipelines, products made as they land)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._support import DAY, T0, Derived, archive, derive, served_files


@pytest.fixture(scope="session")
def files() -> dict[str, bytes]:
    return served_files()


@pytest.fixture(scope="session")
def derived(files) -> Derived:
    return derive(files)


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory, files, derived) -> tuple[Path, Path, Path]:
    """(data_dir, first version, second version): the second is ``derived``."""
    data_dir = tmp_path_factory.mktemp("two") / "data"
    for i, version_files in enumerate((files, derived.files)):
        status, detail, _ = archive(data_dir, version_files, T0 + i * DAY)
        assert status == "succeeded", detail
    first, second = sorted((data_dir / "archive").iterdir())
    return data_dir, first, second
