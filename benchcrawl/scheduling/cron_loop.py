"""The scheduler's loop: look at the clock, take the lock for a due tick, run, record.

The protocol, the lock and the state are described in the package docstring. Every wait
is on the *stop* event, so SIGTERM ends the loop within a poll; a run in progress is
then stopped and left recorded as running, so the next scheduler runs its tick again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.scheduling.cron import CATCH_UP, TOO_OLD, Schedule, decide, iso, nap
from benchcrawl.scheduling.lock import RunLock
from benchcrawl.scheduling.notify import Webhook
from benchcrawl.scheduling.outcome import STOPPED, RunReport, report, should_notify
from benchcrawl.scheduling.runner import Launcher, supervise
from benchcrawl.scheduling.state import RunState, tick_of
from benchcrawl.storage.versions import latest_version

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Timing:
    catch_up: float  # s; config catch_up
    run_timeout: float  # s; 0 = none
    kill_grace: float  # s
    poll: float  # s; SCHEDULE_POLL_INTERVAL
    longest_nap: float  # s; SCHEDULE_MAX_SLEEP


class Scheduler:
    def __init__(
        self,
        spider: str,
        schedule: Schedule,
        launcher: Launcher,
        lock: RunLock,
        state: RunState,
        data_dir: Path,
        timing: Timing,
        webhook: Webhook | None = None,
        on_change: bool = False,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = utcnow,
        after_success: Callable[[str], object] | None = None,
    ) -> None:
        self.spider = spider
        self.schedule = schedule
        self.launcher = launcher
        self.lock = lock
        self.state = state
        self.data_dir = data_dir
        self.timing = timing
        self.webhook = webhook
        self.on_change = on_change
        self.stop = stop or threading.Event()
        self.clock = clock
        self.after_success = after_success  # called with the new version, lock still held

    # --- the long-running loop --------------------------------------------------------
    def run_forever(self) -> None:
        started = self.clock()
        logger.info(
            "scheduling %s on %r (UTC), lock held by %s while running; next tick %s",
            self.spider,
            self.schedule.expr,
            self.lock.holder,
            iso(self.schedule.next_after(started)),
        )
        said: set[tuple[str, str]] = set()
        while not self.stop.is_set():
            waiting = False
            try:
                waiting = self._look(started, said)
            except BenchcrawlError as e:
                logger.warning("%s; retrying in %.0f s", e, self.timing.poll)
                waiting = True
            now = self.clock()
            pause = nap(self.schedule, now, waiting, self.timing.poll, self.timing.longest_nap)
            announce = getattr(self.state, "announce", None)
            if announce is not None:  # for the monitor: which tick a live scheduler waits for
                announce(
                    iso(self.schedule.next_after(now)),
                    pause + self.timing.longest_nap,
                    cron=self.schedule.expr,
                    spider=self.spider,
                    holder=self.lock.holder,
                )
            self.stop.wait(pause)
        if self.webhook is not None:
            self.webhook.flush(self.webhook.longest())
        logger.info("scheduler for %s stopped", self.spider)

    def _look(self, started: datetime, said: set[tuple[str, str]]) -> bool:
        """Run the due tick if there is one and the lock is free; True while a due tick
        waits for another scheduler's run."""
        decision = decide(
            self.schedule,
            self.clock(),
            tick_of(self.state.read()),
            started,
            self.timing.catch_up,
        )
        if decision.reason == TOO_OLD and (iso(decision.latest), TOO_OLD) not in said:
            said.add((iso(decision.latest), TOO_OLD))
            logger.warning(
                "tick %s was missed while no scheduler ran and is older than catch_up "
                "(%.0f s): skipped",
                iso(decision.latest),
                self.timing.catch_up,
            )
        if decision.tick is None:
            return False
        if not self.lock.acquire():
            key = (iso(decision.tick), "busy")
            if key not in said:
                said.add(key)
                logger.info("tick %s: another run holds the lock; waiting", key[0])
            return True
        try:
            record = self.state.read()  # again, under the lock: another may have run it
            decision = decide(
                self.schedule, self.clock(), tick_of(record), started, self.timing.catch_up
            )
            if decision.tick is None:
                return False
            tick = iso(decision.tick)
            if record.get("running") and record.get("running") != record.get("tick"):
                logger.warning(
                    "the run of tick %s by %s did not finish (its scheduler stopped or died)",
                    record.get("running"),
                    record.get("holder") or "?",
                )
            trigger = "catch-up" if decision.reason == CATCH_UP else "tick"
            if trigger == "catch-up":
                logger.info("catching up tick %s, missed while no scheduler ran", tick)
            self.state.write({"running": tick, "holder": self.lock.holder})
            run = self._run(tick, trigger)
            if run.outcome != STOPPED:
                self.state.write(
                    {
                        "tick": tick,
                        "outcome": run.outcome,
                        "exit_code": str(run.exit_code),
                        "rows": str(run.rows),
                        "version": run.version,
                        "seconds": f"{run.seconds:.1f}",
                        "finished_at": iso(self.clock()),
                    }
                )
        finally:
            self._release()
        return False

    def _release(self) -> None:
        try:
            self.lock.release()
        except BenchcrawlError as e:
            logger.warning("%s; it expires by itself", e)

    # --- one run ----------------------------------------------------------------------
    def _run(self, tick: str, trigger: str) -> RunReport:
        before = latest_version(self.data_dir)
        run = self.launcher.start()
        logger.info(
            "started run %s %s%s (pid %s)",
            self.spider,
            trigger,
            " " + tick if tick else "",
            getattr(run, "pid", "-"),
        )
        ended = supervise(
            run, self.lock, self.timing.run_timeout, self.stop.is_set, self.timing.kill_grace
        )
        result = report(self.spider, tick, trigger, ended, run.detail(), self.data_dir, before)
        if result.outcome == "succeeded":
            logger.info("%s", result.line())
        else:
            logger.error("%s", result.line())
        if self.webhook is not None and should_notify(result, self.on_change):
            self.webhook.send(result.payload())
        if result.outcome == "succeeded" and self.after_success and result.version != before:
            self.after_success(result.version)  # the charts: after the run's line and webhook
        return result

    def run_once(self, wait: float) -> int:
        """``--once``: run one job now (waiting up to *wait* s for another's run to end);
        the job's exit code."""
        deadline = time.monotonic() + wait
        said = False
        while True:
            try:
                if self.lock.acquire():
                    break
            except BenchcrawlError as e:
                logger.warning("%s; retrying", e)
            if time.monotonic() >= deadline or self.stop.is_set():
                logger.error("another run held the lock for %.0f s; giving up", wait)
                return 1
            if not said:
                said = True
                logger.info("another run holds the lock; waiting up to %.0f s", wait)
            self.stop.wait(self.timing.poll)
        try:
            result = self._run("", "once")
        finally:
            self._release()
        if self.webhook is not None:
            self.webhook.flush(self.webhook.longest())
        return result.exit_code
