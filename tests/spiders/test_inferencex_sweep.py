"""End to end on the InferenceX (2026) replica: `scrapy crawl inferencemax`, real Chromium,
real Redis with two workers. Every expected row comes from the replica's own data
(``inferencex_data.as_of`` and its published rows), never from the code under test."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from benchcrawl.replica.inferencex_data import SiteData, as_of, generate, run_dates
from benchcrawl.replica.inferencex_server import InferenceXReplica
from tests.support.replica import (
    expected,
    inferencex_replica,
    read_history,
    read_results_csv,
    served_row,
)
from tests.support.worker import ScrapyProcess, scrapy_command, scrapy_env, wait_until

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]
USER_AGENT = "benchcrawl/0.1 (+https://github.com/benchcrawl/benchcrawl)"


@pytest.fixture
def site():
    with inferencex_replica(dates=4) as replica:
        yield replica


def crawl(
    replica: InferenceXReplica,
    data_dir: Path,
    log: Path,
    *,
    redis_url: str | None = None,
    args: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    config: Path | None = None,
) -> ScrapyProcess:
    env = scrapy_env(drop=("REDIS_URL", "DATA_DIR", "DATABASE_URL"))
    env["LOG_LEVEL"] = "INFO"
    if config is not None:
        env["BENCHCRAWL_CONFIG"] = str(config)
    if redis_url:
        env["REDIS_URL"] = redis_url
    cmd = scrapy_command(
        "crawl",
        "inferencemax",
        settings={"DATA_DIR": data_dir, **(settings or {})},
        args={"base_url": replica.url, **(args or {})},
    )
    return ScrapyProcess(log, cmd, env)


def run(replica: InferenceXReplica, data_dir: Path, log: Path, **kwargs: Any) -> ScrapyProcess:
    process = crawl(replica, data_dir, log, **kwargs)
    process.wait(240)
    return process


def today(data: SiteData) -> dict[str, list[dict]]:
    """What the dashboard shows today: each model at its newest run date."""
    return {m: as_of(data, m, days[-1]) for m, days in run_dates(data).items()}


def published(data: SiteData) -> dict[str, list[dict]]:
    """Every row the site has published, by model label."""
    return {m: [r for r in data.rows if r["model"] in data.keys_of(m)] for m in data.models}


def versions(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "archive").iterdir() if not p.name.startswith("."))


def test_todays_sweep_with_two_redis_workers_gives_the_rows_served(site, redis_url, tmp_path):
    site.latency = 0.3  # slow answers: both workers get combinations
    settings = {"CONCURRENT_REQUESTS": 2, "RESOURCES_ENABLED": False}
    workers = [
        crawl(site, tmp_path / "data", tmp_path / f"w{i}.log", redis_url=redis_url,
              settings=settings)
        for i in range(2)
    ]  # fmt: skip
    assert [w.wait(240) for w in workers] == [0, 0], workers[0].log[-3000:]
    rows = read_results_csv(tmp_path / "data" / "latest" / "results.csv")
    assert rows == expected(today(site.data))
    assert sum(w.log.count("/4 done:") for w in workers) == 4
    assert len(versions(tmp_path / "data")) == 1
    # one request per model, each at its newest run date, sent by the page itself
    newest = {(m, days[-1]) for m, days in run_dates(site.data).items()}
    assert set(site.benchmarks_selections()) == newest
    api = [r for r in site.requests if r.path.startswith("/api/")]
    assert api and all(r.fetch_mode == "cors" and r.user_agent == USER_AGENT for r in api)
    manifest = json.loads((tmp_path / "data" / "latest" / "manifest.json").read_text())
    assert {(s["model"], s["run_date"]) for s in manifest["sources"]} == newest


def test_history_sweep_with_two_workers_gives_every_published_row_once(site, redis_url, tmp_path):
    settings = {"CONCURRENT_REQUESTS": 2, "RESOURCES_ENABLED": False}
    workers = [
        crawl(site, tmp_path / "data", tmp_path / f"w{i}.log", redis_url=redis_url,
              args={"history": "all"}, settings=settings)
        for i in range(2)
    ]  # fmt: skip
    assert [w.wait(240) for w in workers] == [0, 0], workers[0].log[-3000:]
    planned = sum(len(d) for d in run_dates(site.data).values())
    assert sum(w.log.count(f"/{planned} done:") for w in workers) == planned
    # as-of answers repeat older rows: the history holds each published row exactly once
    history = read_history(tmp_path / "data")
    assert history == expected(published(site.data))
    assert len(history) == len(site.data.rows)
    # agentic rows (null isl/osl) and multinode rows (workers lists) are among them
    agentic = [r for r in site.data.rows if r["isl"] is None]
    multinode = [r for r in site.data.rows if r["workers"]]
    assert agentic and multinode
    names = {"dsr1": "DeepSeek-R1-0528", "glm5": "GLM-5"}
    assert served_row(agentic[0], names["dsr1"]) in history
    assert served_row(multinode[0], names[multinode[0]["model"]]) in history
    # the version shows what the dashboard shows today (at least)
    latest = read_results_csv(tmp_path / "data" / "latest" / "results.csv")
    assert set(expected(today(site.data))) <= set(latest) <= set(history)


def test_a_pooled_page_moves_to_its_models_next_run_date_in_place(site, tmp_path):
    """Each page loads the app once per model it shows; the model's other run dates are
    chosen in its Run date control, without a reload or a second availability answer."""
    done = run(site, tmp_path / "data", tmp_path / "w.log", args={"history": "all"},
               settings={"CONCURRENT_REQUESTS": 2})  # fmt: skip
    assert done.proc.returncode == 0, done.log[-3000:]
    planned = sum(len(d) for d in run_dates(site.data).values())
    selections = site.benchmarks_selections()
    assert len(selections) == len(set(selections)) == planned  # each answer asked for once
    loads = [r for r in site.requests if r.path == "/api/v1/availability"]
    # one load per page and model at most (4 models, 2 pages, the discovery page), not
    # one per combination
    assert len(loads) <= len(site.data.models) * 2 + 1 < planned
    assert read_history(tmp_path / "data") == expected(published(site.data))


def test_daily_run_after_a_backfill_loads_only_new_dates(site, tmp_path):
    data_dir = tmp_path / "data"
    first = run(site, data_dir, tmp_path / "history.log", args={"history": "all"})
    assert first.proc.returncode == 0, first.log[-3000:]
    # the next day: the generated site with one run date more
    site.set_data(generate(dates=5))
    site.clear_requests()
    daily = run(site, data_dir, tmp_path / "daily.log")
    assert daily.proc.returncode == 0, daily.log[-3000:]
    old, new = run_dates(generate(dates=4)), run_dates(site.data)
    fresh = {(m, d) for m, days in new.items() for d in days if d not in old.get(m, [])}
    assert fresh  # the fifth date brought new runs
    newest = {(m, days[-1]) for m, days in new.items()}
    assert set(site.benchmarks_selections()) == fresh | newest
    assert len(site.benchmarks_selections()) == len(fresh | newest)
    assert read_results_csv(data_dir / "latest" / "results.csv") == expected(today(site.data))
    assert read_history(data_dir) == expected(published(site.data))
    # the results database: every published result once, whatever the runs repeated
    with sqlite3.connect(data_dir / "benchcrawl.sqlite") as db:
        assert db.execute("SELECT count(*) FROM results").fetchone() == (len(site.data.rows),)
    # a day with nothing new: a version marked unchanged_from the one before
    site.clear_requests()
    again = run(site, data_dir, tmp_path / "again.log")
    assert again.proc.returncode == 0, again.log[-3000:]
    assert set(site.benchmarks_selections()) == newest
    found = versions(data_dir)
    manifest = json.loads((found[-1] / "manifest.json").read_text())
    assert manifest.get("unchanged_from") == found[-2].name


def test_since_loads_the_dates_from_then_on(site, tmp_path):
    days = run_dates(site.data)
    since = sorted({d for ds in days.values() for d in ds})[-2]
    result = run(site, tmp_path / "data", tmp_path / "since.log", args={"since": since})
    assert result.proc.returncode == 0, result.log[-3000:]
    wanted = {(m, d) for m, ds in days.items() for d in ds if d >= since or d == ds[-1]}
    assert set(site.benchmarks_selections()) == wanted


def test_targets_models_filters_by_the_model_control_labels(site, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text(
        "source: {base_url: 'http://127.0.0.1:9/', timeout: 20, retry_attempts: 2}\n"
        "targets: {models: ['Kimi-K2.5']}\n"
        f"data_dir: {tmp_path / 'unused'}\nschedule: '0 1 * * *'\n"
    )
    kimi = run(site, tmp_path / "data", tmp_path / "kimi.log", config=config)
    assert kimi.proc.returncode == 0, kimi.log[-3000:]
    rows = read_results_csv(tmp_path / "data" / "latest" / "results.csv")
    assert rows == expected({"Kimi-K2.5": today(site.data)["Kimi-K2.5"]})
    # two DB keys share the display name: both are in the one answer
    assert {json.loads(r)["model"] for r in rows} == {"kimik2.5", "kimik2.6"}


def test_a_killed_worker_loses_no_combination_of_a_history_sweep(site, redis_url, tmp_path):
    site.latency = 0.5  # slow answers: the sweep outlasts the kill
    settings = {
        "CONCURRENT_REQUESTS": 2,
        "RESOURCES_ENABLED": False,
        "FRONTIER_LEASE_TIME": 3,  # a dead worker's leases come back within seconds
    }
    workers = [
        crawl(site, tmp_path / "data", tmp_path / f"w{i}.log", redis_url=redis_url,
              args={"history": "all"}, settings=settings)
        for i in range(2)
    ]  # fmt: skip
    assert wait_until(lambda: " done: " in workers[1].log, 120), workers[1].log[-3000:]
    workers[1].kill9()
    assert workers[0].wait(240) == 0, workers[0].log[-3000:]
    assert read_history(tmp_path / "data") == expected(published(site.data))
