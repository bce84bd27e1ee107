"""Versions are whole or absent; latest always points at a whole one."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from benchcrawl.exceptions import ArchiveError
from benchcrawl.storage.versions import switch_latest, write_version


def writer(data: bytes):
    return lambda path: path.write_bytes(data)


def test_write_then_switch(tmp_path):
    v1 = write_version(
        tmp_path, "v1", {"a.csv": writer(b"1"), "raw/x.json": writer(b"[]")}, {"rows": 1}
    )
    switch_latest(tmp_path, v1)
    manifest = json.loads((tmp_path / "latest" / "manifest.json").read_text())
    assert manifest["version"] == "v1" and manifest["rows"] == 1
    assert manifest["files"]["a.csv"]["sha256"] == hashlib.sha256(b"1").hexdigest()
    v2 = write_version(tmp_path, "v2", {"a.csv": writer(b"2")}, {})
    switch_latest(tmp_path, v2)
    assert (tmp_path / "latest" / "a.csv").read_bytes() == b"2"
    assert os.readlink(tmp_path / "latest") == "archive/v2"  # relative: the tree can move
    assert (v1 / "a.csv").read_bytes() == b"1"


def test_a_failing_writer_leaves_no_version_and_latest_alone(tmp_path):
    v1 = write_version(tmp_path, "v1", {"a.csv": writer(b"1")}, {})
    switch_latest(tmp_path, v1)

    def broken(path):
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(ArchiveError, match="cannot write version v2"):
        write_version(tmp_path, "v2", {"a.csv": writer(b"2"), "b.csv": broken}, {})
    assert sorted(p.name for p in (tmp_path / "archive").iterdir()) == ["v1"]
    assert (tmp_path / "latest" / "a.csv").read_bytes() == b"1"


def test_latest_that_is_a_real_folder_is_not_replaced(tmp_path):
    (tmp_path / "latest").mkdir()
    v1 = write_version(tmp_path, "v1", {"a.csv": writer(b"1")}, {})
    with pytest.raises(ArchiveError, match="is not a symlink"):
        switch_latest(tmp_path, v1)
