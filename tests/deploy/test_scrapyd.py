"""scrapyd runs the project from its egg: deployed with scrapyd-client's ``scrapyd-deploy
local``, jobs submitted to ``schedule.json``, watched with ``listjobs.json``, basic auth on.

What a user sees is checked: the 401, the version the sweep wrote (rows equal to what the
replica served), the pages the broad crawl fetched, and how scrapyd saw each job end."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench._farm import free_port, page_links
from benchcrawl.inferencemax.table import MERGED_COLUMNS
from benchcrawl.replica import Replica
from tests.broad.conftest import run_seed
from tests.deploy.conftest import DROPPED_ENV, PASSWORD, ROOT, USERNAME, Scrapyd, deploy
from tests.inferencemax._support import assert_csv_rows_equal_served, served_pairs

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_without_credentials_scrapyd_answers_401_and_the_deploy_fails(
    scrapyd: Scrapyd, tmp_path: Path
) -> None:
    for endpoint in ("daemonstatus.json", "listprojects.json", "listjobs.json"):
        assert scrapyd.status(endpoint) == 401, endpoint
    result = deploy(scrapyd, tmp_path)  # no SCRAPYD_USERNAME / SCRAPYD_PASSWORD
    assert result.returncode == 1
    assert "Deploy failed (401)" in result.stderr
    assert scrapyd.call("listprojects.json")["projects"] == []


def test_scheduled_sweep_writes_the_version_the_replica_serves(
    deployed: Scrapyd, replica: Replica, redis_url: str, tmp_path: Path
) -> None:
    assert deployed.call("listprojects.json")["projects"] == ["benchcrawl"]
    spiders = deployed.call("listspiders.json?project=benchcrawl")["spiders"]
    assert {"inferencemax", "broad"} <= set(spiders)
    data_dir = tmp_path / "data"
    job = deployed.call(
        "schedule.json",
        [
            ("project", "benchcrawl"),
            ("spider", "inferencemax"),
            ("base_url", replica.url),
            ("setting", f"DATA_DIR={data_dir}"),
            ("setting", f"REDIS_URL={redis_url}"),
        ],
    )["jobid"]
    deployed.wait_finished(job, timeout=300)

    assert "Process finished:" in deployed.process_line(job)  # exit code 0 (fast exit)
    log = deployed.job_log("inferencemax", job)
    assert "combination 9/9 done" in log, log[-3000:]
    assert "'finish_reason': 'finished'" in log
    with (data_dir / "latest" / "merged.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == MERGED_COLUMNS
        rows = list(reader)
    assert_csv_rows_equal_served(rows, served_pairs(replica.files))


def test_a_job_that_cannot_start_is_one_sentence_and_exit_code_1(deployed: Scrapyd) -> None:
    """The project's own ``crawl`` command (COMMANDS_MODULE, from the egg) runs the job."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    job = deployed.call(
        "schedule.json",
        [("project", "benchcrawl"), ("spider", "inferencemax"), ("setting", f"REDIS_URL={dead}")],
    )["jobid"]
    deployed.wait_finished(job, timeout=60)
    assert "Process died: exitstatus=1" in deployed.process_line(job)
    assert f"benchcrawl: cannot reach Redis at {dead}" in deployed.log


def test_scheduled_broad_crawl_fetches_every_page_once(
    deployed: Scrapyd, make_farm, redis_url: str, tmp_path: Path
) -> None:
    pages = 30
    farm = make_farm(pages, links=3)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(farm.url(0) + "\n")
    seeded = run_seed(redis_url, seeds)  # `scrapy seed broad FILE` from the command line
    assert seeded.returncode == 0, seeded.stderr
    job = deployed.call(
        "schedule.json",
        [
            ("project", "benchcrawl"),
            ("spider", "broad"),
            ("setting", f"REDIS_URL={redis_url}"),
            ("setting", "BROAD_MIN_DELAY=0.05"),
            ("setting", "BROAD_WARC_DIR="),
            ("setting", "RESOURCES_ENABLED=False"),
            ("setting", "SCHEDULER_IDLE_BEFORE_CLOSE=2"),
        ],
    )["jobid"]
    deployed.wait_finished(job, timeout=240)

    assert "Process finished:" in deployed.process_line(job)
    reachable = {0}
    frontier = [0]
    while frontier:
        for j in page_links(frontier.pop(), pages, 3):
            if j not in reachable:
                reachable.add(j)
                frontier.append(j)
    fetches = farm.fetches()
    assert fetches == {f"/p/{i}.html": 1 for i in reachable}, fetches
    assert "'finish_reason': 'finished'" in deployed.job_log("broad", job)


def test_cancel_json_stops_a_running_broad_crawl(
    deployed: Scrapyd, make_farm, redis_url: str, tmp_path: Path
) -> None:
    farm = make_farm(200, links=3)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(farm.url(0) + "\n")
    assert run_seed(redis_url, seeds).returncode == 0
    job = deployed.call(
        "schedule.json",
        [
            ("project", "benchcrawl"),
            ("spider", "broad"),
            ("setting", f"REDIS_URL={redis_url}"),
            ("setting", "BROAD_MIN_DELAY=0.5"),  # 200 pages: 100 s, if not cancelled
            ("setting", "BROAD_WARC_DIR="),
            ("setting", "RESOURCES_ENABLED=False"),
        ],
    )["jobid"]
    deadline = time.monotonic() + 60
    while farm.fetched_total() < 5:
        assert time.monotonic() < deadline, deployed.log[-3000:]
        time.sleep(0.2)
    answer = deployed.call("cancel.json", [("project", "benchcrawl"), ("job", job)])
    assert answer["status"] == "ok" and answer["prevstate"] == "running", answer
    started = time.monotonic()
    deployed.wait_finished(job, timeout=60)
    took = time.monotonic() - started
    log = deployed.job_log("broad", job)
    assert "'finish_reason': 'shutdown'" in log, log[-3000:]  # scrapyd's SIGTERM: graceful
    # not finished, so the crawl command's exit status is 1, and scrapyd says so
    assert "Process died: exitstatus=1" in deployed.process_line(job)
    assert farm.fetched_total() < 150  # stopped, not crawled to the end
    print(f"cancelled job ended {took:.1f} s after cancel.json")


def _schedule_once(server: Scrapyd, *options: str) -> subprocess.CompletedProcess[str]:
    """``scrapy schedule inferencemax --once --scrapyd URL ...`` as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=PASSWORD)
    cmd = [sys.executable, "-m", "scrapy", "schedule", "inferencemax", "--once"]
    return subprocess.run(
        [*cmd, "--scrapyd", server.url, *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        stdin=subprocess.DEVNULL,
    )


def test_schedule_submits_its_run_to_scrapyd(
    deployed: Scrapyd, replica: Replica, redis_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    result = _schedule_once(
        deployed,
        "-a", f"base_url={replica.url}",
        "-s", f"DATA_DIR={data_dir}",
        "-s", f"REDIS_URL={redis_url}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    jobs = deployed.call("listjobs.json?project=benchcrawl")["finished"]
    assert [j["spider"] for j in jobs] == ["inferencemax"]  # the run went through scrapyd
    assert "combination 9/9 done" in deployed.job_log("inferencemax", jobs[0]["id"])
    version = (data_dir / "latest").resolve().name
    assert f"succeeded, {len(served_pairs(replica.files))} rows, version {version}" in (
        result.stderr
    )
    with (data_dir / "latest" / "merged.csv").open(newline="") as f:
        assert_csv_rows_equal_served(list(csv.DictReader(f)), served_pairs(replica.files))


def test_schedule_reports_a_failed_scrapyd_run(deployed: Scrapyd, tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    result = _schedule_once(
        deployed, "-a", f"base_url=http://127.0.0.1:{free_port()}/", "-s", f"DATA_DIR={tmp_path}",
        "-s", f"REDIS_URL={dead}",
    )  # fmt: skip
    # the scheduler itself needs Redis for its lock: one sentence, nothing submitted
    assert result.returncode == 1
    assert f"cannot reach Redis at {dead}" in result.stderr
    assert deployed.call("listjobs.json?project=benchcrawl")["finished"] == []
    closed = f"http://127.0.0.1:{free_port()}/"
    failed = _schedule_once(deployed, "-a", f"base_url={closed}", "-s", f"DATA_DIR={tmp_path}")
    assert failed.returncode == 1, failed.stderr[-3000:]
    assert "scrapyd job" in failed.stderr and "sweep_failed" in failed.stderr
    assert not (tmp_path / "latest").exists()
