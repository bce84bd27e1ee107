"""The README's install on a stock Debian 12, as its user runs it: the committed tree copied
to a new folder and ``bash ops/install.sh`` run with nothing of this machine's environment
(``env -i`` and Debian's PATH, so Debian's own, externally managed ``/usr/bin/python3`` is
the only ``python3``).

What the user notices is checked: the exit code, a ``.venv`` over Debian's Python in the
folder, its ``scrapy`` listing the project's spiders, the system Python left without
benchcrawl, every installed version the one in ``requirements/lock.txt``, a second run that
reuses the venv, an active virtual environment used instead of a new ``.venv``, and the
README's first command (``bash ops/run-local.sh``) run by the same user to its ``latest/``.

pip fetches from the package index as a user's would, helped by pip's cache in ``$HOME``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
Installed = tuple[Path, subprocess.CompletedProcess[str]]  # the copied tree, its install
DEBIAN_PYTHON = Path("/usr/bin/python3")
DEBIAN_PATH = "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(not DEBIAN_PYTHON.exists(), reason="no Debian /usr/bin/python3 here"),
    pytest.mark.skipif(os.geteuid() != 0, reason="ops/install.sh is written for root"),
    pytest.mark.skipif(
        shutil.which("git") is None or not (ROOT / ".git").exists(),
        reason="needs a git checkout to copy the committed tree from",
    ),
]


def stock_env(**extra: str) -> dict[str, str]:
    """What ``env -i PATH=... HOME=...`` leaves: Debian's PATH, a HOME (pip's cache)."""
    return {"PATH": DEBIAN_PATH, "HOME": os.environ.get("HOME", "/root"), **extra}


def committed_tree(dest: Path) -> Path:
    """The committed tree (``git archive HEAD``), unpacked into ``dest``."""
    dest.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "HEAD"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def install(tree: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "ops/install.sh"], cwd=tree, env=env, capture_output=True, text=True
    )


def locked_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if line.startswith("#") or "==" not in line:
            continue
        name, version = line.split("==", 1)
        pins[canonical(name)] = version.strip()
    return pins


def canonical(name: str) -> str:
    """PEP 503's normal form of a project name (``PyYAML`` and ``pyyaml``, ``a_b`` and ``a-b``)."""
    out = name.strip().lower()
    for sep in ("_", "."):
        out = out.replace(sep, "-")
    return out


def installed_versions(python: Path) -> dict[str, str]:
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        env=stock_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {canonical(d["name"]): d["version"] for d in json.loads(listed)}


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Installed]:
    tree = committed_tree(tmp_path_factory.mktemp("debian") / "checkout")
    yield tree, install(tree, stock_env())
    shutil.rmtree(tree / ".venv", ignore_errors=True)  # about 1 GB


def test_install_makes_a_venv_over_debians_python(
    installed: Installed,
) -> None:
    tree, result = installed
    assert result.returncode == 0, result.stdout + result.stderr
    venv_python = tree / ".venv" / "bin" / "python"
    assert venv_python.exists()
    cfg = dict(
        line.split(" = ", 1)
        for line in (tree / ".venv" / "pyvenv.cfg").read_text().splitlines()
        if " = " in line
    )
    assert cfg["home"] == "/usr/bin"
    assert cfg["include-system-site-packages"] == "false"
    assert f"benchcrawl is installed in {tree / '.venv'}" in result.stdout


def test_the_venvs_scrapy_lists_the_spiders(
    installed: Installed,
) -> None:
    tree, result = installed
    assert result.returncode == 0, result.stderr
    listed = subprocess.run(
        [str(tree / ".venv" / "bin" / "scrapy"), "list"],
        cwd=tree,
        env=stock_env(),
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    assert {"inferencemax", "broad"} <= set(listed.stdout.split())


def test_the_system_python_is_left_alone(installed: Installed, tmp_path: Path) -> None:
    _, result = installed
    assert result.returncode == 0, result.stderr
    probe = subprocess.run(  # from an empty folder: the checkout is not on sys.path
        [str(DEBIAN_PYTHON), "-c", "import benchcrawl"],
        cwd=tmp_path,
        env=stock_env(),
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 1
    assert "No module named 'benchcrawl'" in probe.stderr


def test_every_installed_version_is_the_locked_one(
    installed: Installed,
) -> None:
    tree, result = installed
    assert result.returncode == 0, result.stderr
    pins = locked_versions()
    assert pins["pytest"] == "9.0.3"  # 9.2.0 breaks schemathesis 4.32's pytest plugin
    have = installed_versions(tree / ".venv" / "bin" / "python")
    have.pop("pip")  # the venv's own, from Debian's ensurepip
    assert have.pop("benchcrawl") == "0.1.0"
    unpinned = sorted(set(have) - set(pins))
    assert unpinned == [], f"installed but not in the lock: {unpinned}"
    differ = {name: (have[name], pins[name]) for name in have if have[name] != pins[name]}
    assert differ == {}, f"installed vs locked: {differ}"


def test_a_second_run_reuses_the_venv(
    installed: Installed,
) -> None:
    tree, first = installed
    assert first.returncode == 0, first.stderr
    assert "making a virtual environment" in first.stdout
    python = tree / ".venv" / "bin" / "python"
    before = python.lstat().st_ino
    again = install(tree, stock_env())
    assert again.returncode == 0, again.stdout + again.stderr
    assert "making a virtual environment" not in again.stdout
    assert python.lstat().st_ino == before


def test_an_active_venv_is_used_instead_of_a_new_one(installed: Installed, tmp_path: Path) -> None:
    first_tree, first = installed
    assert first.returncode == 0, first.stderr
    active = first_tree / ".venv"
    tree = committed_tree(tmp_path / "checkout")
    env = stock_env(VIRTUAL_ENV=str(active), PATH=f"{active}/bin:{DEBIAN_PATH}")
    result = install(tree, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tree / ".venv").exists()
    assert f"benchcrawl is installed in {active}" in result.stdout
    elsewhere = tmp_path / "elsewhere"  # a folder with nothing importable in it
    elsewhere.mkdir()
    where = subprocess.run(  # the active venv's benchcrawl is now this tree's (editable)
        [str(active / "bin" / "python"), "-c", "import benchcrawl; print(benchcrawl.__file__)"],
        cwd=elsewhere,
        env=stock_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(tree)


def test_the_readmes_first_command_runs_the_job(installed: Installed, tmp_path: Path) -> None:
    # `bash ops/run-local.sh` as written, by the same stock user: it installs (the venv is
    # there now), serves the replica, sweeps it and draws the charts with the venv's scrapy
    tree, first = installed
    assert first.returncode == 0, first.stderr
    data = tmp_path / "data"
    run = subprocess.run(
        ["bash", "ops/run-local.sh", str(data)],
        cwd=tree,
        env=stock_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert "making a virtual environment" not in run.stdout
    latest = data / "latest"
    assert f"latest: {latest} -> " in run.stdout
    rows = (latest / "merged.csv").read_text().splitlines()
    assert len(rows) > 1 and f"table: {latest}/merged.csv ({len(rows) - 1} rows)" in run.stdout
    assert (latest / "charts" / "index.html").is_file()
