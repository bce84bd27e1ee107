"""What a worker says it does (pure): its mode, the label of a request, busy or idle."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy import Request

from benchcrawl.resources.activity import BUSY, IDLE, Activity, label, mode_of


@pytest.mark.parametrize(
    ("serve", "mode"),
    [(None, "job"), ("1", "serve"), ("true", "serve"), ("0", "job"), ("false", "job"),
     ("", "job"), (True, "serve"), (0, "job")],
)  # fmt: skip
def test_mode_follows_the_spiders_serve_argument(serve, mode) -> None:
    spider = SimpleNamespace() if serve is None else SimpleNamespace(serve=serve)
    assert mode_of(spider) == mode


def test_a_combination_is_named_by_model_and_sequence_or_run_date_else_the_url() -> None:
    combo = {"index": 4, "model": "Llama 3.3 70B", "sequence": "8K / 1K"}
    assert label("http://x/", {"combination": combo}) == "Llama 3.3 70B x 8K / 1K"
    x = {"index": 2, "model": "DeepSeek-R1-0528", "sequence": "2026-06-14", "generation": "x"}
    assert label("http://x/", {"combination": x}) == "DeepSeek-R1-0528 @ 2026-06-14"
    assert label("http://x/", {"combination": {**x, "sequence": ""}}).endswith("@ latest run")
    assert label("http://x/", {"combination": {"index": 0}}) == "option discovery"
    assert label("http://x/", {"combination": {"index": -1, "warm": True}}).startswith("opening")
    assert label("http://h/" + "a" * 500, {}) == ("http://h/" + "a" * 500)[:200]


def test_busy_shows_the_oldest_request_in_flight_and_idle_the_last_one() -> None:
    a, b = Request("http://h/a"), Request("http://h/b", meta={"sweep_id": "s", "combination": {
        "index": 1, "model": "m", "sequence": "1K / 1K"}})  # fmt: skip
    act = Activity()
    assert act.report(100.0) == act.report(100.0)
    assert act.report(100.0).activity == IDLE and act.report(100.0).doing == ""
    act.started(a, 10.0)
    act.started(b, 11.0)
    busy = act.report(12.0)
    assert (busy.activity, busy.doing, busy.since, busy.sweep, busy.taken) == (
        BUSY, "http://h/a", 10.0, "s", 1)  # fmt: skip
    act.finished(a, 13.0)
    assert (act.report(14.0).doing, act.report(14.0).since) == ("m x 1K / 1K", 11.0)
    act.finished(b, 15.0)
    idle = act.report(16.0)
    assert (idle.activity, idle.doing, idle.since) == (IDLE, "m x 1K / 1K", 15.0)
    # a new sweep starts the count of combinations taken again
    act.started(Request("http://h/c", meta={"sweep_id": "t", "combination": {"index": 5}}), 17)
    assert (act.report(18.0).sweep, act.report(18.0).taken) == ("t", 1)
