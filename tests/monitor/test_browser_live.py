"""The page in real Chromium follows a live worker without being reloaded: a serving broad
worker (``-a serve=1``) shows busy with the URL it fetches, then, paused by a flag set in
Redis, serving (idle, waiting for work), then busy again; a sweep record and a scheduler's
next tick written meanwhile appear too. The InferenceX results of the latest version are
on the same page. Leaves a screenshot in docs/monitor.png (for the README) when
BENCHCRAWL_UPDATE_SCREENSHOT is set."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.broad_farm import generated_site
from benchcrawl.items import CombinationResult
from benchcrawl.scheduling import defaults as schedule_defaults
from benchcrawl.scheduling.state import RedisState
from benchcrawl.sweep.redis import RedisSweepStore
from tests.broad.conftest import broad_env, make_farm, run_seed, scrapy_args  # noqa: F401
from tests.monitor.test_browser import CHROMIUM, CHROMIUM_ARGS, TOKEN, start_monitor
from tests.monitor.test_live import _results
from tests.support.redis_server import RedisServer
from tests.support.worker import PROJECT, scrapy_command, wait_until

pytestmark = pytest.mark.slow  # Chromium, nginx, a scrapy worker and the monitor

HOSTS = [f"127.0.0.{71 + i}" for i in range(4)]
PAGES = 120  # per host: about 30 s at the delay below, long enough to pause it
SCREENSHOT = PROJECT / "docs" / "monitor.png"
WAIT_MS = 60_000  # a generous limit for what the page's script shows (it polls every 3 s)


def _said(r, field: str) -> str:
    value = r.hget("broad:nodes:w1", field)
    return value.decode() if value is not None else ""


@pytest.mark.timeout(300)
def test_the_page_follows_a_live_serving_worker_without_a_reload(
    make_farm,  # noqa: F811
    scrapy_process,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    farm = make_farm({h: generated_site(i, PAGES, 4, 2000, HOSTS) for i, h in enumerate(HOSTS)})
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in HOSTS))
    assert run_seed(redis_server.url, seeds).returncode == 0
    data = tmp_path / "data"
    version, rows = _results(data)
    want = {"hardware": "b200", "framework": "vllm", "precision": "fp8", "date": "2026-06-19"}
    expected = sum(1 for row in rows if all(row[k] == v for k, v in want.items()))
    settings = {
        "RESOURCES_ENABLED": "True",
        "RESOURCES_NODE_ID": "w1",
        "RESOURCES_CPU_LIMIT": "101",  # about the page, not the load
        "RESOURCES_CPU_RESUME": "101",
        "BROAD_MIN_DELAY": "0.25",
        "BROAD_WARC_DIR": "",
        "MONITOR_SERIES_INTERVAL": "1",  # a line in the chart of the screenshot
    }
    cmd = scrapy_command("crawl", "broad", args={"serve": "1"}) + scrapy_args(
        redis_server.url, settings
    )
    worker = scrapy_process("worker", cmd, broad_env())
    monitor, url = start_monitor(scrapy_process, redis_server.url, data)
    r = redis_server.client()
    assert wait_until(lambda: _said(r, "activity") == "busy", 60), worker.log[-3000:]
    assert _said(r, "mode") == "serve"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            errors: list[str] = []  # script errors and CSP refusals (404s are below)
            page.on(
                "console",
                lambda m: (
                    errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )
            failed: list[str] = []  # answers >= 400 but the favicon the page does not have
            page.on(
                "response",
                lambda a: (
                    failed.append(f"{a.status} {a.url}")
                    if a.status >= 400 and not a.url.endswith("/favicon.ico")
                    else None
                ),
            )
            page.goto(url)
            page.get_by_label("Token").fill(TOKEN)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{url}/")
            page.evaluate("window.notReloaded = true")  # gone if the page reloads
            row = page.locator("#workers tr", has_text="w1")
            expect(row).to_contain_text("busy", timeout=WAIT_MS)
            expect(row.locator("td.doing")).to_contain_text("http://127.0.0.7", timeout=WAIT_MS)
            expect(page.locator("#live-status")).to_contain_text("updated", timeout=WAIT_MS)

            # a sweep opens and a scheduler announces its next tick: both appear
            store = RedisSweepStore(r, "inferencemax:sweep", 3600, 3600)
            sid, _ = store.join(time.time())
            store.set_plan(sid, [("DeepSeek-R1-0528", "2026-06-14"), ("Kimi-K2.5", "")])
            store.record_result(
                CombinationResult(
                    sid,
                    1,
                    "DeepSeek-R1-0528",
                    "2026-06-14",
                    "benchmarks",
                    "http://127.0.0.1/api",
                    "2026-06-20T00:00:00Z",
                    200,
                    "application/json",
                    b"[]",
                )  # fmt: skip
            )
            tick = datetime.fromtimestamp((time.time() // 3600 + 3) * 3600, UTC)
            RedisState(
                r, "x", next_key=schedule_defaults.SCHEDULE_NEXT_KEY % {"spider": "inferencemax"}
            ).announce(
                f"{tick:%Y-%m-%dT%H:%M:%SZ}",
                600,
                cron=f"0 {tick.hour} * * *",
                spider="inferencemax",
            )
            expect(page.locator("#sweeps")).to_contain_text(
                "1 of 2 combinations done", timeout=WAIT_MS
            )
            expect(page.locator("#next-ticks")).to_contain_text(
                f"next sweep at {tick:%H:%M} UTC", timeout=WAIT_MS
            )

            # paused by a flag (as another monitor would): nothing in flight, it serves idle
            r.set("broad:pause", "paused by the test")
            assert wait_until(lambda: _said(r, "activity") == "idle", 60, 0.1), worker.log[-2000:]
            expect(row).to_contain_text("serving", timeout=WAIT_MS)
            expect(row.locator("td.doing")).to_contain_text("http://127.0.0.7")  # the last one
            r.delete("broad:pause")
            expect(row).to_contain_text("busy", timeout=WAIT_MS)
            assert page.evaluate("window.notReloaded") is True

            # the results, filtered from the page's drop-downs (a form: this one reloads)
            page.locator("#data select[name=hardware]").select_option("b200")
            page.locator("#data select[name=framework]").select_option("vllm")
            page.locator("#data select[name=precision]").select_option("fp8")
            page.locator("#data select[name=date]").select_option("2026-06-19")
            page.get_by_role("button", name="Filter").click()
            page.wait_for_url("**hardware=b200**")
            results = page.locator("#data")
            expect(results).to_contain_text(f"rows of version {version.name} (results.csv)")
            expect(results.locator("tbody tr")).to_have_count(expected)
            expect(page.locator("#workers tr", has_text="w1")).to_contain_text("busy")
            expect(page.locator("#live-status")).to_contain_text("updated", timeout=WAIT_MS)
            page.screenshot(path=str(tmp_path / "monitor.png"), full_page=True)
            if os.environ.get("BENCHCRAWL_UPDATE_SCREENSHOT"):
                page.screenshot(path=str(SCREENSHOT), full_page=True)
            with page.expect_download() as download:
                results.get_by_role("link", name="Download CSV").click()
            lines = Path(download.value.path()).read_text().splitlines()
            assert len(lines) == 1 + expected and lines[0].startswith("model,model_name,")
            assert (errors, failed) == ([], [])
        finally:
            browser.close()
    # its crawl done, a serving worker stays up, idle, until it is told to stop
    assert wait_until(lambda: _said(r, "activity") == "idle", 180), worker.log[-3000:]
    assert worker.proc.poll() is None, worker.log[-3000:]
    worker.proc.send_signal(signal.SIGTERM)
    assert worker.wait(60) == 0, worker.log[-3000:]
    assert "Traceback" not in monitor.log + worker.log
