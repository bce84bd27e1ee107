"""The broad crawl's pure logic: seeds, scope, robots policy, politeness clock, links."""

from __future__ import annotations

import pytest

from benchcrawl.broad.links import extract_links
from benchcrawl.broad.page import is_html, truncate
from benchcrawl.broad.politeness import domain_delay_ms
from benchcrawl.broad.robots import (
    ALLOW_ALL,
    RULES,
    UNREACHABLE,
    RobotsEntry,
    RobotsRules,
    classify,
)
from benchcrawl.broad.scope import DomainScope, host_of, suffixes
from benchcrawl.broad.seeds import parse_seeds

UA = "benchcrawl-broad/0.1 (+mailto:crawl@example.org)"


# --- seeds -------------------------------------------------------------------------------
def test_seeds_domains_urls_comments_and_bad_lines_with_numbers() -> None:
    text = [
        "# a comment\n",
        "example.com\n",
        "\n",
        "HTTPS://News.Example.org/path?q=1#frag  # trailing comment\n",
        "ftp://files.example.net/\n",
        "two words\n",
        "127.0.0.11:8080\n",
        "bad_host!.com\n",
        "http://:80/\n",
        "Bücher.de\n",
    ]
    seeds, bad = parse_seeds(text)
    assert [(s.url, s.domain, s.line) for s in seeds] == [
        ("http://example.com/", "example.com", 2),
        ("https://news.example.org/path?q=1", "news.example.org", 4),
        ("http://127.0.0.11:8080/", "127.0.0.11", 7),
        ("http://xn--bcher-kva.de/", "xn--bcher-kva.de", 10),
    ]
    assert [b.line for b in bad] == [5, 6, 8, 9]
    assert "scheme 'ftp'" in bad[0].reason
    assert bad[1].message("seeds.txt").startswith("seeds.txt:6: more than one word")


# --- scope -------------------------------------------------------------------------------
def test_scope_seeds_subdomains_and_exclusions() -> None:
    strict = DomainScope({"example.com"}, {"bad.example.com"})
    assert strict.allows("example.com")
    assert not strict.allows("www.example.com")  # subdomains off
    assert not strict.allows("other.org")
    loose = DomainScope({"example.com"}, {"bad.example.com"}, subdomains=True)
    assert loose.allows("www.example.com")
    assert not loose.allows("bad.example.com")
    assert not loose.allows("x.bad.example.com")  # an exclusion covers its subdomains
    assert not loose.allows("")
    assert host_of("http://User@WWW.Example.com:81/x") == "www.example.com"
    assert host_of("http://[::1/") == ""
    assert suffixes("a.b.c") == ["a.b.c", "b.c", "c"]


# --- robots ------------------------------------------------------------------------------
ROBOTS = b"""
User-agent: *
Disallow: /private/
Crawl-delay: 2.5

User-agent: otherbot
Disallow: /
"""


def test_robots_rules_and_crawl_delay() -> None:
    entry = classify(200, ROBOTS)
    assert entry.kind == RULES
    rules = RobotsRules(RobotsEntry.loads(entry.dumps()), UA)
    assert rules.allowed("http://h/public/1.html")
    assert not rules.allowed("http://h/private/1.html")
    assert rules.crawl_delay() == 2.5


@pytest.mark.parametrize(
    ("status", "kind", "allowed"),
    [
        (404, ALLOW_ALL, True),
        (403, ALLOW_ALL, True),  # RFC 9309 2.3.1.3: any 4xx is "unavailable"
        (301, ALLOW_ALL, True),  # a redirect we did not follow: unavailable too
        (429, UNREACHABLE, False),
        (500, UNREACHABLE, False),
        (503, UNREACHABLE, False),
        (None, UNREACHABLE, False),  # connection refused, timeout, DNS
    ],
)
def test_robots_status_policy(status: int | None, kind: str, allowed: bool) -> None:
    entry = classify(status, b"User-agent: *\nDisallow: /\n")
    assert entry.kind == kind
    assert RobotsRules(entry, UA).allowed("http://h/x") is allowed
    assert RobotsRules(entry, UA).crawl_delay() is None


def test_robots_garbage_and_huge_files_do_not_raise() -> None:
    rules = RobotsRules(classify(200, b"\xff\xfe<html>not robots</html>" * 10), UA)
    assert rules.allowed("http://h/x")
    big = b"User-agent: *\nDisallow: /a\n" + b"# pad\n" * 200_000
    assert len(classify(200, big).body) == 500 * 1024


# --- politeness delay --------------------------------------------------------------------
def test_domain_delay_is_the_larger_of_minimum_and_capped_crawl_delay() -> None:
    assert domain_delay_ms(1.0, None, 60) == 1000
    assert domain_delay_ms(1.0, 2.5, 60) == 2500
    assert domain_delay_ms(3.0, 2.5, 60) == 3000
    assert domain_delay_ms(0.0, 86400, 60) == 60_000


# --- pages and links ---------------------------------------------------------------------
def test_truncate_and_content_kind() -> None:
    assert truncate(b"x" * 10, 4) == (b"xxxx", True)
    assert truncate(b"x" * 4, 4) == (b"xxxx", False)
    assert truncate(b"x" * 10, 0) == (b"x" * 10, False)
    assert is_html(b"text/html; charset=utf-8")
    assert is_html(b"application/xhtml+xml")
    assert is_html(None)
    assert not is_html(b"application/pdf")


PAGE = b"""<!doctype html><html><head><base href="http://example.com/dir/"></head><body>
<a href="a.html#top">a</a> <a href="a.html">a again</a>
<a href="/B.html?b=2&a=1">b</a>
<a href="http://Other.org:80/x">other</a>
<a href="mailto:x@y">mail</a> <a href="javascript:void(0)">js</a> <a href="#frag">frag</a>
<a href="secret.html" rel="NoFollow external">nofollow</a>
<a>no href</a> <a href="">empty</a>
"""


def test_links_base_canonical_fragments_nofollow() -> None:
    links = extract_links(PAGE, "http://example.com/index.html")
    assert links == [
        "http://example.com/dir/a.html",
        "http://example.com/B.html?a=1&b=2",
        "http://other.org:80/x",  # w3lib keeps an explicit port
    ]
    assert "http://example.com/dir/secret.html" in extract_links(
        PAGE, "http://example.com/", nofollow=False
    )


def test_links_meta_robots_nofollow() -> None:
    html = b'<meta name="ROBOTS" content="noindex, nofollow"><a href="/x">x</a>'
    assert extract_links(html, "http://e.com/") == []
    assert extract_links(html, "http://e.com/", nofollow=False) == ["http://e.com/x"]


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"<a href='/ok'>",
        b"<html><body><a href=\"/ok\"><table><tr><td><a href='/x'>unclosed",
        b"\x00\xff\xfe<a href=/ok>" * 3,
        b"<a href='http://[::1/'>bad ipv6</a><a href=/ok>",
        "<a href='/ü?q=é'>unicode</a>".encode("latin-1"),
        b"<" * 10000 + b"<a href=/ok>",
    ],
)
def test_broken_html_never_raises(html: bytes) -> None:
    links = extract_links(html, "http://e.com/")
    assert isinstance(links, list)


def test_fast_canonical_agrees_with_w3lib() -> None:
    import random
    from urllib.parse import urljoin

    from w3lib.url import canonicalize_url

    from benchcrawl.broad.links import fast_canonical

    origin, page = "http://127.0.0.11:8080", "http://127.0.0.11:8080/dir/page.html"
    alphabet = "abcXYZ019-_.~/%?#=&: "
    rnd = random.Random(5)
    samples = ["/", "/p/1.html", "/a/b/", "/p/.x", "/p/../x", "//h/x", "http://a.test"]
    samples += [
        "http://a.test:80/x",
        "https://b.c/x/y.html",
        "http://A.test/x",
        "http://a.test/x?y",
    ]
    samples += ["x.html", "../x.html", "../../../x", "./x", "a/./b", "a/..", ".", "..", "a//b"]
    samples += ["x.html#f", "/x.html#f", ".x/y", "a/.x", "x/"]
    for _ in range(6000):
        prefix = rnd.choice(
            ["/", "http://a.test/", "http://a.test:81", "https://x.y.z/", "", "../", "./", "a/../"]
        )
        samples.append(prefix + "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(12))))
    fast_hits = relative_hits = 0
    for href in samples:
        fast = fast_canonical(href, origin, "/dir/")
        if fast is not None:
            fast_hits += 1
            relative_hits += not href.startswith(("/", "http"))
            assert fast == canonicalize_url(urljoin(page, href), keep_fragments=False), href
    assert fast_hits > 600
    assert relative_hits > 300
