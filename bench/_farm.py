"""A local site farm: generated static pages served by nginx on a free loopback port.

nginx serves files for almost no CPU, so a crawl measures the crawler. Its access log (one
``URI STATUS`` line per fetch, written unbuffered) is how tests count fetches. Used by the
frontier tests and benchmarks; so is the private Redis server below.
"""

from __future__ import annotations

import random
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Self

import redis

_CONF = """\
daemon off;
master_process on;
worker_processes 1;
user root;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format fetches '$request_uri $status';
    access_log {root}/access.log fetches;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    types {{ text/html html; }}
    default_type text/html;
    sendfile on;
    keepalive_requests 100000;
    server {{
        listen {host}:{port};
        root {root}/site;
        location / {{ try_files $uri =404; }}
    }}
}}
"""


def page_links(i: int, pages: int, links: int, seed: int = 7) -> list[int]:
    """Page *i* links to page i+1 (so every page is reachable from page 0) and to
    ``links - 1`` other pages picked at random (repeatably)."""
    rnd = random.Random(seed * 1_000_003 + i)
    out = [(i + 1) % pages]
    out += [rnd.randrange(pages) for _ in range(links - 1)]
    return out


def generate(root: Path, pages: int, links: int = 10, size: int = 2_000) -> Path:
    """Write ``pages`` HTML files of about ``size`` bytes under ``root/site/p/``."""
    site = root / "site" / "p"
    site.mkdir(parents=True, exist_ok=True)
    filler_unit = "<p>benchcrawl farm filler text for a realistic page body.</p>\n"
    for i in range(pages):
        anchors = "".join(
            f'<li><a href="/p/{j}.html">page {j}</a></li>\n' for j in page_links(i, pages, links)
        )
        head = f"<!doctype html><html><head><title>page {i}</title></head><body>\n<ul>\n"
        body = head + anchors + "</ul>\n"
        fill = max(0, size - len(body) - 20)
        body += filler_unit * (fill // len(filler_unit)) + "</body></html>\n"
        (site / f"{i}.html").write_text(body)
    return root


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start_nginx(conf: Path, root: Path, hosts: list[str], port: int) -> subprocess.Popen:
    """Run nginx with *conf* in the foreground (a child process); return once it answers on
    *port* of every host, or raise with the end of its error log."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(root), "-e", str(root / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            for host in hosts:
                with socket.create_connection((host, port), timeout=0.5):
                    pass
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"nginx exited: {(root / 'error.log').read_text()[-500:]}"
                ) from None
            time.sleep(0.05)
    stop_process(proc)
    raise RuntimeError("nginx did not start")


def stop_process(proc: subprocess.Popen | None) -> None:
    """Terminate a child server, killing it if it does not exit within 10 s."""
    if proc is None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


class NginxSite:
    """What every farm shares: an nginx process under *root*, stopped on exit, and its
    access log."""

    root: Path
    proc: subprocess.Popen | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_lines(self) -> list[str]:
        log = self.root / "access.log"
        return log.read_text().splitlines() if log.exists() else []

    def reset_log(self) -> None:
        log = self.root / "access.log"
        if log.exists():
            log.write_text("")


class Farm(NginxSite):
    """``with Farm(tmp, pages=600) as farm:`` → ``farm.url(0)``, ``farm.fetches()``."""

    def __init__(
        self,
        root: Path,
        pages: int,
        links: int = 10,
        size: int = 2_000,
        host: str = "127.0.0.1",
    ) -> None:
        self.root = root
        self.pages = pages
        self.links = links
        self.size = size
        self.host = host
        self.port = 0
        self.proc: subprocess.Popen | None = None

    def url(self, i: int) -> str:
        return f"http://{self.host}:{self.port}/p/{i}.html"

    def start(self) -> Farm:
        if not (self.root / "site").exists():
            generate(self.root, self.pages, self.links, self.size)
        (self.root / "tmp").mkdir(exist_ok=True)
        self.port = free_port(self.host)
        conf = self.root / "nginx.conf"
        conf.write_text(_CONF.format(root=self.root, host=self.host, port=self.port))
        self.proc = start_nginx(conf, self.root, [self.host], self.port)
        return self

    def fetches(self) -> Counter[str]:
        """Fetch count per URI of every 200 answer so far."""
        counts: Counter[str] = Counter()
        for line in self.log_lines():
            uri, _, status = line.partition(" ")
            if status == "200":
                counts[uri] += 1
        return counts

    def fetched_total(self) -> int:
        log = self.root / "access.log"
        return log.read_text().count("\n") if log.exists() else 0


class RedisServer:
    """A private ``redis-server`` on a free port, in *workdir*, for a test or a
    measurement. ``stop()``/``kill()`` and ``start()`` keep the port, so clients see a
    real outage and a real comeback; ``appendonly=True`` keeps data; *replica_of* (a port
    on 127.0.0.1) makes it a replica of that server, ``pause()``/``resume()`` stall it."""

    def __init__(
        self,
        workdir: Path,
        appendonly: bool = False,
        port: int | None = None,
        replica_of: int | None = None,
    ) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install -y redis-server)")
        self.binary = binary
        self.workdir = workdir
        self.appendonly = appendonly
        self.port = port or free_port()
        self.replica_of = replica_of
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10)

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.workdir),
            "--save",
            "",
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--appendfsync",
            "always",
        ]
        if self.replica_of is not None:
            args += ["--replicaof", "127.0.0.1", str(self.replica_of)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1) as probe:
                    if probe.ping():
                        return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def pause(self) -> None:
        """SIGSTOP: alive but silent (a stalled replica)."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL: no goodbye, like a crash."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()
