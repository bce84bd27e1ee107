"""Which URLs a broad crawl of a static site should fetch, worked out from the files on disk
with the standard library only (``html.parser``, ``urllib.parse``), never with benchcrawl's
code, so that a crawl of a real site can be checked against it.

The crawler it models is ``scrapy crawl broad`` as documented:

- it starts at the seed URLs and fetches only URLs on the seed hosts (any port);
- a link is the ``href`` of an ``<a>``, ASCII whitespace stripped, resolved against the
  page's URL (or its ``<base href>``) by RFC 3986 section 5.2, its fragment dropped; only
  http(s) URLs count (``mailto:``, ``javascript:``, ``news:``, ``ftp:`` do not);
  ``rel="nofollow"`` and ``<meta name="robots" content="nofollow">`` are honoured;
- two spellings of one resource are one URL: RFC 3986 section 6 normalization (case of
  scheme and host, default port, dot segments, percent-encoding case, unreserved
  characters decoded) plus what every static server does, a percent-escape in the path
  means the character (``%28`` is ``(``, but ``%2F`` stays a separate thing from ``/``),
  and query arguments compared as a sorted list (benchcrawl requests w3lib's canonical
  form, which sorts them). ``/dir/`` and ``/dir/index.html`` are two URLs (the same file
  served twice is the crawler's right: it cannot know);
- robots.txt: the longest matching ``Allow``/``Disallow`` rule wins, ``Allow`` on a tie
  (RFC 9309 2.2.2); disallowed URLs are not fetched;
- what is fetched is parsed for links only when the answer is 2xx and HTML, and only its
  first ``max_page`` bytes (``BROAD_MAX_PAGE_SIZE``); redirects are followed (the target
  is one more URL, fetched once however many ways it is reached).

The server it models is nginx with ``root`` at the site's directory, Debian's
``mime.types`` and ``default_type application/octet-stream``: ``/dir/`` serves
``dir/index.html`` (404 without one: no autoindex), ``/dir`` is a 301 to ``/dir/``, a file is
served with the type of its extension, anything else is a 404.
"""

from __future__ import annotations

import os
import string
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

_ASCII_WS = " \t\n\r\f"
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_SUB_DELIMS = "!$&'()*+,;="
_PATH_CHARS = frozenset(_UNRESERVED | set(_SUB_DELIMS + ":@/"))
_QUERY_CHARS = frozenset(_PATH_CHARS | set("?"))
_HEX = frozenset("0123456789abcdefABCDEF")
_DEFAULT_PORTS = {"http": 80, "https": 443}


# --- URLs --------------------------------------------------------------------------------
def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, as written there."""
    inp, out = path, ""
    while inp:
        if inp.startswith("../"):
            inp = inp[3:]
        elif inp.startswith("./"):
            inp = inp[2:]
        elif inp.startswith("/./"):
            inp = inp[2:]
        elif inp == "/.":
            inp = "/"
        elif inp.startswith("/../"):
            inp = inp[3:]
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp == "/..":
            inp = "/"
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp in (".", ".."):
            inp = ""
        else:
            start = 1 if inp.startswith("/") else 0
            end = inp.find("/", start)
            end = len(inp) if end < 0 else end
            out += inp[:end]
            inp = inp[end:]
    return out


def _split(ref: str) -> tuple[str | None, str | None, str, str | None]:
    """(scheme, authority, path, query) of a reference without its fragment; None for an
    absent component (RFC 3986 keeps ``?`` with an empty query apart from no query)."""
    ref = ref.split("#", 1)[0]
    parts = urlsplit(ref)
    scheme = parts.scheme or None
    rest = ref[len(parts.scheme) + 1 :] if scheme else ref
    authority = parts.netloc if rest.startswith("//") else None
    query = parts.query if "?" in ref else None
    return scheme, authority, parts.path, query


def resolve(base: str, ref: str) -> str:
    """RFC 3986 5.2.2 (strict): *ref* resolved against the absolute URL *base*, without a
    fragment."""
    b_scheme, b_auth, b_path, b_query = _split(base)
    r_scheme, r_auth, r_path, r_query = _split(ref)
    scheme: str | None
    auth: str | None
    query: str | None
    if r_scheme is not None:
        scheme, auth, path, query = r_scheme, r_auth, remove_dot_segments(r_path), r_query
    else:
        scheme = b_scheme
        if r_auth is not None:
            auth, path, query = r_auth, remove_dot_segments(r_path), r_query
        else:
            auth = b_auth
            if r_path == "":
                path = b_path
                query = r_query if r_query is not None else b_query
            else:
                if r_path.startswith("/"):
                    path = remove_dot_segments(r_path)
                else:
                    if b_auth is not None and b_path == "":
                        merged = "/" + r_path
                    else:
                        merged = b_path[: b_path.rfind("/") + 1] + r_path
                    path = remove_dot_segments(merged)
                query = r_query
    out = f"{scheme}:" if scheme else ""
    if auth is not None:
        out += "//" + auth
    out += path
    if query is not None:
        out += "?" + query
    return out


def _escapes(text: str, literal: frozenset[str]) -> str:
    """Percent-encoding normalized (RFC 3986 6.2.2.2): an escape of an unreserved character
    decoded, other escapes in upper case, a stray ``%`` and any character outside *literal*
    encoded (UTF-8)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "%" and i + 2 < len(text) and set(text[i + 1 : i + 3]) <= _HEX:
            byte = int(text[i + 1 : i + 3], 16)
            out.append(chr(byte) if chr(byte) in _UNRESERVED else f"%{byte:02X}")
            i += 3
            continue
        if c in literal:
            out.append(c)
        else:
            out.extend(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def normalize(url: str) -> str:
    """An absolute http(s) URL in RFC 3986 normal form (section 6.2.2 and 6.2.3), without
    its fragment."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username is not None:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = _escapes(parts.path, _PATH_CHARS) or "/"
    out = f"{scheme}://{netloc}{path}"
    if "?" in url.split("#", 1)[0]:
        out += "?" + _escapes(parts.query, _QUERY_CHARS)
    return out


@dataclass(frozen=True)
class Key:
    """What makes two URLs one resource on a static server (see the module docstring)."""

    scheme: str
    host: str
    port: int
    segments: tuple[bytes, ...]  # the path's segments, percent-escapes decoded
    query: tuple[tuple[str, str], ...]  # sorted (name, value) pairs


def key(url: str) -> Key:
    url = normalize(url)
    parts = urlsplit(url)
    scheme = parts.scheme
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    segments = tuple(unquote_to_bytes(s) for s in parts.path.split("/"))
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return Key(scheme, parts.hostname or "", port, segments, query)


def is_uri(url: str) -> bool:
    """A URL string fit to send: ASCII, no space or character RFC 3986 leaves out, every
    ``%`` starting an upper-case escape."""
    allowed = _QUERY_CHARS | set("%#")
    if not all(c in allowed for c in url.split("://", 1)[-1]):
        return False
    for i, c in enumerate(url):
        if c == "%":
            escape = url[i + 1 : i + 3]
            if len(escape) != 2 or not set(escape) <= set("0123456789ABCDEF"):
                return False
    return True


# --- pages -------------------------------------------------------------------------------
class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None
        self.nofollow = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in a:
            rel = a.get("rel", "").lower().split()
            if "nofollow" not in rel:
                self.hrefs.append(a["href"])
        elif tag == "base" and "href" in a and self.base is None:
            self.base = a["href"].strip(_ASCII_WS)
        elif tag == "meta" and a.get("name", "").lower() == "robots":
            self.nofollow = self.nofollow or "nofollow" in a.get("content", "").lower()


def page_links(html: bytes, url: str, *, nofollow: bool = True) -> list[str]:
    """The normalized http(s) URLs the page's ``<a href>`` links to, in page order, once
    each (by :func:`key`)."""
    parser = _Anchors()
    parser.feed(html.decode("utf-8", "replace"))
    parser.close()
    if nofollow and parser.nofollow:
        return []
    base = resolve(url, parser.base) if parser.base else url
    seen: set[Key] = set()
    out = []
    for href in parser.hrefs:
        href = href.strip(_ASCII_WS).replace("\t", "").replace("\n", "").replace("\r", "")
        if not href or href.startswith("#"):
            continue
        absolute = resolve(base, href)
        if urlsplit(absolute).scheme.lower() not in _DEFAULT_PORTS:
            continue
        try:
            k = key(absolute)
        except ValueError:  # a bad port, a bad IPv6 literal: not a URL
            continue
        if k not in seen:
            seen.add(k)
            out.append(normalize(absolute))
    return out


# --- the server --------------------------------------------------------------------------
def mime_types(path: str | Path = "/etc/nginx/mime.types") -> dict[str, str]:
    """extension -> type, from an nginx ``types { type ext ...; }`` file."""
    text = Path(path).read_text()
    body = text[text.index("{") + 1 : text.rindex("}")]
    out: dict[str, str] = {}
    for entry in body.split(";"):
        words = entry.split()
        for ext in words[1:]:
            out.setdefault(ext.lower(), words[0])
    return out


@dataclass(frozen=True)
class Answer:
    status: int
    type: str = ""
    file: Path | None = None
    location: str | None = None  # a redirect's absolute target


@dataclass
class Site:
    """A directory served by nginx on ``host:port``, optionally with robots.txt rules."""

    root: Path
    rules: list[tuple[bool, str]] = field(default_factory=list)  # (allow, path prefix)

    def allowed(self, path_and_query: str) -> bool:
        best: tuple[int, bool] | None = None
        for allow, prefix in self.rules:
            if path_and_query.startswith(prefix):
                rank = (len(prefix), allow)
                best = rank if best is None or rank > best else best
        return best is None or best[1]


def parse_robots(text: str, agent: str) -> list[tuple[bool, str]]:
    """The Allow/Disallow rules of the group for *agent* (a product token; ``*`` when no
    group names it), from a robots.txt with only plain path prefixes."""
    groups: dict[str, list[tuple[bool, str]]] = {}
    names: list[str] = []
    in_rules = False
    for line in text.splitlines():
        name, _, value = line.split("#", 1)[0].partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "user-agent":
            if in_rules:
                names, in_rules = [], False
            names.append(value.lower())
            groups.setdefault(value.lower(), [])
        elif name in ("allow", "disallow") and names:
            in_rules = True
            if value:
                for n in names:
                    groups[n].append((name == "allow", value))
    return groups.get(agent.lower(), groups.get("*", []))


def answer(site: Site, origin: str, path: str, types: dict[str, str]) -> Answer:
    """What nginx answers for *path* (as sent, percent-encoded) on *site*."""
    segments = [unquote_to_bytes(s) for s in path.split("/")[1:]]
    if any(b"/" in s or b"\0" in s for s in segments):
        return Answer(404)
    target = Path(os.fsdecode(os.path.join(os.fsencode(site.root), *segments)))
    if path.endswith("/"):
        index = target / "index.html"
        return Answer(200, "text/html", index) if index.is_file() else Answer(404)
    if target.is_file():
        ext = target.name.rsplit(".", 1)[1].lower() if "." in target.name else ""
        return Answer(200, types.get(ext, "application/octet-stream"), target)
    if target.is_dir():
        return Answer(301, location=f"{origin}{path}/")
    return Answer(404)


# --- the crawl ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Fetch:
    url: str  # normalized
    status: int
    type: str  # the Content-Type nginx sends ('' for an error or a redirect)
    size: int  # bytes of the file served (0 for an error or a redirect)


@dataclass
class Expected:
    fetched: dict[Key, Fetch]
    disallowed: set[str]  # in-scope URLs robots.txt keeps out
    offsite: set[str]  # http(s) URLs on other hosts
    links_followed: int  # in-scope links seen on parsed pages


def crawl(
    seeds: Iterable[str],
    sites: dict[str, Site],
    *,
    max_page: int,
    types: dict[str, str] | None = None,
    limit: int = 100_000,
) -> Expected:
    """Breadth-first from *seeds* over *sites* (``"host:port"`` -> Site); every URL met on a
    seed host is fetched once unless robots.txt disallows it. At most *limit* URLs."""
    types = types if types is not None else mime_types()
    hosts = {hp.split(":")[0] for hp in sites}
    fetched: dict[Key, Fetch] = {}
    disallowed: set[str] = set()
    offsite: set[str] = set()
    met: set[Key] = set()
    queue: deque[str] = deque()
    followed = 0

    def meet(url: str) -> None:
        k = key(url)
        if k in met:
            return
        met.add(k)
        if k.host not in hosts:
            offsite.add(url)
            return
        queue.append(url)

    for seed in seeds:
        meet(normalize(seed))
    while queue and len(fetched) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        site = sites.get(parts.netloc)
        path_and_query = parts.path + (f"?{parts.query}" if "?" in url else "")
        if site is not None and not site.allowed(path_and_query):
            disallowed.add(url)
            continue
        if site is None:  # a seed host on a port nothing listens on: never in these crawls
            raise AssertionError(f"no site for {url}")
        got = answer(site, f"{parts.scheme}://{parts.netloc}", parts.path, types)
        size = got.file.stat().st_size if got.file is not None else 0
        fetched[key(url)] = Fetch(url, got.status, got.type, size)
        if got.location is not None:
            meet(normalize(got.location))
        if got.status == 200 and got.type == "text/html" and got.file is not None:
            with got.file.open("rb") as f:
                body = f.read(max_page)
            for link in page_links(body, url):
                if key(link).host in hosts:
                    followed += 1
                meet(link)
    return Expected(fetched, disallowed, offsite, followed)
