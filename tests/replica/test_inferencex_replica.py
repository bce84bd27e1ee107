"""The InferenceX (2026) replica: its API with as-of semantics, robots.txt, faults, the
request log, and its page in a real Chromium (controls, URL state, what it requests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from benchcrawl.replica.inferencex_data import (
    as_of,
    availability_of,
    default_snapshot_dir,
    generate,
    line_of,
    load_snapshot,
    run_dates,
)
from benchcrawl.replica.inferencex_server import InferenceXReplica

CHROMIUM = "/usr/bin/chromium"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with _OPENER.open(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture
def site() -> Iterator[InferenceXReplica]:
    with InferenceXReplica(generate(dates=6), hydrate_delay=0.05) as rep:
        yield rep


def bench(site: InferenceXReplica, model: str, day: str | None = None, exact: bool = False):
    url = f"{site.url}api/v1/benchmarks?model={quote(model)}"
    url += (f"&date={day}" if day else "") + ("&exact=true" if exact else "")
    return fetch(url)


def test_generated_site_has_what_the_tests_need():
    data = generate(dates=30)
    dates = run_dates(data)
    assert sum(len(d) for d in dates.values()) >= 80  # combinations of a history sweep
    assert {r["model"] for r in data.rows if r["model"].startswith("kimi")} == {
        "kimik2.5",
        "kimik2.6",
    }
    assert any(r["isl"] is None and r["benchmark_type"] == "agentic_traces" for r in data.rows)
    assert any(isinstance(r["workers"], list) for r in data.rows)
    assert generate(dates=30).rows == data.rows  # deterministic


def test_as_of_answer_is_each_lines_newest_run_on_or_before_the_date(site):
    data = site.data
    days = run_dates(data)["DeepSeek-R1-0528"]
    day = days[3]
    status, body = bench(site, "DeepSeek-R1-0528", day)
    rows = json.loads(body)
    assert status == 200 and rows == as_of(data, "DeepSeek-R1-0528", day)
    assert len({r["date"] for r in rows}) > 1  # one answer mixes dates
    # checked from first principles: per line, the newest date on or before `day`
    for r in rows:
        newer = [o for o in data.rows if line_of(o) == line_of(r) and r["date"] < o["date"] <= day]
        assert not newer
    exact = json.loads(bench(site, "DeepSeek-R1-0528", day, exact=True)[1])
    assert exact and {r["date"] for r in exact} == {day}
    newest = json.loads(bench(site, "DeepSeek-R1-0528")[1])
    assert newest == as_of(data, "DeepSeek-R1-0528", days[-1])


def test_two_keys_one_display_name_answer_together(site):
    rows = json.loads(bench(site, "Kimi-K2.5", run_dates(site.data)["Kimi-K2.5"][-1])[1])
    assert {r["model"] for r in rows} == {"kimik2.5", "kimik2.6"}


def test_unknown_model_robots_and_availability(site):
    assert bench(site, "GPT-9") == (400, b'{"error":"Unknown model"}')
    assert fetch(site.url + "robots.txt") == (200, b"User-agent: *\nAllow: /\nDisallow: /api/\n")
    status, body = fetch(site.url + "api/v1/availability")
    assert status == 200 and json.loads(body) == availability_of(site.data.rows)


def test_faults_and_the_request_count(site):
    day = run_dates(site.data)["GLM-5"][-1]
    site.set_fault("500-once", "GLM-5", day)
    assert bench(site, "GLM-5", day)[0] == 500
    assert bench(site, "GLM-5", day)[0] == 200
    site.set_fault("truncated", "GLM-5")
    status, body = bench(site, "GLM-5", day)
    assert status == 200 and len(body) < len(json.dumps(as_of(site.data, "GLM-5", day)))
    site.set_fault("error")
    assert bench(site, "gpt-oss-120b", day)[1] == b'{"error":"Internal server error"}'
    site.set_fault("new-fields")
    rows = json.loads(bench(site, "gpt-oss-120b")[1])
    assert rows == site.answer("gpt-oss-120b") and "kv_cache_dtype" in rows[0]
    status, body = fetch(site.url + "__replica/stats")
    stats = json.loads(body)
    assert stats["benchmarks"] == 5 == len(site.benchmarks_requests())
    assert stats["selections"][0] == ["GLM-5", day]


def test_snapshot_replica_serves_the_real_newest_rows():
    snap = default_snapshot_dir()
    if snap is None:
        pytest.skip("../shared/inferencex/snapshots/2026-06 is absent")
    data = load_snapshot(snap)
    with InferenceXReplica(data) as rep:
        rows = json.loads(bench(rep, "DeepSeek-R1-0528")[1])
        availability = json.loads(fetch(rep.url + "api/v1/availability")[1])
    assert len(availability) == 689
    real = json.loads((snap / "benchmarks.json").read_bytes())
    assert rows and all(r in real for r in rows)


def test_command_line_serves_the_2026_generation(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchcrawl.replica", "--generation", "inferencex", "--port", "0",
         "--dates", "3"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("replica serving http://127.0.0.1:") and "InferenceX" in line
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


# --- the page in Chromium -------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (Chromium not installed)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def _choose(page: Any, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.slow  # real Chromium
def test_page_controls_url_state_and_requests(browser, site):
    from playwright.sync_api import expect

    dates = run_dates(site.data)
    page = browser.new_page()
    page.goto(site.url)
    for label in ("Model", "ISL / OSL", "Precision", "Run date"):
        expect(page.get_by_role("combobox", name=label, exact=True)).to_be_visible()
    expect(page.locator(".summary")).to_be_visible()
    default = site.data.default_model
    assert site.benchmarks_selections() == [(default, dates[default][-1])]
    assert page.url == site.url  # defaults are not written

    site.clear_requests()
    _choose(page, "ISL / OSL", "8K / 1K")
    _choose(page, "Precision", "FP4")
    expect(page.locator(".summary")).to_be_visible()
    assert "i_seq=8k%2F1k" in page.url and "i_prec=fp4" in page.url
    page.wait_for_timeout(200)
    assert site.benchmarks_selections() == []  # the browser filters the one answer

    with page.expect_response(lambda r: "/api/v1/benchmarks" in r.url):
        _choose(page, "Model", "GLM-5")
    assert site.benchmarks_selections() == [("GLM-5", dates["GLM-5"][-1])]
    assert "g_model=GLM-5" in page.url and "g_rundate" not in page.url
    page.close()

    site.clear_requests()
    day = dates["Kimi-K2.5"][1]
    page = browser.new_page()
    with page.expect_response(lambda r: "/api/v1/benchmarks" in r.url):
        page.goto(f"{site.url}?g_model=Kimi-K2.5&g_rundate={day}")
    assert site.benchmarks_selections() == [("Kimi-K2.5", day)]  # opens that selection
    page.close()
