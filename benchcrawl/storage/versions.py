"""Versioned output: ``DATA_DIR/archive/<version>/`` and an atomically switched ``latest``.

A version is written in full under a hidden temporary name, then renamed into place, so a
reader never sees half a version; ``latest`` is a symlink replaced with ``os.replace``, so
it always points at a complete version, and a failed sweep never touches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchcrawl.exceptions import ArchiveError


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
) -> Path:
    """Write one version. *writers* maps a relative file name to a function writing it;
    the manifest gains the sha256 and size of every file. Returns the version's folder."""
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
