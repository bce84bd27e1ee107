"""A worker's bounded memory of fingerprints Redis already knows.

Once a fingerprint has been sent to the shared dedup it stays seen there, so a repeat of it
(a site's navigation links, the same link on many pages) can be dropped in the worker
without serializing it or asking Redis. Oldest entries are forgotten first; a forgotten
one is simply checked in Redis again. Pure logic.
"""

from __future__ import annotations


class RecentlySeen:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._seen: dict[bytes, None] = {}

    def __contains__(self, fingerprint: bytes) -> bool:
        return fingerprint in self._seen

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, fingerprint: bytes) -> None:
        if self.capacity <= 0 or fingerprint in self._seen:
            return
        self._seen[fingerprint] = None
        if len(self._seen) > self.capacity:
            del self._seen[next(iter(self._seen))]
