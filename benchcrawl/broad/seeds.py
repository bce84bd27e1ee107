"""Seed and exclusion files: one domain or URL per line, ``#`` starts a comment.

A bad line is returned as a :class:`BadLine` (its number and why) and skipped; the caller
reports it. A domain seed ``example.com`` becomes ``http://example.com/``.

The file is untrusted input, parsed in linear time: the comment is found with a scan, a
label is checked with one bounded character class, and a host longer than 253 characters
is refused before IDNA-encoding it (CPython's punycode is quadratic in a label's length).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_MAX_HOST = 253
_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Seed:
    url: str
    domain: str
    line: int


@dataclass(frozen=True)
class BadLine:
    line: int
    text: str
    reason: str

    def message(self, source: str) -> str:
        return f"{source}:{self.line}: {self.reason} ({self.text!r}); line skipped"


def normalize_host(host: str) -> str:
    """Lower-case, IDNA-encoded host; raises ValueError when it is not a host name."""
    host = host.strip().rstrip(".").lower()
    if not host:
        raise ValueError("no host")
    if len(host) > _MAX_HOST:
        raise ValueError(f"not a valid host name (longer than {_MAX_HOST} characters)")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as e:
        raise ValueError(f"not a valid host name ({e})") from e
    if len(host) > _MAX_HOST or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise ValueError("not a valid host name")
    return host


def _strip_comment(text: str) -> str:
    """*text* up to its comment: a ``#`` at the start or after white space."""
    start = 0
    while (i := text.find("#", start)) != -1:
        if i == 0 or text[i - 1].isspace():
            return text[:i]
        start = i + 1
    return text


def parse_line(text: str) -> tuple[str, str] | None:
    """``(url, domain)`` of one line, None for a blank or comment line; ValueError if bad."""
    text = _strip_comment(text).strip()
    if not text:
        return None
    if any(c.isspace() for c in text):
        raise ValueError("more than one word")
    if "://" not in text:
        text = f"http://{text}/"
    parts = urlsplit(text)
    if parts.scheme.lower() not in _SCHEMES:
        raise ValueError(f"scheme {parts.scheme!r} is not http or https")
    try:
        port = parts.port
    except ValueError as e:
        raise ValueError("bad port") from e
    domain = normalize_host(parts.hostname or "")
    netloc = f"{domain}:{port}" if port else domain
    url = parts._replace(scheme=parts.scheme.lower(), netloc=netloc, fragment="")
    return url.geturl() if url.path else url._replace(path="/").geturl(), domain


def parse_seeds(lines: Iterable[str]) -> tuple[list[Seed], list[BadLine]]:
    seeds: list[Seed] = []
    bad: list[BadLine] = []
    for number, raw in enumerate(lines, 1):
        try:
            parsed = parse_line(raw)
        except ValueError as e:
            bad.append(BadLine(number, raw.strip(), str(e)))
            continue
        if parsed is not None:
            seeds.append(Seed(parsed[0], parsed[1], number))
    return seeds, bad


def read_seeds(path: str | Path) -> tuple[list[Seed], list[BadLine]]:
    """Parse a seed (or exclusion) file; OSError/UnicodeError propagate to the caller."""
    with open(path, encoding="utf-8") as f:
        return parse_seeds(f)
