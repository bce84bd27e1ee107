"""Links of an HTML page, parsed with selectolax (Lexbor): ``<a href>``, resolved against
``<base href>`` when there is one, ``nofollow`` honoured, fragments dropped, canonicalized
with w3lib.

Broken HTML is parsed the way browsers do (Lexbor implements the HTML5 parsing algorithm),
so it never raises; an input Lexbor rejects gives no links.

Speed: the page is parsed once; ``<a>`` elements are listed by tag (no CSS matching), and
``<base>``/``<meta name=robots>`` are looked up in ``<head>`` only. Most links are plain
(``/path/page.html`` or ``http://host:port/path``, only unreserved characters, no query, no
dot segments): their canonical form is known without w3lib (``fast_canonical``, checked
against ``canonicalize_url`` in the tests); anything else takes ``urljoin`` +
``canonicalize_url``.

Untrusted input: every step is linear in the page. The one step that is not, IDNA-encoding
a non-ASCII host (CPython's punycode is quadratic in a label's length: a 16,000-character
label takes half a minute), is skipped: a link whose non-ASCII host is longer than 253
characters or has a label longer than 63 after NFKC is dropped, as no DNS name has one.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser
from w3lib.url import canonicalize_url

from benchcrawl.urls import host_too_long

logger = logging.getLogger(__name__)

_SCHEMES = ("http://", "https://")
# Untrusted input, so no nested or overlapping quantifiers (STYLE.md): a path is plain
# when it is ``/`` and unreserved characters only (one character class, one pass), with
# no ``//`` and no segment that starts with a dot (two substring scans). The host's labels are
# possessive: a label can only be followed by ``.``, ``:``, ``/`` or the end, so giving
# characters back never helps and the match stays linear.
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9_.~/-]*+\Z")
_PLAIN_URL = re.compile(r"(https?://[a-z0-9-]++(?:\.[a-z0-9-]++)*+(?::[0-9]{1,5})?+)(/.*+)?\Z")


def _nofollow(rel: str | None) -> bool:
    return rel is not None and "nofollow" in rel.lower().split()


def _plain_path(path: str) -> bool:
    return _PLAIN_PATH.match(path) is not None and "//" not in path and "/." not in path


def fast_canonical(href: str, origin: str | None) -> str | None:
    """The canonical URL of *href* when it is plain (see the module docstring), else None.
    *origin* (``scheme://host[:port]``, already canonical) resolves ``/path`` links."""
    if href.startswith("/"):
        if origin is not None and not href.startswith("//") and _plain_path(href):
            return origin + href
        return None
    match = _PLAIN_URL.match(href)
    if match is None:
        return None
    path = match.group(2)
    if path is None:
        return href + "/"
    return href if _plain_path(path) else None


def _origin(url: str) -> str | None:
    match = _PLAIN_URL.match(url)
    return match.group(1) if match else None


def extract_links(html: bytes | str, url: str, *, nofollow: bool = True) -> list[str]:
    """Unique canonical http(s) URLs of the page's ``<a href>`` links, in page order."""
    try:
        tree = LexborHTMLParser(html)
    except Exception as e:  # Lexbor refuses some inputs (e.g. an encoding it lacks)
        logger.debug("cannot parse %s: %s", url, e)
        return []
    base = url
    head = tree.head
    if head is not None:
        base_node = head.css_first("base[href]")
        if base_node is not None:
            href = (base_node.attributes.get("href") or "").strip()
            if href:
                base = urljoin(url, href)
        if nofollow:
            for meta in head.css('meta[name="robots" i]'):
                if "nofollow" in (meta.attributes.get("content") or "").lower():
                    return []
    hrefs: dict[str, None] = {}
    for node in tree.tags("a"):
        attrs = node.attributes
        value = attrs.get("href")
        if not value or (nofollow and _nofollow(attrs.get("rel"))):
            continue
        hrefs[value.strip()] = None
    origin = _origin(base)
    out: dict[str, None] = {}
    for href in hrefs:
        if not href or href[0] == "#":
            continue
        fast = fast_canonical(href, origin)
        if fast is not None:
            out[fast] = None
            continue
        try:
            absolute = urljoin(base, href)
            if absolute.startswith(_SCHEMES) and not host_too_long(absolute):
                out[canonicalize_url(absolute, keep_fragments=False)] = None
        except ValueError:  # e.g. an invalid IPv6 host
            continue
    return list(out)
