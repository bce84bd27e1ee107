"""The run lock: runs never overlap, however many schedulers.

With Redis, ``SET key token NX PX ttl``, renewed by its holder (compare-and-renew) and
released with compare-and-delete, so a holder never touches a lock that expired and was
taken by another. Without Redis, ``fcntl.flock`` on a file in ``DATA_DIR``, released by the
kernel when its holder dies. Both raise :class:`~benchcrawl.exceptions.RedisUnavailable`
(or ``OSError`` for the file) when they cannot tell; the caller retries.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Protocol

import redis

from benchcrawl import lua
from benchcrawl.connection import REDIS_ERRORS, redact
from benchcrawl.exceptions import RedisUnavailable
from benchcrawl.identity import process_id, worker_id


def renew_interval(ttl: float) -> float:
    """Seconds between two renewals: a third of the ttl, so two can fail before expiry."""
    return ttl / 3


def must_stop(last_renewed: float, now: float, ttl: float) -> bool:
    """Whether a holder that last renewed at *last_renewed* must stop its run at *now*:
    after 2/3 of the ttl without a renewal, the lock may expire (and be taken) before the
    next try, so the run stops while the lock is still surely its own."""
    return now - last_renewed >= ttl * 2 / 3


class RunLock(Protocol):
    ttl: float
    holder: str

    def acquire(self) -> bool: ...
    def renew(self) -> bool: ...
    def release(self) -> None: ...


class RedisLock:
    """The lock as an expiring Redis string holding this scheduler's token."""

    def __init__(self, client: redis.Redis, key: str, ttl: float, url: str = "") -> None:
        self.client = client
        self.key = key
        self.ttl = ttl
        self.holder = worker_id()
        self._where = redact(url)
        self._renew = lua.register(client, __package__, "lock_renew.lua")
        self._release = lua.register(client, __package__, "lock_release.lua")

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except REDIS_ERRORS as e:
            raise RedisUnavailable(
                f"cannot {what} the run lock {self.key} at {self._where} ({e})"
            ) from e

    def acquire(self) -> bool:
        ms = max(1, int(self.ttl * 1000))
        return bool(self._call("take", self.client.set, self.key, self.holder, nx=True, px=ms))

    def renew(self) -> bool:
        ms = max(1, int(self.ttl * 1000))
        return self._call("renew", self._renew, keys=[self.key], args=[self.holder, ms]) == 1

    def release(self) -> None:
        self._call("release", self._release, keys=[self.key], args=[self.holder])


class FileLock:
    """The lock as ``fcntl.flock`` on *path*: held while this process lives and holds it."""

    def __init__(self, path: Path, ttl: float) -> None:
        self.path = path
        self.ttl = ttl
        self.holder = process_id()
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{self.holder}\n".encode())
        self._fd = fd
        return True

    def renew(self) -> bool:
        return self._fd is not None  # the kernel keeps it while the descriptor is open

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
