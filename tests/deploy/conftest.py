"""A real scrapyd on a free loopback port, with its own config and basic auth, and the
project deployed to it as an egg with scrapyd-client, as a user deploys it."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench._farm import free_port
from benchcrawl.replica import Replica
from tests.support.replica import generated_replica

ROOT = Path(__file__).resolve().parents[2]
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
USERNAME, PASSWORD = "deployer", "s3cret-for-the-test"
# The jobs get scrapyd's environment: none of these may leak in from the test's
DROPPED_ENV = ("REDIS_URL", "DATA_DIR", "BENCHCRAWL_CONFIG", "PYTHONPATH", "SCRAPY_SETTINGS_MODULE")

# scrapyd's runner, with one change: benchcrawl cannot come from the editable install of
# this checkout (setuptools' finder is dropped), so a job runs only what the egg holds.
_EGG_ONLY_RUNNER = """
import sys

sys.meta_path[:] = [
    f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")
]
from scrapyd.runner import main

main()
"""

_CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
username = {username}
password = {password}
eggs_dir = {root}/eggs
logs_dir = {root}/logs
items_dir = {root}/items
dbs_dir = {root}/dbs
max_proc = 2
poll_interval = 0.5
runner = egg_only_runner
"""


@dataclass
class Scrapyd:
    root: Path
    url: str
    proc: subprocess.Popen[bytes]

    @property
    def log(self) -> str:
        return (self.root / "scrapyd.log").read_text(errors="replace")

    def call(
        self, endpoint: str, data: list[tuple[str, str]] | None = None, auth: bool = True
    ) -> dict[str, Any]:
        """GET (or POST *data* to) ``endpoint``; its JSON answer."""
        url = self.url + endpoint
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if auth:
            token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with _OPENER.open(request, timeout=30) as response:
            return json.loads(response.read())

    def status(self, endpoint: str) -> int:
        """The HTTP status of a GET without credentials (0: no answer)."""
        try:
            with _OPENER.open(self.url + endpoint, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return 0

    def wait_finished(self, job: str, timeout: float) -> dict[str, Any]:
        """Poll ``listjobs.json`` until *job* is finished (at most *timeout* s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.call("listjobs.json?project=benchcrawl")
            for finished in jobs["finished"]:
                if finished["id"] == job:
                    return finished
            time.sleep(0.5)
        raise AssertionError(f"job {job} not finished in {timeout} s: {jobs}\n{self.log[-3000:]}")

    def job_log(self, spider: str, job: str) -> str:
        return (self.root / "logs" / "benchcrawl" / spider / f"{job}.log").read_text()

    def process_line(self, job: str) -> str:
        """scrapyd's own line on how the job's process ended."""
        found = re.search(rf"Process (finished|died)[^\n]*job='{job}'", self.log)
        assert found, self.log[-3000:]
        return found.group(0)


@pytest.fixture
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """scrapyd 1.5+ on 127.0.0.1:<free port>, basic auth on, everything in a temp folder."""
    root = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (root / "scrapyd.conf").write_text(
        _CONF.format(port=port, username=USERNAME, password=PASSWORD, root=root)
    )
    (root / "runner").mkdir()
    (root / "runner" / "egg_only_runner.py").write_text(_EGG_ONLY_RUNNER)
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env["PYTHONPATH"] = str(root / "runner")
    env["LOG_LEVEL"] = "INFO"
    with (root / "scrapyd.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapyd"],
            cwd=root,  # scrapyd reads ./scrapyd.conf; its jobs run here, away from the checkout
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its jobs too are in this process group
        )
    server = Scrapyd(root, f"http://127.0.0.1:{port}/", proc)
    try:
        deadline = time.monotonic() + 30
        while server.status("daemonstatus.json") == 0 or proc.poll() is not None:
            assert proc.poll() is None and time.monotonic() < deadline, server.log[-3000:]
            time.sleep(0.2)
        yield server
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass


def deploy(server: Scrapyd, workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``scrapyd-deploy local`` from a copy of the project (scrapyd-deploy writes build files
    next to scrapy.cfg), its ``[deploy:local]`` url pointed at *server*."""
    project = workdir / "project"
    if not project.exists():
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / "benchcrawl", project / "benchcrawl", ignore=ignore)
        for name in ("pyproject.toml", "setup.py", "scrapy.cfg"):
            shutil.copy(ROOT / name, project / name)
        cfg = (project / "scrapy.cfg").read_text()
        assert "url = http://127.0.0.1:6800/\n" in cfg
        (project / "scrapy.cfg").write_text(cfg.replace("http://127.0.0.1:6800/", server.url))
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPYD_")}
    child_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "local", "--version", "1"],
        cwd=project,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def deployed(scrapyd: Scrapyd, tmp_path: Path) -> Scrapyd:
    """scrapyd with the project's egg on it (``scrapyd-deploy local`` with the credentials)."""
    result = deploy(scrapyd, tmp_path, SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=PASSWORD)
    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "ok" and answer["project"] == "benchcrawl", answer
    return scrapyd


@pytest.fixture
def replica() -> Iterator[Replica]:
    with generated_replica() as server:
        yield server
