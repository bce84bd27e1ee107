"""A run as a child ``scrapy crawl``, and the supervision every run gets.

A launcher is anything with ``start() -> Run``; :class:`ProcessLauncher` starts
``sys.executable -m scrapy crawl SPIDER -a ... -s ...`` with the scheduler's cwd and
environment, in its own process group (so a timeout kills Chromium too) and set to die
with the scheduler (``PR_SET_PDEATHSIG``), so a ``kill -9``-ed scheduler leaves no run
going without a lock. A scrapyd submitter is another launcher whose ``Run`` polls
``listjobs.json`` and cancels with ``cancel.json``; :func:`supervise` stays the same.
"""

from __future__ import annotations

import collections
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, NamedTuple, Protocol

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.scheduling.lock import RunLock, must_stop, renew_interval

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
TAIL_LINES = 20


class Run(Protocol):
    def wait(self, timeout: float) -> int | None:
        """The exit code once the run has ended, else None after up to *timeout* s."""
        ...

    def stop(self, grace: float) -> None:
        """End the run now: ask, then force after *grace* s."""
        ...

    def detail(self) -> str:
        """What the run last said (a crawl's last stderr line)."""
        ...


class Launcher(Protocol):
    def start(self) -> Run: ...


class Ended(NamedTuple):
    code: int | None  # the exit code (negative: killed by that signal); None if stopped
    reason: str  # "exited", "timeout", "lock lost", "stopped"
    seconds: float


def _die_with_parent(prctl: Callable[..., int] | None) -> Callable[[], None] | None:
    if prctl is None:
        return None

    def preexec() -> None:  # runs in the child between fork and exec: no allocation here
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    return preexec


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


class ProcessRun:
    """One child process; its stderr is relayed to ours, and its last lines kept."""

    def __init__(self, cmd: list[str], cwd: str, env: dict[str, str], relay: IO[str]) -> None:
        self.cmd = cmd
        self._tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._relay = relay
        self.proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_die_with_parent(_prctl()),  # one ctypes call, no locks taken
        )
        self.pid = self.proc.pid
        self._reader = threading.Thread(target=self._read, name=f"run-{self.pid}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            try:
                self._relay.write(line)
                self._relay.flush()
            except (OSError, ValueError):
                pass
            if line.strip():
                self._tail.append(line.rstrip("\n"))

    def wait(self, timeout: float) -> int | None:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(2.0)  # the last lines, if the pipe closes (Chromium may hold it)
        return code

    def stop(self, grace: float) -> None:
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
        self._signal(signal.SIGKILL)  # also whatever the crawl left in its group (Chromium)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            logger.error("run pid %d did not die after SIGKILL", self.pid)
        self._reader.join(1.0)

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def detail(self) -> str:
        return self._tail[-1] if self._tail else ""


class ProcessLauncher:
    """``scrapy crawl SPIDER`` with the scheduler's ``-a``/``-s`` options, cwd and env."""

    def __init__(
        self,
        spider: str,
        spargs: list[str],
        settings: list[str],
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        relay: IO[str] | None = None,
    ) -> None:
        self.spider = spider
        self.options = [w for a in spargs for w in ("-a", a)]
        self.options += [w for s in settings for w in ("-s", s)]
        self.cwd = cwd or os.getcwd()
        self.env = dict(os.environ if env is None else env)
        self.relay = relay or sys.stderr

    def command(self) -> list[str]:
        return [sys.executable, "-m", "scrapy", "crawl", self.spider, *self.options]

    def start(self) -> ProcessRun:
        try:
            return ProcessRun(self.command(), self.cwd, self.env, self.relay)
        except OSError as e:
            raise BenchcrawlError(f"cannot start {' '.join(self.command()[:5])}: {e}") from e


def supervise(
    run: Run,
    lock: RunLock,
    timeout: float,
    stopping: Callable[[], bool],
    grace: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    step: float = 0.5,
) -> Ended:
    """Wait for *run* to end while renewing *lock*. Stop it after *timeout* s (0: none),
    when the lock is lost or cannot be renewed in time, or when *stopping()*."""
    start = clock()
    renewed = start
    next_renew = start + renew_interval(lock.ttl)
    reason = ""
    while True:
        code = run.wait(step)
        now = clock()
        if code is not None:
            return Ended(code, "exited", now - start)
        if stopping():
            reason = "stopped"
        elif timeout and now - start >= timeout:
            reason = "timeout"
        elif now >= next_renew:
            try:
                held = lock.renew()
            except (BenchcrawlError, OSError) as e:
                logger.warning("%s; retrying", e)
                next_renew = now + min(1.0, renew_interval(lock.ttl))
            else:
                if held:
                    renewed, next_renew = now, now + renew_interval(lock.ttl)
                else:
                    reason = "lock lost"
        if not reason and must_stop(renewed, now, lock.ttl):
            reason = "lock lost"
        if reason:
            run.stop(grace)
            return Ended(None, reason, clock() - start)
