"""Files the package reads at run time come from the package itself (importlib.resources):
they load from a zipped copy of it, as scrapyd runs an egg; the packaged default config is
the same job as ``ops/pipeline_config.yaml``."""

from __future__ import annotations

import dataclasses
import fnmatch
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from benchcrawl import lua
from benchcrawl.config import load_config
from benchcrawl.data import CONFIG_NAME, default_config_setting

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "benchcrawl"

# Imports benchcrawl from the zip given as argv[1] only, then reads everything it ships, through
# the modules that use it: the job config, and every Lua script as its component registers it.
_FROM_ZIP = """
import sys
import tomllib
sys.path.insert(0, sys.argv[1])
import benchcrawl
assert benchcrawl.__file__.startswith(sys.argv[1]), benchcrawl.__file__
from benchcrawl import settings
from benchcrawl.config import load_config
from benchcrawl.frontier.scripts import register
from benchcrawl.polite.keys import register_polite
from benchcrawl.sweep.redis import RedisSweepStore

class Server:  # what a script registration reads: its source
    def register_script(self, source):
        return len(source)

assert settings.BENCHCRAWL_CONFIG == "", settings.BENCHCRAWL_CONFIG
print(load_config(settings.BENCHCRAWL_CONFIG).schedule)
for name in sys.argv[2:]:
    if name.startswith("polite_"):
        print(name, register_polite(Server(), name.removeprefix("polite_")))
    else:
        print(name, register(Server(), name))
store = RedisSweepStore(Server(), "sweep", 60, 60)
print("join", store._join, "record", store._record)
"""


LIB = ("benchcrawl.frontier", "_lib.lua")


def _expected(name: str) -> int:
    if name.startswith("polite_"):
        polite = name.removeprefix("polite_")
        return len(lua.source("benchcrawl.polite", LIB, "_polite.lua", f"{polite}.lua"))
    return len(lua.source("benchcrawl.frontier", LIB, f"{name}.lua"))


def test_the_config_and_every_lua_script_load_from_a_zipped_package(tmp_path: Path) -> None:
    egg = tmp_path / "benchcrawl.egg"
    with zipfile.ZipFile(egg, "w") as z:
        for path in sorted(PACKAGE.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(ROOT).as_posix())
    names = sorted(
        p.stem for p in (PACKAGE / "frontier" / "lua").glob("*.lua") if not p.stem.startswith("_")
    ) + sorted(
        f"polite_{p.stem}"
        for p in (PACKAGE / "polite" / "lua").glob("*.lua")
        if not p.stem.startswith("_")
    )
    assert len(names) >= 14
    result = subprocess.run(
        [sys.executable, "-c", _FROM_ZIP, str(egg), *names],
        cwd=tmp_path,  # not the checkout: benchcrawl only from the zip
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "0 1 * * *"
    assert sorted(lines[1:-1]) == sorted(f"{name} {_expected(name)}" for name in names)
    join = len(lua.source("benchcrawl.sweep", "join.lua"))
    record = len(lua.source("benchcrawl.sweep", "record.lua"))
    assert lines[-1] == f"join {join} record {record}"


def test_lua_source_joins_files_in_order() -> None:
    joined = lua.source("benchcrawl.frontier", "_lib.lua", "lease.lua")
    lib = (PACKAGE / "frontier" / "lua" / "_lib.lua").read_text()
    lease = (PACKAGE / "frontier" / "lua" / "lease.lua").read_text()
    assert joined == lib + "\n" + lease


def test_the_packaged_config_is_the_ops_config() -> None:
    ops = ROOT / "ops" / "pipeline_config.yaml"
    packaged = load_config("")
    assert packaged.path == CONFIG_NAME
    assert packaged == dataclasses.replace(load_config(ops), path=CONFIG_NAME), (
        f"{CONFIG_NAME} and {ops} differ: keep the packaged default equal to the user's copy"
    )


def test_a_checkout_defaults_to_its_ops_config_and_an_install_to_the_packaged_one(
    tmp_path: Path,
) -> None:
    assert default_config_setting(ROOT) == str(ROOT / "ops" / "pipeline_config.yaml")
    assert default_config_setting(tmp_path) == ""


def test_every_file_the_package_holds_is_package_data() -> None:
    """A wheel or an egg ships a non-Python file only if package-data names it."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["*"]
    missing = [
        str(path.relative_to(ROOT))
        for path in sorted(PACKAGE.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".py"
        and not any(fnmatch.fnmatch(path.name, p) for p in patterns)
    ]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"


def test_lua_source_takes_a_part_from_another_package() -> None:
    joined = lua.source("benchcrawl.polite", ("benchcrawl.frontier", "_lib.lua"), "lease.lua")
    lib = (PACKAGE / "frontier" / "lua" / "_lib.lua").read_text()
    lease = (PACKAGE / "polite" / "lua" / "lease.lua").read_text()
    assert joined == lib + "\n" + lease
