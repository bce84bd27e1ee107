"""``scrapy schedule`` as users run it: real schedulers (subprocesses) on a private Redis
or a file lock, real sweeps of the replica, a real webhook receiver on loopback."""

from __future__ import annotations

import json
import re
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
import redis

from benchcrawl.scheduling.cron import Schedule, iso
from benchcrawl.storage.versions import list_versions, read_manifest
from tests.scheduling.conftest import write_config
from tests.support.worker import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

RUN_LINE = re.compile(
    r"^(\d+\.\d+) \[benchcrawl\.scheduling\.cron_loop\] \w+: run inferencemax "
    r"(tick|catch-up|once)(?: (\S+))?: (\w+), (\d+) rows, version (\S+), ([0-9.]+) s",
    re.M,
)
STARTED = re.compile(r"started run inferencemax (?:tick|catch-up|once)(?: (\S+))? \(pid (\d+)\)")


def runs(log: str) -> list[tuple[str, str, str, int, str]]:
    """(trigger, tick, outcome, rows, version) of every run line in *log*."""
    return [(m[2], m[3] or "", m[4], int(m[5]), m[6]) for m in RUN_LINE.finditer(log)]


def stop(*procs) -> None:
    for proc in procs:
        if proc.alive():
            proc.proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(60)


def interval(version: Path) -> tuple[datetime, datetime]:
    """When a version's sweep started (its name) and when it was written (manifest)."""
    start = datetime.strptime(version.name, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    written = datetime.fromisoformat(read_manifest(version)["written_at"])
    return start, written


def test_two_schedulers_on_one_redis_run_each_tick_once(replica, redis_url, schedule, tmp_path):
    data = tmp_path / "data"
    config = write_config(tmp_path / "config.yaml")
    t0 = datetime.now(UTC)
    if t0.second > 45:  # both schedulers are up before the first tick
        time.sleep(61 - t0.second)
        t0 = datetime.now(UTC)
    kwargs = dict(base_url=replica.url, data_dir=data, config=config, redis_url=redis_url)
    # charts after each run (tested with --once) would hold the lock into the next tick
    kwargs["settings"] = {"SCHEDULE_CHARTS": "False"}
    a = schedule("a", "--cron", "* * * * *", **kwargs)
    b = schedule("b", "--cron", "* * * * *", **kwargs)
    try:
        time.sleep(130)  # a little over two minutes: two or three ticks
        t1 = datetime.now(UTC)

        def settled() -> bool:  # every run started has logged its line
            text = a.log + b.log
            return len(STARTED.findall(text)) == len(RUN_LINE.findall(text))

        assert wait_until(settled, 120, 0.5)
        t_stop = datetime.now(UTC)
    finally:
        stop(a, b)
    lines = [run for run in runs(a.log) + runs(b.log) if run[2] != "stopped"]
    first = t0.replace(second=0, microsecond=0)
    expected = [iso(first + timedelta(minutes=i + 1)) for i in range(5)]
    expected = [t for t in expected if t <= iso(t_stop)]
    got = sorted(tick for _, tick, *_ in lines)
    late = t_stop - datetime.fromisoformat(expected[-1].replace("Z", "+00:00"))
    if got == expected[:-1] and late < timedelta(seconds=5):  # a tick just as we stopped
        expected = expected[:-1]
    assert len(expected) >= 2 and t1 - t0 > timedelta(seconds=120)
    assert got == expected, a.log[-3000:] + b.log[-3000:]
    for log in (a.log, b.log):  # each run is one line, by the scheduler that ran it
        assert len(RUN_LINE.findall(log)) == len(STARTED.findall(log))
    assert {trigger for trigger, *_ in lines} == {"tick"}
    assert all(outcome == "succeeded" and rows > 0 for _, _, outcome, rows, _ in lines), lines
    versions = list_versions(data)
    assert sorted(v for *_, v in lines) == [v.name for v in versions]
    spans = [interval(v) for v in versions]
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, f"sweeps overlap: {spans}"
    for tick, (start, _) in zip(expected, spans, strict=True):
        assert start >= datetime.fromisoformat(tick.replace("Z", "+00:00"))


def _hash_state(url: str, **fields: str) -> None:
    client = redis.Redis.from_url(url)
    client.hset("inferencemax:schedule:last", mapping=fields)
    client.close()


def test_a_scheduler_killed_holding_the_lock_is_taken_over(replica, redis_url, schedule, tmp_path):
    data = tmp_path / "data"
    config = write_config(tmp_path / "config.yaml")
    cron = "* * * * *"
    latest = Schedule(cron).latest_at(datetime.now(UTC))
    if (datetime.now(UTC) - latest).total_seconds() > 45:  # no new tick in the middle
        time.sleep(62 - (datetime.now(UTC) - latest).total_seconds())
        latest = Schedule(cron).latest_at(datetime.now(UTC))
    _hash_state(redis_url, tick=iso(latest - timedelta(minutes=5)))  # a tick was missed
    kwargs = dict(base_url=replica.url, data_dir=data, config=config, redis_url=redis_url)
    replica.latency = 0.3
    a = schedule("a", "--cron", cron, **kwargs)
    assert wait_until(lambda: STARTED.search(a.log) is not None, 60, 0.05), a.log
    started = STARTED.search(a.log)
    assert started is not None
    b = schedule("b", "--cron", cron, **kwargs)
    try:
        assert wait_until(lambda: "holds the lock; waiting" in b.log, 60, 0.1), b.log
        a.kill9()
        assert wait_until(lambda: STARTED.search(b.log) is not None, 30, 0.1), b.log
        assert wait_until(lambda: RUN_LINE.search(b.log) is not None, 180, 0.5), b.log[-3000:]
    finally:
        stop(b)
    assert (
        not psutil.pid_exists(int(started[2]))
        or psutil.Process(int(started[2])).status() == psutil.STATUS_ZOMBIE
    ), "the killed scheduler's crawl is still running"
    assert f"the run of tick {iso(latest)} by" in b.log
    [(trigger, tick, outcome, rows, version)] = runs(b.log)
    assert (trigger, tick, outcome) == ("catch-up", iso(latest), "succeeded") and rows > 0
    assert [v.name for v in list_versions(data)] == [version]


def test_catch_up_after_a_restart_runs_the_missed_tick_once(replica, schedule, tmp_path, webhook):
    """Without Redis (the file lock and state file in DATA_DIR); the webhook is told too."""
    data = tmp_path / "data"
    now = datetime.now(UTC)
    if now.second > 50:
        time.sleep(61 - now.second)
        now = datetime.now(UTC)
    minute = (now.minute - 1) % 60  # the hourly tick was 60-110 s ago; the next is an hour away
    cron = f"{minute} * * * *"
    latest = Schedule(cron).latest_at(now)
    config = write_config(
        tmp_path / "config.yaml",
        schedule=cron,
        catch_up="10m",
        notify={"webhook_url": webhook.url, "on_change": True},
    )
    data.mkdir()
    state = data / "schedule-inferencemax.json"
    state.write_text(json.dumps({"tick": iso(latest - timedelta(hours=1))}))
    kwargs = dict(base_url=replica.url, data_dir=data, config=config)
    first = schedule("first", **kwargs)
    try:
        assert wait_until(lambda: RUN_LINE.search(first.log) is not None, 180, 0.5), first.log
        assert wait_until(lambda: len(webhook.got()) == 1, 60, 0.1)
    finally:
        stop(first)
    [(trigger, tick, outcome, rows, version)] = runs(first.log)
    assert (trigger, tick, outcome) == ("catch-up", iso(latest), "succeeded") and rows > 0
    assert json.loads(state.read_text())["tick"] == iso(latest)
    [hook] = webhook.got()
    assert (hook["outcome"], hook["changed"], hook["version"]) == ("succeeded", True, version)
    second = schedule("second", **kwargs)  # restarted: the tick has run, nothing to catch up
    try:
        assert wait_until(lambda: "scheduling inferencemax" in second.log, 30, 0.1)
        time.sleep(3)
    finally:
        stop(second)
    assert runs(second.log) == [] and "started run" not in second.log
    assert [v.name for v in list_versions(data)] == [version]


def test_once_exits_with_the_jobs_code_and_a_failed_run_reaches_the_webhook(
    replica, schedule, tmp_path, webhook
):
    data = tmp_path / "data"
    config = write_config(
        tmp_path / "config.yaml", notify={"webhook_url": webhook.url, "on_change": False}
    )
    good = schedule("good", "--once", base_url=replica.url, data_dir=data, config=config)
    assert good.wait(180) == 0, good.log[-3000:]
    [(trigger, _, outcome, rows, version)] = runs(good.log)
    assert (trigger, outcome) == ("once", "succeeded") and rows > 0
    assert webhook.got() == []  # a success, and on_change is off
    charts = data / "archive" / version / "charts"  # the daily job draws the new version's
    assert (charts / "index.html").exists(), good.log[-3000:]
    pngs = list(charts.glob("*.png"))
    assert pngs and all(p.stat().st_size > 5000 for p in pngs)
    assert f"charts of version {version} drawn" in good.log
    closed = "http://127.0.0.1:1/"  # nothing listens there
    bad = schedule("bad", "--once", base_url=closed, data_dir=data, config=config)
    assert bad.wait(180) == 1, bad.log[-3000:]
    [(_, _, outcome, rows, version)] = runs(bad.log)
    assert (outcome, rows, version) == ("failed", 0, "-")
    [hook] = webhook.got()  # --once waits for its webhook before exiting
    assert hook["outcome"] == "failed" and hook["exit_code"] == 1
    assert hook["detail"].startswith("benchcrawl: inferencemax ended with sweep_failed")


def test_a_run_over_the_timeout_is_killed_with_its_process_group(replica, schedule, tmp_path):
    data = tmp_path / "data"
    config = write_config(tmp_path / "config.yaml")
    replica.latency = 30  # the data files never come in time
    proc = schedule(
        "slow",
        "--once",
        base_url=replica.url,
        data_dir=data,
        config=config,
        settings={"SCHEDULE_RUN_TIMEOUT": 8},
    )
    assert proc.wait(120) == 1, proc.log[-3000:]
    [(_, _, outcome, _, _)] = runs(proc.log)
    assert outcome == "timeout"
    assert "timeout, 0 rows, version -" in proc.log and "killed at the run timeout" in proc.log
    started = STARTED.search(proc.log)
    assert started is not None
    pid = int(started[2])

    def left() -> list[psutil.Process]:  # dead but not yet reaped (zombies) do not count
        return [p for p in psutil.process_iter(["pid"]) if _pgid(p.pid) == pid and _alive(p)]

    assert wait_until(lambda: left() == [], 60, 0.1), f"the run's group is left: {left()}"


def _pgid(pid: int) -> int:
    import os

    try:
        return os.getpgid(pid)
    except OSError:
        return -1


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
