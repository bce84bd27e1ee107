"""Serve mode (``-a serve=1``): a worker that stays up, joins every sweep opened on the
cluster by anyone, and exits 0 only when told to stop. Real Redis, real Chromium, the
replica; every wait is on a cause (a log line, a file, an exit), with generous limits."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.support.crawl import PROJECT_DIR, crawl_command, start_crawl
from tests.support.worker import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SETTINGS = {
    "SCHEDULER_IDLE_BEFORE_CLOSE": "0.5",  # a worker that did not serve would leave at once
    "CONCURRENT_REQUESTS": "2",
    "RESOURCES_ENABLED": "False",  # the workers share one 2-core host
}
SERVED = re.compile(r"serving: sweep (\S+) is over")


def start_server(replica, data: Path, log: Path, redis_url: str) -> subprocess.Popen:
    cmd, env = crawl_command(replica.url, data, redis_url=redis_url, settings=SETTINGS)
    with log.open("wb") as out:
        return subprocess.Popen(
            [*cmd, "-a", "serve=1"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def versions(data: Path) -> list[str]:
    """The sweep id of every version written, from their manifests."""
    return sorted(
        json.loads(m.read_text())["sweep_id"] for m in (data / "archive").glob("*/manifest.json")
    )


def test_serving_worker_joins_two_sweeps_and_stops_on_sigterm(replica, redis_url, tmp_path):
    replica.latency = 0.5  # both workers are up before a sweep ends
    data = tmp_path / "data"
    server_log = tmp_path / "server.log"
    server = start_server(replica, data, server_log, redis_url)
    try:
        assert wait_until(lambda: "serving: joining every sweep" in server_log.read_text(), 120)
        for n in (1, 2):
            log = tmp_path / f"crawl{n}.log"
            crawl = start_crawl(replica.url, data, log, redis_url=redis_url, settings=SETTINGS)
            assert crawl.wait(300) == 0, log.read_text()[-3000:]
            assert len(versions(data)) == n, log.read_text()[-3000:]
            # the serving worker saw this sweep end and is waiting again, still up
            assert wait_until(lambda n=n: len(SERVED.findall(server_log.read_text())) == n, 120), (
                server_log.read_text()[-3000:]
            )
            assert server.poll() is None, server_log.read_text()[-3000:]
        text = server_log.read_text()
        served = SERVED.findall(text)
        assert served == versions(data), "the serving worker was not in both sweeps"
        assert re.search(r"\d+/9 done:", text), "the serving worker took no combination"
        server.send_signal(signal.SIGTERM)
        # exit 0 is the proof of the bound: the watchdog ends an overdue stop with 1
        assert server.wait(120) == 0, server_log.read_text()[-3000:]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(30)


def test_a_sweep_opened_without_a_worker_is_done_by_the_serving_worker(
    replica, redis_url, tmp_path, monkeypatch
):
    """What the scheduler does with serving workers: open the sweep, queue its discovery,
    crawl nothing, follow the sweep to its end and report it."""
    from scrapy.utils.project import get_project_settings

    from benchcrawl.commands import spider_settings
    from benchcrawl.scheduling.open_sweep import SweepLauncher, open_sweep
    from benchcrawl.scheduling.outcome import report
    from benchcrawl.scheduling.runner import Ended

    data = tmp_path / "data"
    server_log = tmp_path / "server.log"
    server = start_server(replica, data, server_log, redis_url)
    try:
        assert wait_until(lambda: "serving: joining every sweep" in server_log.read_text(), 120)
        monkeypatch.chdir(PROJECT_DIR)
        project = get_project_settings()
        project.set("REDIS_URL", redis_url)
        settings = spider_settings(project, ["inferencemax"])[1]  # as a crawl sees them
        run = SweepLauncher(settings, {"base_url": replica.url}).start()
        assert open_sweep(settings, {"base_url": replica.url}) == (run.sweep_id, False)
        code = None
        for _ in range(300):  # up to 300 s
            code = run.wait(1.0)
            if code is not None:
                break
        assert code == 0, server_log.read_text()[-3000:]
        result = report(
            "inferencemax", "", "once", Ended(code, "exited", 0.0), run.detail(), data, None
        )
        assert (result.outcome, result.version) == ("succeeded", run.sweep_id)
        assert result.rows > 0 and f"{result.rows} merged rows" in run.detail()
        assert versions(data) == [run.sweep_id]
        assert wait_until(lambda: SERVED.findall(server_log.read_text()) == [run.sweep_id], 120)
        text = server_log.read_text()
        assert len(re.findall(r"\d+/9 done:", text)) == 9, "the serving worker did not do it all"
        server.send_signal(signal.SIGTERM)
        assert server.wait(120) == 0, server_log.read_text()[-3000:]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(30)
