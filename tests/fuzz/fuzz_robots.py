"""Fuzz the robots.txt path (``benchcrawl.broad.robots``): a fetched file through
``classify`` and Protego, and an entry read back from the shared Redis.

Contract: ``classify``, ``RobotsRules.allowed`` and ``crawl_delay`` never raise;
``RobotsEntry.loads`` raises only ValueError, and reads back what ``dumps`` wrote.
"""

from __future__ import annotations

import atheris
from _harness import main

with atheris.instrument_imports(include=["benchcrawl"]):
    from benchcrawl.broad.robots import RobotsEntry, RobotsRules, classify

UA = "benchcrawl-broad/0.1 (+mailto:crawl@example.org)"
STATUSES = [None, 200, 204, 301, 404, 429, 500, 503]


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeBool():  # a value another program put in Redis
        try:
            RobotsEntry.loads(fdp.ConsumeBytes(fdp.remaining_bytes()))
        except ValueError:
            pass
        return
    status = STATUSES[fdp.ConsumeIntInRange(0, len(STATUSES) - 1)]
    url = "http://h" + fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 300))
    entry = classify(status, fdp.ConsumeBytes(fdp.remaining_bytes()))
    assert RobotsEntry.loads(entry.dumps()) == entry
    rules = RobotsRules(entry, UA)
    assert isinstance(rules.allowed(url), bool)
    delay = rules.crawl_delay()
    assert delay is None or isinstance(delay, float)


if __name__ == "__main__":
    main(one_input)
