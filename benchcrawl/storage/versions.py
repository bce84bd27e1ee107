"""Versioned output: ``DATA_DIR/archive/<version>/`` and an atomically switched ``latest``.

A version is written in full under a hidden temporary name, then renamed into place, so a
reader never sees half a version; ``latest`` is a symlink replaced with ``os.replace``, so
it always points at a complete version, and a failed sweep never touches it.

A version whose data files (the manifest's ``files``: the three CSVs and the raw JSON) are
byte for byte those of the version before it says so in its manifest: ``unchanged_from``.
Derived products (diff, charts, report, Parquet; ``benchcrawl/products/``) are written into
the version's folder after it has landed and are never part of ``files``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchcrawl.exceptions import ArchiveError, BenchcrawlError

#: A version folder's name: the sweep's UTC start time, e.g. ``20251025T010000.123456Z``.
VERSION_FORMAT = "%Y%m%dT%H%M%S.%fZ"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_version(
    data_dir: Path,
    version: str,
    writers: dict[str, Callable[[Path], None]],
    manifest: dict[str, Any],
    previous: Path | None = None,
) -> Path:
    """Write one version. *writers* maps a relative file name to a function writing it;
    the manifest gains the sha256 and size of every file, and ``unchanged_from`` when every
    file is byte for byte that of the *previous* version. Returns the version's folder."""
    archive = data_dir / "archive"
    final = archive / version
    tmp = archive / f".tmp-{version}"
    try:
        archive.mkdir(parents=True, exist_ok=True)
        if final.exists():
            raise ArchiveError(f"version {final} already exists")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        files = {}
        for name, write in writers.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path)
            files[name] = {"sha256": sha256(path), "bytes": path.stat().st_size}
        manifest = {**manifest, "version": version, "files": files}
        if previous is not None and _same_files(files, previous):
            manifest["unchanged_from"] = previous.name
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        os.rename(tmp, final)
    except ArchiveError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as e:  # a full disk, or a writer that fails in its own way
        shutil.rmtree(tmp, ignore_errors=True)
        raise ArchiveError(f"cannot write version {version} under {archive}: {e}") from e
    except BaseException:  # interrupted: no half-written version stays behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def discard_version(version_dir: Path) -> None:
    """Remove a whole version that must not stay (``latest`` could not be switched to it):
    renamed to a hidden name first, so nobody sees it half-deleted."""
    hidden = version_dir.with_name(f".discard-{version_dir.name}")
    try:
        os.rename(version_dir, hidden)
    except FileNotFoundError:
        return
    shutil.rmtree(hidden, ignore_errors=True)


def switch_latest(data_dir: Path, version_dir: Path) -> Path:
    """Point ``data_dir/latest`` at *version_dir* in one atomic step."""
    latest = data_dir / "latest"
    if latest.exists() and not latest.is_symlink():
        raise ArchiveError(f"{latest} exists and is not a symlink; move it away")
    tmp = data_dir / ".latest.tmp"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(os.path.relpath(version_dir, data_dir))
        os.replace(tmp, latest)
    except OSError as e:
        if tmp.is_symlink():
            tmp.unlink(missing_ok=True)
        raise ArchiveError(f"cannot switch {latest} to {version_dir}: {e}") from e
    return latest


def _same_files(files: dict[str, dict[str, Any]], previous: Path) -> bool:
    try:
        return read_manifest(previous).get("files") == files
    except BenchcrawlError:  # an unreadable previous manifest: not provably the same
        return False


def read_manifest(version_dir: Path) -> dict[str, Any]:
    """A version's manifest.json; a missing or broken one is one sentence."""
    path = version_dir / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise BenchcrawlError(f"cannot read {path}: {e}") from e
    if not isinstance(manifest, dict):
        raise BenchcrawlError(f"{path} is not a JSON object")
    return manifest


def list_versions(data_dir: Path) -> list[Path]:
    """Every complete version under ``data_dir/archive``, oldest first (hidden half-written
    or discarded folders left out)."""
    archive = data_dir / "archive"
    if not archive.is_dir():
        return []
    return sorted(
        p
        for p in archive.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").is_file()
    )


def latest_version(data_dir: Path) -> Path | None:
    """The version ``latest`` points at, or None when there is none yet."""
    latest = data_dir / "latest"
    if not latest.is_symlink():
        return None
    target = latest.resolve()
    return target if (target / "manifest.json").is_file() else None


def previous_version(data_dir: Path, version_dir: Path) -> Path | None:
    """The newest version older than *version_dir*, or None for the first one."""
    older = [p for p in list_versions(data_dir) if p.name < version_dir.name]
    return older[-1] if older else None


def find_version(data_dir: Path, name: str) -> Path:
    """A version by name: ``latest``, the full folder name, or a unique prefix of it
    (``20251025``). Anything else is one sentence naming what there is."""
    versions = list_versions(data_dir)
    if name == "latest":
        latest = latest_version(data_dir)
        if latest is None:
            raise BenchcrawlError(f"no version yet under {data_dir / 'archive'}; run a sweep first")
        return latest
    exact = [p for p in versions if p.name == name]
    hits = exact or [p for p in versions if p.name.startswith(name)]
    if len(hits) == 1:
        return hits[0]
    if not versions:
        raise BenchcrawlError(f"no version yet under {data_dir / 'archive'}; run a sweep first")
    if not hits:
        raise BenchcrawlError(
            f"no version {name!r} under {data_dir / 'archive'} (newest: {versions[-1].name}); "
            "`scrapy versions` lists them"
        )
    raise BenchcrawlError(
        f"{name!r} names {len(hits)} versions ({hits[0].name} ... {hits[-1].name}); "
        "give more of the name"
    )
