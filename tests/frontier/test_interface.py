"""Both queues implement the frontier's queue interface; the polite one is not a subclass of
the plain one and registers only the scripts it runs."""

from __future__ import annotations

import inspect

import pytest

from benchcrawl.frontier.interface import FrontierQueue
from benchcrawl.frontier.queue import FrontierKeys, LeasedQueue
from benchcrawl.polite.keys import PoliteKeys
from benchcrawl.polite.queue import PoliteQueue

METHODS = [
    "from_crawler",
    "for_inspection",
    "lease",
    "commit",
    "maintain",
    "release",
    "leave",
    "requeue_failed",
    "report",
    "purge",
]


class Server:
    """Counts script registrations (what a queue's constructor does with Redis)."""

    def __init__(self) -> None:
        self.scripts: list[str] = []

    def register_script(self, source: str) -> str:
        self.scripts.append(source)
        return source


KEYS = FrontierKeys(*(f"t:{n}" for n in "queue data leases owners failed seq workers dupe".split()))
POLITE = PoliteKeys(*(f"t:p{i}:" for i in range(12)))


@pytest.mark.parametrize("cls", [LeasedQueue, PoliteQueue])
def test_every_queue_has_the_whole_interface(cls):
    for name in METHODS:
        assert callable(getattr(cls, name, None)), f"{cls.__name__} lacks {name}"
        mine = inspect.signature(getattr(cls, name)).parameters
        wanted = inspect.signature(getattr(FrontierQueue, name)).parameters
        assert list(mine)[: len(wanted)] == list(wanted), name


def test_the_polite_queue_is_not_a_leased_queue_and_registers_what_it_runs():
    assert not issubclass(PoliteQueue, LeasedQueue)
    server = Server()
    queue = PoliteQueue(
        server, KEYS, "w", "exact", POLITE, min_delay=1, lookahead=0, domain_cap=0, idle_poll=0.1
    )
    assert isinstance(queue, FrontierQueue)
    assert len(server.scripts) == 5
    assert all("local function requeue_polite" in s for s in server.scripts)
