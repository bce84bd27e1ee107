"""Links no generated page has: the pathological ones of issue 8 and worse. Every result
is checked against w3lib (``canonicalize_url(urljoin(...))``), and every test runs under a
timeout: the old fast-path regex took 34 s on one 24-character segment."""

from __future__ import annotations

from html import escape
from urllib.parse import urljoin

import pytest
from w3lib.url import canonicalize_url

from benchcrawl.broad.links import extract_links, fast_canonical
from benchcrawl.broad.robots import RULES, RobotsEntry, RobotsRules, classify
from benchcrawl.urls import host_too_long
from tests.support.growth import LINEAR, doubling_ratio
from tests.support.idna import idna_labels

ORIGIN = "http://h:8080"
PAGE = ORIGIN + "/library/index.html"
ODD = ["#", "%", "%41", "?", "?a=1", " ", ";", "@", ":", ",", "!", "$", "&", "'", "(", "*",
       "+", "=", "[", "]", "\\", "^", "`", "{", "|", "}", "<", ">", "\"", "\x00", "\t",
       "\x7f", "é", "ü", "\u2028", "\ufeff", "丁", "/.", "/..", "//", "/./x"]  # fmt: skip


def _w3lib(href: str) -> str:
    return canonicalize_url(urljoin(PAGE, href), keep_fragments=False)


def _expected(hrefs: list[str]) -> list[str]:
    out: dict[str, None] = {}
    for href in hrefs:
        href = href.strip()
        if href and href[0] != "#":
            out[_w3lib(href)] = None
    return list(out)


def _page(hrefs: list[str]) -> str:
    return "".join(f'<a href="{escape(h)}">x</a>\n' for h in hrefs)


@pytest.mark.timeout(60)
def test_the_issue_links_are_linear_and_right() -> None:
    for n in (16, 20, 22, 24, 200, 10_000):
        href = "/library/" + "a" * n + "#frag"
        assert fast_canonical(href, ORIGIN) == _w3lib(href)  # the fragment dropped
        assert extract_links(_page([href]), PAGE) == [ORIGIN + "/library/" + "a" * n]
    # the old regex doubled its time with every character; linear doubles it per doubling
    segments = {n: "/library/" + "a" * n + "#frag" for n in (1_000_000, 4_000_000)}
    assert doubling_ratio(lambda n: fast_canonical(segments[n], ORIGIN), 1_000_000) < LINEAR


@pytest.mark.timeout(60)
def test_relative_links_with_many_dot_segments_are_linear_and_right() -> None:
    for href in ("../" * 50 + "x.html", "a/" * 50 + "../" * 49 + "y", "./" * 100 + "z#f"):
        assert fast_canonical(href, ORIGIN, "/library/") == _w3lib(href)
    hrefs = {n: "a/../" * n + "x.html" for n in (200_000, 800_000)}
    assert doubling_ratio(lambda n: fast_canonical(hrefs[n], ORIGIN, "/library/"), 200_000) < LINEAR


@pytest.mark.timeout(30)
def test_every_odd_character_after_every_segment_length_up_to_200() -> None:
    hrefs = []
    for length in range(201):
        for odd in ODD:
            for prefix in ("/library/", ORIGIN + "/library/", "rel/"):
                hrefs.append(prefix + "a" * length + odd + "tail")
    for href in hrefs:
        fast = fast_canonical(href, ORIGIN, "/library/")
        if fast is not None:
            assert fast == _w3lib(href), href
    links = extract_links(_page(hrefs), PAGE)
    quoted = [h.replace("\x00", "\ufffd") for h in hrefs]  # the HTML parser's view
    assert links == _expected(quoted)


@pytest.mark.timeout(20)
def test_long_hrefs_and_deep_paths() -> None:
    hrefs = [
        "/" + "a" * 10_240,
        "/" + "a" * 10_240 + "#",
        "/" + "a/" * 1_000 + "x.html",
        "/" + "a/" * 1_000 + "x.html?q#f",
        "/" + "../" * 1_000 + "x",
        "/" + "./" * 1_000 + "x",
        "/" + "%" * 10_240,
        "/" + "%2" * 5_000,
        "http://" + "a." * 5_000 + "com/" + "b" * 1_000,
        "http://h/" + "é" * 10_000,
        "?" + "a=1&" * 2_500,
    ]
    links = extract_links(_page(hrefs), PAGE)
    assert links == _expected(hrefs)


@pytest.mark.timeout(60)
def test_a_page_with_100000_links() -> None:
    hrefs = [f"/p/{i}.html" for i in range(90_000)]
    hrefs += [f"/q/{i}.html?x={i}#f" for i in range(5_000)]  # the slow path
    hrefs += [f"http://other{i % 7}.test/a/{i}" for i in range(5_000)]
    links = extract_links(_page(hrefs), PAGE)
    assert len(links) == 100_000
    assert links[0] == ORIGIN + "/p/0.html"
    assert links[90_000] == ORIGIN + "/q/0.html?x=0"
    assert links[-1] == "http://other1.test/a/4999"  # 4999 % 7 == 1


@pytest.mark.timeout(10)
def test_an_over_long_non_ascii_host_is_dropped_before_idna(monkeypatch) -> None:
    # CPython's punycode is quadratic: a 16,000-character label took half a minute
    label = "".join(chr(0x4E00 + i) for i in range(16_000))
    hrefs = [f"http://{label}.com/", f"http://a.{label[:64]}/", "http://ü.de/ä", "/ok"]
    encoded = idna_labels(monkeypatch)
    links = extract_links(_page(hrefs), PAGE)
    assert links == ["http://xn--tda.de/%C3%A4", ORIGIN + "/ok"]
    # the quadratic step never ran on the long labels: only short ones were IDNA-encoded
    assert encoded and max(encoded) <= 63
    assert host_too_long(f"http://{label}.com/")
    assert not host_too_long("http://" + "丁" * 63 + ".de/")
    assert not host_too_long("http://" + "a" * 1000 + ".de/")  # ASCII costs nothing


# --- robots.txt: fuzzer findings -----------------------------------------------------
def test_robots_allowed_is_false_for_a_url_urlsplit_refuses() -> None:
    # found by tests/fuzz/fuzz_robots.py: Protego raised ValueError (Invalid IPv6 URL)
    rules = RobotsRules(classify(200, b"User-agent: *\nDisallow: /x\n"), "bot")
    assert rules.allowed("http://h[") is False
    assert rules.allowed("http://h/y") is True


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[1]", b'{"kind": "nope"}', b'{"kind": "rules", "body": 3}',
     b'{"kind": "allow", "status": "200"}', b'{"kind": "allow", "status": 7}', b"\xff",
     b"[" * 100_000, b"1" * 5_000],
)  # fmt: skip
def test_robots_entry_from_redis_raises_only_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        RobotsEntry.loads(data)
    entry = RobotsEntry(RULES, "User-agent: *\nDisallow: /\n", 200)
    assert RobotsEntry.loads(entry.dumps()) == entry
