"""supervise(): a run's timeout, lock renewal and stop, with a fake run and clock."""

from __future__ import annotations

from benchcrawl.exceptions import RedisUnavailable
from benchcrawl.scheduling.runner import supervise


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeRun:
    """Ends with *code* at *ends* s (never if None); each wait advances the clock."""

    def __init__(self, clock: Clock, ends: float | None, code: int = 0) -> None:
        self.clock, self.ends, self.code, self.stopped = clock, ends, code, False

    def wait(self, timeout: float) -> int | None:
        self.clock.now += timeout
        if self.ends is not None and self.clock.now >= self.ends:
            return self.code
        return None

    def stop(self, grace: float) -> None:
        self.stopped = True

    def detail(self) -> str:
        return ""


class FakeLock:
    def __init__(self, answers: list[object]) -> None:
        self.ttl, self.holder, self.answers, self.renewals = 3.0, "me", answers, 0

    def renew(self) -> bool:
        self.renewals += 1
        answer = self.answers.pop(0) if self.answers else True
        if isinstance(answer, Exception):
            raise answer
        return bool(answer)

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


def test_a_run_that_ends_keeps_its_code_and_the_lock_is_renewed_meanwhile():
    clock = Clock()
    lock = FakeLock([])
    ended = supervise(FakeRun(clock, 10.0, 1), lock, 60, lambda: False, clock=clock)
    assert (ended.code, ended.reason) == (1, "exited")
    assert lock.renewals == 9  # every ttl/3 = 1 s


def test_a_run_over_the_timeout_is_stopped():
    clock = Clock()
    run = FakeRun(clock, None)
    ended = supervise(run, FakeLock([]), 5, lambda: False, clock=clock)
    assert (ended.code, ended.reason, run.stopped) == (None, "timeout", True)


def test_a_lock_taken_by_another_stops_the_run_at_once():
    clock = Clock()
    run = FakeRun(clock, None)
    ended = supervise(run, FakeLock([True, False]), 0, lambda: False, clock=clock)
    assert (ended.reason, run.stopped) == ("lock lost", True)
    assert clock.now <= 2.5


def test_a_lock_that_cannot_be_renewed_stops_the_run_before_it_can_expire():
    clock = Clock()
    run = FakeRun(clock, None)
    down = RedisUnavailable("cannot renew")
    ended = supervise(run, FakeLock([down] * 10), 0, lambda: False, clock=clock)
    assert ended.reason == "lock lost" and 2.0 <= clock.now < 3.0  # 2/3 of the 3 s ttl


def test_stopping_the_scheduler_stops_the_run():
    clock = Clock()
    run = FakeRun(clock, None)
    ended = supervise(run, FakeLock([]), 0, lambda: clock.now > 1, clock=clock)
    assert (ended.reason, run.stopped) == ("stopped", True)
