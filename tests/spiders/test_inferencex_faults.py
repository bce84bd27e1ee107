"""Bad answers on the InferenceX replica: each fails its combination in one sentence (model,
run date, URL, what was wrong), no version is written, ``latest`` stays, exit code 1; a 5xx
once is retried; new fields and metrics become columns; a page of no known generation is
one sentence naming what it requested; the 2026 snapshot when ``../shared`` has it."""

from __future__ import annotations

import json

import pytest

from benchcrawl.replica.inferencex_data import (
    SNAPSHOT_MODEL,
    as_of,
    default_snapshot_dir,
    load_snapshot,
    run_dates,
)
from benchcrawl.replica.inferencex_server import NEW_FIELD, NEW_METRIC, InferenceXReplica
from benchcrawl.replica.server import HttpReplica
from tests.spiders.test_inferencex_sweep import run, today, versions
from tests.support.replica import (
    expected,
    inferencex_replica,
    read_history,
    read_results_csv,
)

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]
MODEL = "GLM-5"


@pytest.fixture
def good_run(tmp_path):
    """A replica and a data dir holding one good version (``latest``)."""
    with inferencex_replica(dates=2) as site:
        first = run(site, tmp_path / "data", tmp_path / "good.log")
        assert first.proc.returncode == 0, first.log[-3000:]
        yield site, tmp_path / "data"


@pytest.mark.parametrize(
    ("mode", "what"),
    [
        ("html", "an HTML page"),
        ("truncated", "a cut or broken JSON body"),
        ("error", 'an error object {"error": "Internal server error"}'),
        ("empty", "an empty array"),
        ("500", "answered HTTP 500"),
    ],
)
def test_bad_answer_fails_the_sweep_in_one_sentence_and_keeps_latest(
    good_run, tmp_path, mode, what
):
    site, data_dir = good_run
    before = (data_dir / "latest").resolve()
    day = run_dates(site.data)[MODEL][-1]
    site.set_fault(mode, MODEL, day)
    result = run(site, data_dir, tmp_path / f"{mode}.log")
    assert result.proc.returncode == 1
    url = f"{site.url}api/v1/benchmarks?model={MODEL}&date={day}"
    sentence = f"{MODEL} at run date {day}: {url} answered "
    assert sentence in result.log and what in result.log, result.log[-3000:]
    assert "Traceback" not in result.log
    assert (data_dir / "latest").resolve() == before
    assert versions(data_dir) == [before]
    if mode == "500":  # retried as today before it failed for good
        assert f"retrying combination {MODEL} at run date {day}" in result.log


def test_500_once_is_retried_and_gives_the_rows_served(good_run, tmp_path):
    site, data_dir = good_run
    day = run_dates(site.data)[MODEL][-1]
    site.set_fault("500-once", MODEL, day)
    result = run(site, data_dir, tmp_path / "once.log")
    assert result.proc.returncode == 0, result.log[-3000:]
    assert f"retrying combination {MODEL} at run date {day}" in result.log
    assert read_results_csv(data_dir / "latest" / "results.csv") == expected(today(site.data))


def test_new_fields_and_metrics_become_columns(good_run, tmp_path):
    site, data_dir = good_run
    site.set_fault("new-fields")
    result = run(site, data_dir, tmp_path / "new.log")
    assert result.proc.returncode == 0, result.log[-3000:]
    header = (data_dir / "latest" / "results.csv").read_text().splitlines()[0].split(",")
    assert NEW_FIELD in header and NEW_METRIC in header
    served = {m: site.answer(m, days[-1]) for m, days in run_dates(site.data).items()}
    assert read_results_csv(data_dir / "latest" / "results.csv") == expected(served)


class _Elsewhere(HttpReplica):
    """A page that fetches neither 2025 data files nor the 2026 availability answer."""

    def _handle(self, h, method):
        body = (
            b"<!DOCTYPE html><html><body><script>fetch('/api/v2/catalog');"
            b"fetch('/graphql');</script></body></html>"
            if h.path == "/"
            else b"{}"
        )
        h.send_response(200)
        h.send_header("Content-Type", "text/html" if h.path == "/" else "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


def test_a_page_of_no_known_generation_is_one_sentence(tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text(
        "source: {base_url: 'http://127.0.0.1:9/', timeout: 3, retry_attempts: 0}\n"
        "targets: {models: [], sequences: []}\n"
        f"data_dir: {tmp_path / 'unused'}\nschedule: '0 1 * * *'\n"
    )
    with _Elsewhere() as page:
        result = run(page, tmp_path / "data", tmp_path / "none.log", config=config)  # type: ignore[arg-type]
    assert result.proc.returncode == 1
    assert f"the page at {page.url} is none of the known dashboard generations" in result.log
    assert "it requested /api/v2/catalog, /graphql" in result.log
    assert "Traceback" not in result.log


def test_sweep_of_the_2026_snapshot(tmp_path):
    snap = default_snapshot_dir()
    if snap is None:
        pytest.skip("../shared/inferencex/snapshots/2026-06 is absent: the real answers' sweep")
    data = load_snapshot(snap)
    with InferenceXReplica(data, hydrate_delay=0.2) as site:
        result = run(site, tmp_path / "data", tmp_path / "snap.log", args={"history": "all"})
    assert result.proc.returncode == 0, result.log[-3000:]
    days = run_dates(data)[SNAPSHOT_MODEL]
    served = {SNAPSHOT_MODEL: [r for d in days for r in as_of(data, SNAPSHOT_MODEL, d)]}
    assert read_history(tmp_path / "data") == expected(served)
    manifest = json.loads((tmp_path / "data" / "latest" / "manifest.json").read_text())
    assert len(manifest["sources"]) == len(days)


def test_robots_txt_obeyed_still_sweeps_and_never_requests_the_api_itself(tmp_path):
    with inferencex_replica(dates=2) as site:
        result = run(
            site, tmp_path / "data", tmp_path / "robots.log", settings={"ROBOTSTXT_OBEY": True}
        )
        requests = site.requests
    assert result.proc.returncode == 0, result.log[-3000:]
    api = [r for r in requests if r.path.startswith("/api/")]
    assert api and all(r.fetch_mode == "cors" for r in api)  # the page's fetch, never a load
    assert not any(r.fetch_mode == "navigate" and r.path.startswith("/api/") for r in requests)
    assert any(r.path == "/robots.txt" for r in requests)


def test_history_argument_is_one_sentence(tmp_path):
    with inferencex_replica(dates=2) as site:
        result = run(site, tmp_path / "data", tmp_path / "bad.log", args={"history": "some"})
    assert result.proc.returncode != 0
    assert "-a history accepts only 'all', got 'some'." in result.log
    assert "Traceback" not in result.log


def test_an_unreadable_history_fails_the_daily_run_in_one_sentence(good_run, tmp_path):
    site, data_dir = good_run
    before = (data_dir / "latest").resolve()
    (data_dir / "history" / "results.parquet").write_bytes(b"not parquet")
    result = run(site, data_dir, tmp_path / "broken.log")
    assert result.proc.returncode == 1
    assert "option discovery: " in result.log and "results.parquet" in result.log
    assert "Traceback" not in result.log
    assert (data_dir / "latest").resolve() == before
