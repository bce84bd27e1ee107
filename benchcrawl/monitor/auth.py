"""The monitor's access control, free of the web framework: the token check (constant
time), sessions with their CSRF tokens, and the slow-down of repeated failed sign-ins."""

from __future__ import annotations

import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass

SESSION_COOKIE = "benchcrawl_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class TokenCheck:
    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the monitor token is empty")
        self._token = token.encode()

    def matches(self, candidate: str | None) -> bool:
        """Constant-time comparison (:func:`hmac.compare_digest`), whatever the lengths."""
        if candidate is None:
            return False
        return hmac.compare_digest(self._token, candidate.encode("utf-8", "surrogateescape"))

    def bearer(self, header: str | None) -> bool | None:
        """None without an ``Authorization: Bearer`` header, else whether it matches."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.matches(value.strip())


@dataclass(frozen=True)
class Session:
    id: str
    csrf: str
    created: float


class Sessions:
    """Signed-in browsers, in memory: a restart signs everyone out. Bounded (oldest evicted)."""

    def __init__(self, lifetime: float = 12 * 3600, limit: int = 1000) -> None:
        self.lifetime = lifetime
        self.limit = limit
        self._by_id: OrderedDict[str, Session] = OrderedDict()

    def create(self, now: float) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now)
        self._by_id[session.id] = session
        while len(self._by_id) > self.limit:
            self._by_id.popitem(last=False)
        return session

    def get(self, sid: str | None, now: float) -> Session | None:
        if not sid:
            return None
        session = self._by_id.get(sid)
        if session is None:
            return None
        if now - session.created > self.lifetime:
            del self._by_id[sid]
            return None
        return session

    def drop(self, sid: str | None) -> None:
        if sid:
            self._by_id.pop(sid, None)

    @staticmethod
    def csrf_ok(session: Session, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(
            session.csrf.encode(), candidate.encode("utf-8", "surrogateescape")
        )


class FailedSignIns:
    """Repeated failures from one client wait longer each time: 0 s for the first, then
    *base* s doubling up to *cap* s; the count is forgotten after *forget* s or on success."""

    def __init__(self, base: float = 0.5, cap: float = 8.0, forget: float = 900.0) -> None:
        self.base, self.cap, self.forget = base, cap, forget
        self._seen: dict[str, tuple[int, float]] = {}

    def delay(self, client: str, now: float) -> float:
        count, last = self._seen.get(client, (0, 0.0))
        if count == 0 or now - last > self.forget:
            return 0.0
        return min(self.cap, self.base * 2 ** (count - 1))

    def failed(self, client: str, now: float) -> None:
        count, last = self._seen.get(client, (0, 0.0))
        if now - last > self.forget:
            count = 0
        self._seen[client] = (count + 1, now)
        if len(self._seen) > 10_000:  # bounded: forget the oldest half
            for key, _ in sorted(self._seen.items(), key=lambda kv: kv[1][1])[:5_000]:
                del self._seen[key]

    def succeeded(self, client: str) -> None:
        self._seen.pop(client, None)
