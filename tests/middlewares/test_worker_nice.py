"""Only a crawling worker lowers its priority: while a worker crawls at nice 19 on the shared
frontier, ``scrapy monitor`` (which holds the pause button) and ``scrapy schedule`` (which
renews its lock) keep niceness 0, though every one of them runs the add-ons' settings pass
with ``REDIS_URL`` and resource-aware scheduling on."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bench._farm import Farm
from tests.support.redis_server import free_port
from tests.support.worker import ScrapyProcess, scrapy_command, scrapy_env, wait_until

pytestmark = [
    pytest.mark.slow,  # an nginx farm and three scrapy processes
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/stat"),
]


def niceness(pid: int) -> int:
    """The niceness of *pid*'s main thread, field 19 of ``/proc/PID/stat`` (after the
    parenthesised command name, which may hold spaces)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


@pytest.fixture
def at_nice_zero() -> None:
    """Children start at this process's niceness; a crawl run in this test process may have
    raised it (a niceness is never lowered without privilege)."""
    if os.getpriority(os.PRIO_PROCESS, 0) != 0:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, 0)
        except PermissionError:
            pytest.skip("this test process runs niced and may not start children at 0")


@pytest.mark.timeout(180)
def test_monitor_and_scheduler_keep_nice_0_while_a_worker_crawls_at_19(
    at_nice_zero: None,
    make_farm: Callable[..., Farm],
    start_worker: Callable[..., ScrapyProcess],
    scrapy_process: Callable[..., ScrapyProcess],
    redis_url: str,
    tmp_path: Path,
) -> None:
    farm = make_farm(300)
    env = scrapy_env() | {
        "REDIS_URL": redis_url,
        "DATA_DIR": str(tmp_path / "data"),
        "BENCHCRAWL_MONITOR_TOKEN": "t" * 32,
    }
    port = free_port()
    monitor = scrapy_process("monitor", scrapy_command("monitor", "--port", str(port)), env)
    config = tmp_path / "job.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "source": {"base_url": "http://127.0.0.1:9/", "timeout": 20},
                "data_dir": str(tmp_path / "data"),
                "schedule": "0 1 * * *",  # hours away: the scheduler waits, renewing nothing
            }
        )
    )
    scheduler = scrapy_process(
        "schedule",
        scrapy_command("schedule", "inferencemax", settings={"LOG_LEVEL": "INFO"}),
        env | {"BENCHCRAWL_CONFIG": str(config)},
    )
    worker = start_worker(
        farm,
        "w0",
        DOWNLOAD_DELAY="0.05",  # about 20 pages/s: the crawl outlasts the checks below
        RANDOMIZE_DOWNLOAD_DELAY="False",
        RESOURCES_CPU_LIMIT="101",  # this test is about the niceness, not the machine's load
        RESOURCES_CPU_RESUME="101",
    )
    assert wait_until(lambda: farm.fetched_total() >= 20, 90), worker.log[-3000:]
    assert wait_until(lambda: "scheduling inferencemax" in scheduler.log, 60), scheduler.log
    assert wait_until(lambda: "Uvicorn running" in monitor.log, 60), monitor.log[-3000:]
    assert worker.alive() and monitor.alive() and scheduler.alive()
    assert niceness(worker.proc.pid) == 19
    assert "this worker runs at nice 19 (RESOURCES_NICE)" in worker.log
    assert niceness(monitor.proc.pid) == 0
    assert niceness(scheduler.proc.pid) == 0
    assert worker.wait(120) == 0, worker.log[-3000:]
