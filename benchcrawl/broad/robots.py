"""robots.txt policy (RFC 9309) over Protego.

A fetch result becomes a :class:`RobotsEntry` (what is cached in Redis) and an entry
becomes :class:`RobotsRules` (what a worker asks):

- 2xx: the file's rules (the first ``MAX_BYTES`` parsed, RFC 9309 2.5);
- 3xx not followed, 4xx except 429: "unavailable", everything allowed (2.3.1.3);
- 429, 5xx, no answer: "unreachable", everything disallowed until a retry (2.3.1.4). 429 is
  treated as a server error, as the large crawlers do: it says "slow down", not "no file".
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from protego import Protego

MAX_BYTES = 500 * 1024
RULES, ALLOW_ALL, UNREACHABLE = "rules", "allow", "unreachable"
_KINDS = (RULES, ALLOW_ALL, UNREACHABLE)


@dataclass(frozen=True)
class RobotsEntry:
    kind: str  # RULES, ALLOW_ALL or UNREACHABLE
    body: str = ""
    status: int | None = None

    def dumps(self) -> str:
        return json.dumps({"kind": self.kind, "body": self.body, "status": self.status})

    @classmethod
    def loads(cls, data: str | bytes) -> RobotsEntry:
        """The entry :meth:`dumps` wrote. Redis is shared, so anything else (not JSON, the
        wrong shape or types) raises ValueError and nothing else."""
        try:
            d = json.loads(data)
        except (ValueError, RecursionError) as e:  # JSONDecodeError, bad UTF-8, deep nesting
            raise ValueError(f"robots entry is not JSON: {str(e)[:200]}") from None
        if not isinstance(d, dict):
            raise ValueError(f"robots entry is a {type(d).__name__}, not an object")
        kind, body, status = d.get("kind"), d.get("body", ""), d.get("status")
        if kind not in _KINDS or not isinstance(body, str):
            raise ValueError("robots entry has no valid kind and body")
        if status is not None and (type(status) is not int or not 100 <= status <= 999):
            raise ValueError("robots entry has a status that is not an HTTP status")
        return cls(kind, body, status)


def classify(status: int | None, body: bytes = b"") -> RobotsEntry:
    """What a robots.txt fetch means; ``status`` None is a network failure."""
    if status is None or status == 429 or status >= 500:
        return RobotsEntry(UNREACHABLE, status=status)
    if 200 <= status < 300:
        return RobotsEntry(RULES, body[:MAX_BYTES].decode("utf-8", "replace"), status)
    return RobotsEntry(ALLOW_ALL, status=status)


class RobotsRules:
    def __init__(self, entry: RobotsEntry, user_agent: str) -> None:
        self.entry = entry
        self.user_agent = user_agent
        self._parser = Protego.parse(entry.body) if entry.kind == RULES else None

    def allowed(self, url: str) -> bool:
        if self.entry.kind == UNREACHABLE:
            return False
        if self._parser is None:
            return True
        try:
            return bool(self._parser.can_fetch(url, self.user_agent))
        except ValueError:  # a URL urlsplit refuses (e.g. an unclosed IPv6 host): no fetch
            return False

    def crawl_delay(self) -> float | None:
        if self._parser is None:
            return None
        delay = self._parser.crawl_delay(self.user_agent)
        return float(delay) if delay is not None else None
