"""The monitor in real Chromium against a live broad worker: sign in, see the node, "Pause
all" stops its fetches (its heartbeat says paused, nginx's log stops growing), "Resume all"
starts them again; no token means 401 and a POST without the CSRF token is refused.
(The README's screenshot is drawn by test_browser_live.py.)"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from bench._farm import free_port
from bench.broad_farm import BroadFarm, generated_site
from tests.broad.conftest import broad_env, make_farm, run_seed, start_worker  # noqa: F401
from tests.support.redis_server import RedisServer
from tests.support.worker import ScrapyProcess, scrapy_command, wait_until

pytestmark = pytest.mark.slow  # Chromium, nginx, a scrapy worker and the monitor

HOSTS = [f"127.0.0.{61 + i}" for i in range(4)]
PAGES = 150  # per host: about 40 s at the delay below, long enough to pause it
TOKEN = "browser-test-token-51c2"
CHROMIUM = os.environ.get("BENCHCRAWL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _fetched(farm: BroadFarm) -> int:
    return sum(1 for fs in farm.by_host().values() for f in fs if f.uri != "/robots.txt")


def _settled(farm: BroadFarm) -> Callable[[], bool]:
    """A predicate: nginx served nothing new since it was last asked (asked every 0.5 s, two
    quiet answers in a row are about 1 s without a fetch at a 0.25 s delay per host)."""
    seen: list[int] = []

    def quiet() -> bool:
        seen.append(_fetched(farm))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

    return quiet


def start_monitor(
    scrapy_process: Callable[..., ScrapyProcess], redis_url: str, data_dir: Path
) -> tuple[ScrapyProcess, str]:
    port = free_port()
    env = broad_env() | {
        "REDIS_URL": redis_url,
        "BENCHCRAWL_MONITOR_TOKEN": TOKEN,
        "DATA_DIR": str(data_dir),
    }
    monitor = scrapy_process("monitor", scrapy_command("monitor", "--port", str(port)), env)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            urllib.request.urlopen(f"{url}/openapi.json", timeout=2).close()
            return True
        except OSError:
            return False

    assert wait_until(up, 60, 0.2), monitor.log[-3000:]
    return monitor, url


@pytest.mark.timeout(240)
def test_pause_all_and_resume_all_from_the_page(
    make_farm,  # noqa: F811
    start_worker,  # noqa: F811
    scrapy_process,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    farm = make_farm({h: generated_site(i, PAGES, 4, 2000, HOSTS) for i, h in enumerate(HOSTS)})
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in HOSTS))
    assert run_seed(redis_server.url, seeds).returncode == 0
    worker = start_worker(
        RESOURCES_ENABLED="True",
        RESOURCES_NODE_ID="m0",
        RESOURCES_CPU_LIMIT="101",  # about the flags, not the load
        RESOURCES_CPU_RESUME="101",
        BROAD_MIN_DELAY="0.25",
        BROAD_WARC_DIR="",
        MONITOR_SERIES_INTERVAL="1",
    )
    monitor, url = start_monitor(scrapy_process, redis_server.url, tmp_path / "data")
    r = redis_server.client()
    assert wait_until(lambda: r.hget("broad:nodes:m0", "state") == b"running", 60), worker.log[
        -3000:
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(url)
            page.get_by_label("Token").fill(TOKEN)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{url}/")
            node = page.locator("#nodes tr", has_text="m0")
            expect(node).to_be_visible(timeout=10_000)
            assert wait_until(lambda: _fetched(farm) >= 30, 60)

            page.get_by_role("button", name="Pause all", exact=True).click()
            page.wait_for_load_state()
            # the worker's heartbeat publishes the decision (it lags the flag by up to one
            # heartbeat); what it already held finishes, then nginx's log stops growing
            assert wait_until(lambda: r.hget("broad:nodes:m0", "state") == b"paused", 60, 0.1), (
                r.get("broad:pause"),
                r.hgetall("broad:nodes:m0"),
                monitor.log[-2000:],
            )
            assert wait_until(_settled(farm), 60, 0.5)
            stopped = _fetched(farm)
            time.sleep(3)
            assert _fetched(farm) == stopped, "nginx still serving the worker after the pause"
            assert stopped < len(HOSTS) * PAGES
            page.reload()
            expect(page.locator("#nodes tr", has_text="m0")).to_contain_text("paused")

            page.get_by_role("button", name="Resume all", exact=True).click()
            page.wait_for_load_state()
            assert r.get("broad:pause") is None
            assert wait_until(lambda: r.hget("broad:nodes:m0", "state") == b"running", 60, 0.1)
            assert wait_until(lambda: _fetched(farm) > stopped + 10, 60), "no fetches after resume"
            time.sleep(2)
            page.reload()
            expect(page.locator("#nodes tr", has_text="m0")).to_contain_text("running")
            expect(page.locator("#chart polyline")).to_have_count(1)
            assert 0 < r.ttl("broad:series:m0") <= 3600  # the worker's series expires

            # a POST from the signed-in browser without the CSRF token is refused
            refused = context.request.post(f"{url}/actions/pause", form={"spider": "broad"})
            assert refused.status == 403
            assert r.get("broad:pause") is None
            assert TOKEN not in page.content()
        finally:
            browser.close()
    # no token: 401 from the API
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{url}/api/nodes", timeout=5)
    assert e.value.code == 401
    assert "content-security-policy" in {k.lower() for k in e.value.headers}
    e.value.close()
    assert worker.wait(120) == 0, worker.log[-3000:]
    assert TOKEN not in monitor.log and TOKEN not in worker.log
    assert "Traceback" not in monitor.log + worker.log
