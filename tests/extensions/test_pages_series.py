"""The worker's pages/min series for the monitor, against a real Redis: a sample written and
kept within the window; Redis out of reach said once as a WARNING (in the logger's own name,
no prefix), and its return once."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from twisted.python.failure import Failure

from benchcrawl.extensions.pages_series import PagesSeries
from tests.support.redis_server import RedisServer, free_port

LOGGER = "benchcrawl.extensions.pages_series"


@pytest.fixture
def client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    c = redis_server.client()
    yield c
    c.close()


def test_a_sample_is_written_and_old_ones_dropped(client: redis.Redis) -> None:
    series = PagesSeries(client, "s:series:n1", 1.0, 600)
    series.write(1000.0, 12.5)
    series.write(1700.0, 3.0)  # 700 s later: the first is out of the 600 s window
    assert client.zrange("s:series:n1", 0, -1) == [b"1700:3.0"]
    assert 0 < client.ttl("s:series:n1") <= 600


def test_redis_out_of_reach_is_one_warning_then_its_return_one_line(
    client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    down = redis.Redis(port=free_port(), retry=Retry(NoBackoff(), 0))  # nothing listens
    series = PagesSeries(down, "s:series:n1", 1.0, 600)
    caplog.set_level(logging.INFO, LOGGER)
    with pytest.raises(redis.ConnectionError) as raised:
        series.write(1000.0, 1.0)
    failure = Failure(raised.value)
    down.close()
    for _ in range(3):  # the loop's errback, once a tick while Redis stays away
        series._failed(failure)
    series.client = client
    series.write(1001.0, 1.0)
    assert [(r.levelname, r.getMessage().split(":")[0]) for r in caplog.records] == [
        ("WARNING", "could not write the monitor's pages/min series"),
        ("INFO", "the monitor's pages/min series reaches Redis again"),
    ]
    assert client.zcard("s:series:n1") == 1
