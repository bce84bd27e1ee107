"""Helpers of bench/resource_aware.py: a CPU hog, pinned workers, one timed crawl."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench._farm import Farm, RedisServer

PROJECT = Path(__file__).resolve().parent.parent


class Hog:
    """``python -c "while True: pass"`` pinned to one CPU, for the whole benchmark."""

    def __init__(self, cpu: int) -> None:
        self.proc = subprocess.Popen(
            ["taskset", "-c", str(cpu), sys.executable, "-c", "while True: pass"]
        )

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


class Job:
    """A co-located job with a fixed amount of work: a CPU-bound Python loop of *loops*
    iterations pinned to one CPU. ``start()`` then ``wait()`` gives its wall time: from its
    start to the moment it exited, which ``poll()`` (called every 20 ms by the crawl loop)
    notes, not to the moment ``wait()`` is called. ``share`` is the CPU share it got while
    it ran (its CPU time over its wall time, both its own): 1.0 alone whatever speed this
    machine's CPUs run at just then, which drifts by 20-40% on these shared hosts."""

    def __init__(self, cpu: int, loops: int) -> None:
        self.cpu, self.loops = cpu, loops
        self.proc: subprocess.Popen | None = None
        self.started = self.ended = self.share = 0.0

    @classmethod
    def calibrated(cls, cpu: int, seconds: float) -> Job:
        """A job that takes about *seconds* alone on *cpu*."""
        probe = cls(cpu, 5_000_000)
        took = probe.run()
        return cls(cpu, int(probe.loops * seconds / took))

    def start(self) -> None:
        code = (
            "import time\nw, c = time.perf_counter(), time.process_time()\n"
            f"n = {self.loops}\nwhile n:\n    n -= 1\n"
            "print(time.process_time() - c, time.perf_counter() - w)\n"
        )
        self.started, self.ended, self.share = time.monotonic(), 0.0, 0.0
        self.proc = subprocess.Popen(
            ["taskset", "-c", str(self.cpu), sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
        )

    def poll(self) -> None:
        """Note the time the job exited, the first time it is seen exited."""
        assert self.proc is not None
        if not self.ended and self.proc.poll() is not None:
            self.ended = time.monotonic()

    def wait(self, timeout: float = 600) -> float:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while not self.ended and time.monotonic() < deadline:
            self.poll()
            time.sleep(0.005)
        if not self.ended:
            self.proc.kill()
            raise TimeoutError(f"the co-located job did not end within {timeout} s")
        assert self.proc.stdout is not None
        cpu, wall = (float(v) for v in self.proc.stdout.read().split())
        self.proc.stdout.close()
        self.share = cpu / wall
        return self.ended - self.started

    def run(self) -> float:
        self.start()
        return self.wait()


@dataclass
class Run:
    span: float  # s from the first fetch to the last page fetched
    wall: float  # s from starting the workers to the last one exiting
    pages: dict[str, int] = field(default_factory=dict)  # responses per worker
    throttled: dict[str, float] = field(default_factory=dict)  # s throttled per worker
    first_parsed: dict[str, float] = field(default_factory=dict)  # unix time per worker
    last_parsed: dict[str, float] = field(default_factory=dict)  # unix time per worker
    job: float = 0.0  # s the co-located job took, when one ran
    job_share: float = 0.0  # the CPU share it got while it ran
    ok: bool = True


def _stat(log: str, name: str) -> float:
    m = re.search(rf"'{re.escape(name)}': ([0-9.]+)", log)
    return float(m.group(1)) if m else 0.0


def crawl(
    farm: Farm,
    workdir: Path,
    workers: dict[str, int],
    settings: dict[str, str],
    passes: int,
    timeout: float = 300,
    job: Job | None = None,
) -> Run:
    """Crawl *farm* with one worker per ``{node: cpu}``, all started at once, and *job*
    (if any) started with them."""
    with RedisServer(workdir / "redis") as server:
        farm.reset_log()
        procs: dict[str, tuple[subprocess.Popen, Path]] = {}
        path = [os.environ.get("PYTHONPATH", ""), str(PROJECT)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))}
        started = time.monotonic()
        for node, cpu in workers.items():
            cmd = ["taskset", "-c", str(cpu), sys.executable, "-m", "scrapy", "crawl"]
            cmd += ["loadfarm", "-a", f"start_url={farm.url(0)}", "-a", f"parse_passes={passes}"]
            base = {
                "SPIDER_MODULES": "tests.middlewares.spiders",
                "REDIS_URL": server.url,
                "RESOURCES_NODE_ID": node,
                "SCHEDULER_IDLE_BEFORE_CLOSE": "1",
                "FRONTIER_IDLE_POLL_INTERVAL": "0.5",
                "LOG_LEVEL": "INFO",
                **settings,
            }
            for k, v in base.items():
                cmd += ["-s", f"{k}={v}"]
            log = workdir / f"{node}.log"
            with log.open("wb") as out:
                procs[node] = (
                    subprocess.Popen(cmd, cwd=PROJECT, stdout=out, stderr=out, env=env),
                    log,
                )
        if job is not None:
            job.start()
        first = done = None
        while any(p.poll() is None for p, _ in procs.values()):
            now = time.monotonic()
            total = farm.fetched_total()
            if first is None and total:
                first = now
            if done is None and total >= farm.pages:
                done = now
            if now - started > timeout:
                for p, _ in procs.values():
                    p.kill()
            if job is not None:
                job.poll()
            time.sleep(0.02)  # this loop reads the whole access log: it is on a busy CPU too
        wall = time.monotonic() - started
    run = Run(span=(done or time.monotonic()) - (first or started), wall=wall)
    if job is not None:
        run.job = job.wait()
        run.job_share = job.share
    for node, (p, log) in procs.items():
        text = log.read_text(errors="replace")
        run.ok &= p.returncode == 0 and "Traceback" not in text
        run.pages[node] = int(_stat(text, "response_received_count"))
        run.throttled[node] = _stat(text, "resources/throttled_seconds")
        for name, times in (("first", run.first_parsed), ("last", run.last_parsed)):
            m = re.search(rf"{name} page parsed at ([0-9.]+)", text)
            times[node] = float(m.group(1)) if m else 0.0
    run.ok &= len(farm.fetches()) == farm.pages
    if not run.ok:  # keep the evidence: the work directory is reused by the next run
        for node, (_, log) in procs.items():
            print(f"  [{node} failed] " + log.read_text(errors="replace")[-1500:], flush=True)
    return run
