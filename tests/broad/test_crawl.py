"""End to end: `scrapy seed broad FILE`, then two `scrapy crawl broad` workers over a farm of
loopback hosts; what each host served is read from the server's own access log."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy.settings import Settings

from bench.broad_farm import closest_gap
from benchcrawl.broad import defaults as broad_defaults
from benchcrawl.frontier import defaults as frontier_defaults
from benchcrawl.polite.domains import visited_index
from benchcrawl.storage.warc import WarcLocation, read_record
from tests.broad.conftest import run_seed

pytestmark = pytest.mark.slow  # an nginx farm and scrapy worker processes

A, B, C, OFFSITE, EXCLUDED = "127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14", "127.0.0.15"


def _page(links: list[str], extra: str = "") -> bytes:
    anchors = "".join(f'<a href="{href}">{href}</a>\n' for href in links)
    return f"<!doctype html><html><body>{anchors}{extra}</body></html>".encode()


def _sites() -> dict[str, dict[str, bytes]]:
    other = f"http://{OFFSITE}:__PORT__/"
    excluded = f"http://{EXCLUDED}:__PORT__/"
    a = {
        "/index.html": _page(
            [
                "/p/1.html",
                "/private/secret.html",
                "/doc.pdf",
                other,
                excluded,
                f"http://{B}:__PORT__/",
            ]
        ),
        "/p/1.html": _page(["/p/2.html", "/index.html#top", "/p/1.html"]),
        "/p/2.html": _page(["/p/3.html", '/p/nofollowed.html" rel="nofollow']),
        "/p/3.html": _page(["/p/1.html"]),
        "/p/nofollowed.html": _page([]),
        "/private/secret.html": _page([]),
        "/doc.pdf": b"%PDF-1.4 not html <a href='/p/from-pdf.html'>x</a>",
        "/p/from-pdf.html": _page([]),
        "/robots.txt": b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1.5\n",
    }
    big_head = _page(["/early.html", "/loop1"])[: -len(b"</body></html>")]
    filler = b"<p>" + b"x" * 1000 + b"</p>\n"
    big = big_head + filler * 1024 + b'<a href="/late.html">after 1 MB</a></body></html>'
    b = {
        "/index.html": _page(["/big.html", "/blocked.html"]),
        "/blocked.html": _page([]),
        "/robots-real.txt": b"User-agent: *\nDisallow: /blocked.html\n",
        "/big.html": big,
        "/early.html": _page([]),
        "/late.html": _page([]),
    }
    c = {
        "/index.html": (
            b"<html><head><base href='/sub/'><title>broken</title><body><div><table><tr><td>"
            b"<a href='a.html'>rel to base<a href=\"/b.html\">abs<p><<<>>> \xff\xfe\x00 <a href="
            b"'c.html'>c</a><!-- unclosed comment <a href='/no.html'>"
        ),
        "/sub/a.html": _page([]),
        "/b.html": _page([]),
        "/sub/c.html": _page([]),
    }
    return {
        A: a,
        B: b,
        C: c,
        OFFSITE: {"/index.html": _page([])},
        EXCLUDED: {"/index.html": _page([])},
    }


SPECIAL = {  # B: a redirect loop, and robots.txt behind a redirect (RFC 9309: followed)
    B: "        location = /robots.txt { return 301 /robots-real.txt; }\n"
    "        location = /loop1 { return 302 /loop2; }\n"
    "        location = /loop2 { return 302 /loop1; }\n"
}


def _settings() -> Settings:
    settings = Settings()
    settings.setmodule(frontier_defaults)
    settings.setmodule(broad_defaults)
    return settings


def _stats(log: str) -> dict[str, Any]:
    """The stats a worker dumped at close (Scrapy's pprint of a dict)."""
    found = re.search(r"Dumping Scrapy stats:\n(\{.*?\})\n", log, re.S)
    assert found, log[-3000:]
    text = re.sub(r"datetime\.datetime\([^)]*\)", "None", found.group(1))
    return eval(text, {"__builtins__": {}}, {"None": None, "True": True, "False": False})


@pytest.mark.parametrize("partitions", [1, 3])
def test_two_workers_crawl_politely_within_scope(
    make_farm,
    start_worker,
    redis_url: str,
    tmp_path: Path,
    partitions: int,
    request: pytest.FixtureRequest,
) -> None:
    """With 3 partitions, A, B and C are in partitions 2, 0 and 1 (crc32 of the host):
    the crawl spans all three; robots.txt, politeness and dedup hold as with one."""
    farm = make_farm(_sites(), special=SPECIAL)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(
        "# the farm\n"
        f"{farm.url(A, '/index.html')}\n"
        f"{B}:{farm.port}\n"
        "this is not a seed\n"
        f"http://{C}:{farm.port}/index.html  # broken HTML\n"
        f"{EXCLUDED}:{farm.port}\n"
    )
    exclude = tmp_path / "exclude.txt"
    exclude.write_text(f"{EXCLUDED}\n")
    seeded = run_seed(redis_url, seeds, "--exclude", str(exclude), FRONTIER_PARTITIONS=partitions)
    assert seeded.returncode == 0, seeded.stderr
    assert f"{seeds}:4: more than one word" in seeded.stderr
    assert "4 URLs (4 new) of 4 domains" in seeded.stdout

    warc = tmp_path / "warc"
    settings = {"BROAD_MIN_DELAY": "1", "BROAD_WARC_DIR": str(warc)}  # N from Redis
    workers = [start_worker(**settings), start_worker(**settings)]
    for w in workers:
        assert w.wait(120) == 0, w.log[-3000:]

    hosts = farm.by_host()
    uris = {h: [f.uri for f in fetches] for h, fetches in hosts.items()}
    # scope: never the off-seed host, never the excluded one
    assert set(hosts) == {A, B, C}
    # robots.txt: fetched once per domain, Disallow obeyed, 404 = allow all
    for h in (A, B, C):
        assert uris[h].count("/robots.txt") == 1, uris[h]
    assert "/private/secret.html" not in uris[A]
    assert "/robots-real.txt" in uris[B] and "/blocked.html" not in uris[B]
    assert "/p/nofollowed.html" not in uris[A]  # rel=nofollow
    assert "/p/from-pdf.html" not in uris[A]  # a PDF is stored, not parsed
    assert sorted(u for u in uris[A] if u != "/robots.txt") == [
        "/doc.pdf",
        "/index.html",
        "/p/1.html",
        "/p/2.html",
        "/p/3.html",
    ]
    # 1 MB page truncated at 250 KB: the early link is followed, the late one is not
    assert "/early.html" in uris[B] and "/late.html" not in uris[B]
    assert 1 <= uris[B].count("/loop1") <= 3 and uris[B].count("/loop2") <= 3  # loop ended
    # broken HTML: links parsed, <base> honoured
    assert {"/sub/a.html", "/b.html", "/sub/c.html"} <= set(uris[C])
    # politeness, from the server's own clock: >= 1 s apart, >= 1.5 s on A (Crawl-delay)
    assert closest_gap(hosts[A]) >= 1.5, hosts[A]
    assert closest_gap(hosts[B]) >= 1.0, hosts[B]
    assert closest_gap(hosts[C]) >= 1.0, hosts[C]

    # nothing crashed (the spacing across two busy workers: test_politeness.py)
    stats = [_stats(w.log) for w in workers]
    for w, s in zip(workers, stats, strict=True):
        assert "Traceback" not in w.log
        assert s.get("spider_exceptions/count") is None
    keys = [k for k in stats[0] | stats[1] if k.startswith("broad/")]
    total = {k: sum(s.get(k, 0) for s in stats) for k in keys}
    assert total["broad/robots/denied"] == 2
    assert total["broad/pages/truncated"] == 1
    assert total["broad/pages/not_html"] == 1
    assert total["broad/status/200"] == 14  # A: 6 with robots.txt, B: 4 with it, C: 4
    assert total["broad/status/301"] == 1  # B's robots.txt
    assert total["broad/status/404"] == 1  # C's robots.txt
    assert total["broad/robots/fetched"] == 3
    assert total["broad/bytes"] > 1_000_000
    assert total["broad/pages"] == 12
    assert all(s["broad/pages_per_second"] > 0 for s in stats if s.get("broad/pages"))

    # visited index and WARC: every page fetched is indexed and readable back
    r = redis.Redis.from_url(redis_url)
    request.addfinalizer(r.close)  # an open socket would fail a later growth test
    visited = visited_index(r, _settings(), "broad")
    assert len(visited) == 12  # every page once (not the robots.txt files)
    pdf = visited[farm.url(A, "/doc.pdf")]
    assert pdf["type"] == "application/pdf" and pdf["status"] == 200
    big = visited[farm.url(B, "/big.html")]
    assert big["truncated"] and big["size"] > 1_000_000
    record = read_record(warc, WarcLocation(big["warc"], big["offset"], big["length"]))
    assert b"WARC-Truncated: length" in record
    assert f"WARC-Target-URI: {farm.url(B, '/big.html')}".encode() in record
    assert len(record) < 256 * 1024 + 2000
    home = visited[farm.url(A, "/index.html")]
    record = read_record(warc, WarcLocation(home["warc"], home["offset"], home["length"]))
    assert record.startswith(b"WARC/1.0\r\nWARC-Type: response") and b"/private/" in record

    # with partitions, each host's state is in its own partition, the seed and exclusion
    # sets in every one
    names = ["broad", "broad#1", "broad#2"][:partitions]
    where = {h: names[zlib.crc32(h.encode()) % partitions] for h in (A, B, C)}
    first = {A: "/index.html", B: "/", C: "/index.html"}  # each host's seed
    for host, name in where.items():
        assert r.hexists(f"{name}:domains:last", host)
        assert r.hexists(f"{name}:robots", host)
        assert r.hexists(f"{name}:visited", farm.url(host, first[host]))
    for name in names:
        assert r.sismember(f"{name}:excluded", EXCLUDED)
        assert r.scard(f"{name}:seeds") == 4
    assert len(set(where.values())) == partitions
