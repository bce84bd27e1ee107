"""A multi-host site farm for the broad crawl: one nginx, one ``server`` per loopback address
(127.0.0.x: each address is its own domain, no DNS needed), all on one free port.

Each host's files come from a dict ``{path: bytes}`` (``__PORT__`` in them becomes the
farm's port); ``special`` adds raw nginx directives
per host (redirects, error statuses). The access log has one line per fetch with the
request's *start* time (``$msec`` is the end; ``$request_time`` is subtracted when read),
so spacing between fetches is measured by the server. Used by tests/broad and the broad
benchmarks.
"""

from __future__ import annotations

import random
import socket
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench._farm import NginxSite, start_nginx

_CONF = """\
daemon off;
master_process on;
worker_processes {workers};
user root;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format fetches
        '$msec $request_time $server_addr $request_uri $status $body_bytes_sent $http_user_agent';
    access_log {root}/access.log fetches;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
{types}
    sendfile on;
    keepalive_requests 100000;
{servers}
}}
"""

_SERVER = """\
    server {{
        listen {host}:{port};
        root {root};
{special}
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
"""


_TYPES = """\
    types { text/html html; text/plain txt; application/pdf pdf; }
    default_type text/html;"""


@dataclass(frozen=True)
class Fetch:
    start: float  # s since the epoch, when the request arrived
    host: str
    uri: str
    status: int
    size: int
    agent: str  # the User-Agent header


def free_port_on(hosts: list[str]) -> int:
    for _ in range(50):
        with socket.socket() as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
        try:
            for host in hosts[1:]:
                with socket.socket() as s:
                    s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on every farm address")


class BroadFarm(NginxSite):
    types = _TYPES  # the http block's content types (subclasses serve real sites)

    def __init__(
        self,
        root: Path,
        sites: dict[str, dict[str, bytes]],
        special: dict[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        self.root = root
        self.sites = sites
        self.special = special or {}
        self.workers = workers
        self.port = 0
        self.proc: subprocess.Popen | None = None

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def hosts(self) -> list[str]:
        return sorted(self.sites)

    def start(self) -> BroadFarm:
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        hosts = self.hosts()
        self.port = free_port_on(hosts)
        conf = self.root / "nginx.conf"
        conf.write_text(
            _CONF.format(
                root=self.root, servers=self.servers(), workers=self.workers, types=self.types
            )
        )
        self.proc = start_nginx(conf, self.root, hosts, self.port)
        return self

    def servers(self) -> str:
        """Write each host's files; the ``server`` blocks serving them."""
        port = str(self.port).encode()
        for host, files in self.sites.items():
            for path, data in files.items():
                target = self.root / "sites" / host / path.lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data.replace(b"__PORT__", port))
        return "".join(
            _SERVER.format(
                host=h,
                port=self.port,
                root=self.root / "sites" / h,
                special=self.special.get(h, ""),
            )
            for h in self.hosts()
        )

    def fetches(self) -> list[Fetch]:
        out = []
        for line in self.log_lines():
            msec, rtime, host, uri, status, size, agent = line.split(" ", 6)
            start = float(msec) - float(rtime)
            out.append(Fetch(start, host, uri, int(status), int(size), agent))
        return out

    def by_host(self) -> dict[str, list[Fetch]]:
        hosts: dict[str, list[Fetch]] = defaultdict(list)
        for f in self.fetches():
            hosts[f.host].append(f)
        for fetches in hosts.values():
            fetches.sort(key=lambda f: f.start)
        return dict(hosts)


def closest_gap(fetches: list[Fetch]) -> float:
    """The smallest time between two consecutive fetches (inf with fewer than two)."""
    starts = sorted(f.start for f in fetches)
    return min((b - a for a, b in zip(starts, starts[1:], strict=False)), default=float("inf"))


def generated_site(
    host_index: int,
    pages: int,
    links: int,
    size: int | tuple[int, int],
    other_hosts: list[str],
    seed: int = 11,
) -> dict[str, bytes]:
    """``pages`` HTML pages of about ``size`` bytes (or a size drawn from the range) with
    ``links`` links each: page i links
    to i+1 (all reachable from ``/p/0.html``), the rest at random in the site, and one in
    ten to another host's page (which the crawl may or may not have seen)."""
    rnd = random.Random(seed * 7919 + host_index)
    filler = b"<p>benchcrawl broad farm filler text, for a page of realistic size.</p>\n"
    files = {}
    for i in range(pages):
        targets = [f"/p/{(i + 1) % pages}.html"]
        for _ in range(links - 1):
            if other_hosts and rnd.random() < 0.1:
                targets.append(
                    f"http://{rnd.choice(other_hosts)}:__PORT__/p/{rnd.randrange(pages)}.html"
                )
            else:
                targets.append(f"/p/{rnd.randrange(pages)}.html")
        anchors = "".join(f'<li><a href="{t}">link {n}</a></li>\n' for n, t in enumerate(targets))
        head = f"<!doctype html><html><head><title>page {i}</title></head><body>\n<ul>\n"
        body = (head + anchors + "</ul>\n").encode()
        want = size if isinstance(size, int) else rnd.randint(*size)
        fill = max(0, want - len(body) - 20)
        body += filler * (fill // len(filler)) + b"</body></html>\n"
        files[f"/p/{i}.html"] = body
    return files
