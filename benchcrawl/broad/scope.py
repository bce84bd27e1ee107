"""Which hosts the broad crawl may fetch: the seed domains (optionally with their
subdomains) minus the excluded domains (always with their subdomains)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def host_of(url: str) -> str:
    """The URL's lower-case host without port ('' when it has none)."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def suffixes(host: str) -> list[str]:
    """``a.b.example.com`` -> itself, ``b.example.com``, ``example.com``, ``com``."""
    out = [host]
    while "." in host:
        host = host.split(".", 1)[1]
        out.append(host)
    return out


class DomainScope:
    def __init__(
        self, seeds: Iterable[str], excluded: Iterable[str] = (), subdomains: bool = False
    ) -> None:
        self.seeds = set(seeds)
        self.excluded = set(excluded)
        self.subdomains = subdomains

    def in_seeds(self, host: str) -> bool:
        if host in self.seeds:
            return True
        return self.subdomains and any(s in self.seeds for s in suffixes(host)[1:])

    def is_excluded(self, host: str) -> bool:
        return any(s in self.excluded for s in suffixes(host))

    def allows(self, host: str) -> bool:
        return bool(host) and self.in_seeds(host) and not self.is_excluded(host)
