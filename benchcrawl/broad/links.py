"""Links of an HTML page, parsed with selectolax (Lexbor): ``<a href>``, resolved against
``<base href>`` when there is one, ``nofollow`` honoured, fragments dropped, canonicalized
with w3lib.

Broken HTML is parsed the way browsers do (Lexbor implements the HTML5 parsing algorithm),
so it never raises; an input Lexbor rejects gives no links.

Speed: the page is parsed once; ``<a>`` elements are listed by tag (no CSS matching), and
``<base>``/``<meta name=robots>`` are looked up in ``<head>`` only. Most links are plain
(``/path/page.html``, ``http://host:port/path`` or, against a plain base, ``page.html`` and
``../dir/page.html``: only unreserved characters, no query, no segment that starts with a dot
but ``.`` and ``..`` in a relative one, any fragment dropped): their canonical form is known
without w3lib (``fast_canonical``, checked against ``canonicalize_url`` in the tests and the
fuzz harness); anything else takes ``urljoin`` + ``canonicalize_url``.

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


_PLAIN_RELATIVE = re.compile(r"[A-Za-z0-9_.~/-]++\Z")


def _resolve(directory: str, href: str) -> str | None:
    """The path of the plain relative *href* against *directory* (``/a/b/``, plain), dot
    segments removed as ``urljoin`` does (RFC 3986 5.2.4: ``..`` stops at the root); None
    when w3lib should decide (``//``, a segment such as ``.x``)."""
    if "//" in href:  # urljoin drops the empty segment: left to it
        return None
    parts = directory.split("/")[:-1]
    segments = href.split("/")
    for segment in segments:
        if segment == "..":
            if len(parts) > 1:
                parts.pop()
        elif segment == ".":
            continue
        elif segment.startswith("."):
            return None
        else:
            parts.append(segment)
    if segments[-1] in (".", ".."):
        parts.append("")
    return "/".join(parts) if len(parts) > 1 else "/"


def fast_canonical(href: str, origin: str | None, directory: str | None = None) -> str | None:
    """The canonical URL of *href* when it is plain (see the module docstring), else None.
    *origin* (``scheme://host[:port]``, already canonical) resolves ``/path`` links, and
    with *directory* (the base URL's path up to its last ``/``, plain) relative ones."""
    href = href.split("#", 1)[0]  # canonical URLs have no fragment
    if not href:
        return None
    if href.startswith("/"):
        if origin is not None and not href.startswith("//") and _plain_path(href):
            return origin + href
        return None
    if origin is not None and directory is not None and _PLAIN_RELATIVE.match(href):
        resolved = _resolve(directory, href)
        return origin + resolved if resolved is not None else None
    match = _PLAIN_URL.match(href)
    if match is None:
        return None
    path = match.group(2)
    if path is None:
        return href + "/"
    return href if _plain_path(path) else None


def _origin(url: str) -> tuple[str | None, str | None]:
    """The canonical origin of *url* and its directory (both None when not plain)."""
    match = _PLAIN_URL.match(url)
    if match is None:
        return None, None
    path = match.group(2) or "/"
    return match.group(1), path[: path.rfind("/") + 1] if _plain_path(path) else None


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
    origin, directory = _origin(base)
    out: dict[str, None] = {}
    for href in hrefs:
        if not href or href[0] == "#":
            continue
        fast = fast_canonical(href, origin, directory)
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
