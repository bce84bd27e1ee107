"""Pure logic of the frontier: Bloom sizing, the idle clock, backoff, the outbox order."""

from __future__ import annotations

import hashlib

from benchcrawl.connection import Backoff
from benchcrawl.frontier.bloom import BloomShape
from benchcrawl.frontier.outbox import Outbox
from benchcrawl.frontier.queue import Push
from benchcrawl.frontier.timing import IdleClock


def test_bloom_shape_for_a_million_at_0_1_percent() -> None:
    shape = BloomShape.for_capacity(1_000_000, 0.001)
    assert shape.hashes == 10
    assert 1.79e6 < shape.nbytes < 1.8e6  # 14.4 bits per item
    assert abs(shape.false_positive_rate(1_000_000) - 0.001) < 0.0001


def test_bloom_positions_are_spread_and_repeatable() -> None:
    shape = BloomShape.for_capacity(1000, 0.01)
    fp = hashlib.sha1(b"x").digest()
    # another worker with the same settings marks the same bits for the same request
    assert BloomShape.for_capacity(1000, 0.01).positions(fp) == shape.positions(fp)
    assert len(set(shape.positions(fp))) == shape.hashes
    assert all(0 <= p < shape.bits for p in shape.positions(fp))


def test_a_full_bloom_filter_drops_about_its_error_rate_of_new_requests() -> None:
    # what a crawl notices: filled to capacity, the filter takes about 1% of never-seen
    # requests for seen ones (positions bunched together would drop far more)
    shape = BloomShape.for_capacity(1000, 0.01)
    bits = bytearray(shape.nbytes)
    for i in range(1000):
        for p in shape.positions(hashlib.sha1(b"seen %d" % i).digest()):
            bits[p // 8] |= 1 << (p % 8)
    dropped = sum(
        all(
            bits[p // 8] >> (p % 8) & 1
            for p in shape.positions(hashlib.sha1(b"new %d" % i).digest())
        )
        for i in range(20_000)
    )
    assert 0.005 < dropped / 20_000 < 0.02


def test_idle_clock_starts_at_first_idle_observation() -> None:
    clock = IdleClock(10)
    assert not clock.idle(1000.0)  # no matter how long since construction
    assert not clock.idle(1009.0)
    assert clock.idle(1010.0)
    clock.busy()
    assert not clock.idle(1011.0)


def test_backoff_doubles_and_reports_outages_once() -> None:
    b = Backoff(first=0.5, cap=2)
    assert b.failed(0.0) and not b.ready(0.4) and b.ready(0.5)
    assert not b.failed(0.5) and b.retry_at == 1.5
    b.failed(1.5)
    b.failed(3.5)
    assert b.delay == 2
    assert b.succeeded(4.0) == 4.0 and b.succeeded(5.0) is None and b.ready(5.0)


def test_outbox_commits_a_prefix_in_order() -> None:
    box = Outbox()
    p = Push(True, 0, "{}", [b"f"])
    box.push(p)
    box.ack("a")
    box.push(p)
    box.fail("b", "{}")
    first = box.peek(2)
    assert (first.pushes, first.acks, first.fails) == ([p], ["a"], [])
    box.drop(len(first))
    rest = box.peek(10)
    assert (rest.pushes, rest.acks, rest.fails) == ([p], [], [("b", "{}")])
