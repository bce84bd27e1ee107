"""Memory of a serving InferenceMAX worker (``-a serve=1``) over many sweeps in a row.

A private redis-server and the replica dashboard; one serving worker stays up while
``scrapy crawl inferencemax`` (non-serving, ``CONCURRENT_REQUESTS=1``) opens each sweep
and works in it beside the server. After each sweep has ended (the server's log says it
is over) the server's memory is read: the proportional set size (PSS, so pages shared
between Chromium's processes count once) of the worker, its Playwright driver and its
Chromium processes, summed. Printed: each sweep's figure, and the growth of the last one
(and of the largest) over the first. Issue 19 asks for at most 10 % over 50 sweeps.

    python bench/serve_soak.py --sweeps 50
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._farm import RedisServer  # noqa: E402
from benchcrawl.replica import Replica  # noqa: E402

OVER = re.compile(r"serving: sweep \S+ is over")
MB = 1024 * 1024


def tree_pss(pid: int) -> tuple[int, int]:
    """PSS in bytes of *pid* and every descendant, and how many processes that is."""
    root = psutil.Process(pid)
    total = count = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_full_info().pss
            count += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total, count


def crawl_cmd(replica_url: str, data: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawl", "inferencemax",
        "-a", f"base_url={replica_url}", "-s", f"DATA_DIR={data}",
        "-s", "LOG_LEVEL=INFO", "-s", "RESOURCES_ENABLED=False", *extra,
    ]  # fmt: skip


def wait_for(predicate, limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweeps", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--hydrate", type=float, default=0.2)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Replica(latency=args.latency, hydrate_delay=args.hydrate) as replica,
    ):
        redis_server = RedisServer(Path(tmp) / "redis").start()
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATA_DIR")}
        env.update(REDIS_URL=redis_server.url, PYTHONPATH=str(ROOT))
        data = Path(tmp) / "data"
        server_log = Path(tmp) / "server.log"
        with server_log.open("wb") as out:
            server = subprocess.Popen(
                crawl_cmd(replica.url, data, "-a", "serve=1"),
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        figures: list[int] = []
        try:
            wait_for(lambda: "serving: joining" in server_log.read_text(), 120, "the server")
            for n in range(1, args.sweeps + 1):
                opener = subprocess.run(
                    crawl_cmd(replica.url, data, "-s", "CONCURRENT_REQUESTS=1"),
                    cwd=ROOT, env=env, capture_output=True, timeout=600,
                )  # fmt: skip
                if opener.returncode != 0:
                    raise SystemExit(f"sweep {n} failed:\n{opener.stderr.decode()[-2000:]}")
                wait_for(
                    lambda n=n: len(OVER.findall(server_log.read_text())) >= n,
                    120,
                    f"the server to see sweep {n} end",
                )
                pss, procs = tree_pss(server.pid)
                figures.append(pss)
                print(
                    f"sweep {n}: server {pss / MB:.1f} MB PSS in {procs} processes "
                    f"({pss / figures[0] - 1:+.1%} over the first)",
                    flush=True,
                )
            took = len(re.findall(r"/9 done:", server_log.read_text()))
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(60)
            redis_server.kill()
    print(
        f"\n{args.sweeps} sweeps; the serving worker finished {took} combinations and exited "
        f"{code} on SIGTERM\nfirst {figures[0] / MB:.1f} MB, last {figures[-1] / MB:.1f} MB "
        f"({figures[-1] / figures[0] - 1:+.1%}), largest {max(figures) / MB:.1f} MB "
        f"({max(figures) / figures[0] - 1:+.1%})"
    )


if __name__ == "__main__":
    main()
