"""Tests for the local InferenceMAX replica (real HTTP and a real headless Chromium)."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from benchcrawl.replica import (
    CATALOG,
    FAULT_MODES,
    Replica,
    default_snapshot_dir,
    generate,
    load_snapshot,
)
from benchcrawl.replica.data import KEY_ORDER, Y_METRICS, hw_constants, page_catalog

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PREFIX = "/data/inference-performance/"
DEFAULT_INTER = "gpt-oss-120b-1k_1k-interactivity.json"
DEFAULT_E2E = "gpt-oss-120b-1k_1k-e2e.json"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def fetch(
    url: str, method: str = "GET", data: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request, HTTP errors included."""
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with _OPENER.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return generate(seed=1)


@pytest.fixture()
def replica(files: dict[str, bytes]) -> Iterator[Replica]:
    with Replica(files, hydrate_delay=0.05) as rep:
        yield rep


# --- HTTP -------------------------------------------------------------------------

# generated data always; the 2025-10-25 snapshot as well when ../shared is there
SOURCES = ["generated"] + (["snapshot"] if default_snapshot_dir() else [])


@pytest.mark.parametrize("source", SOURCES)
def test_served_byte_exact(source: str) -> None:
    snap = default_snapshot_dir()
    served = load_snapshot(snap) if source == "snapshot" and snap else generate()
    name = "llama-3_3-70b-instruct-fp8-1k_8k-e2e.json"
    with Replica(served) as rep:
        assert len(rep.files) == 18
        status, headers, body = fetch(rep.data_url(name))
    assert status == 200
    assert body == served[name]
    if source == "snapshot" and snap:
        assert body == (snap / name).read_bytes()
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"


def test_default_files_and_lifecycle() -> None:
    rep = Replica()
    assert len(rep.files) == 18
    rep.start()
    try:
        assert rep.url == f"http://127.0.0.1:{rep.port}/" and rep.port > 0
        status, headers, body = fetch(rep.url)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert b"<title>InferenceMAX by SemiAnalysis</title>" in body
        assert fetch(rep.url + "index.html")[0] == 200
    finally:
        rep.stop()
    with pytest.raises(OSError):
        fetch(rep.url)


def test_plain_data_and_request_log(replica: Replica, files: dict[str, bytes]) -> None:
    status, headers, body = fetch(replica.data_url(DEFAULT_E2E))
    assert (status, body) == (200, files[DEFAULT_E2E])
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    method, path, code, t = replica.requests[-1]
    assert (method, path, code) == ("GET", PREFIX + DEFAULT_E2E, 200) and t <= time.monotonic()
    assert replica.hits(DEFAULT_E2E) == 1 and replica.hits(DEFAULT_INTER) == 0


def test_wrong_slug_and_unknown_path_404(replica: Replica) -> None:
    for path in (PREFIX + "llama-3_3-70b-instruct-1k_1k-e2e.json", "/nope"):
        status, headers, body = fetch(replica.url.rstrip("/") + path)
        assert status == 404
        assert headers["Content-Type"].startswith("text/html") and b"<html" in body


def test_beacon_forbidden(replica: Replica) -> None:
    status, headers, body = fetch(replica.url + "_vercel/insights/event", "POST", b'{"o":"x"}')
    assert status == 403 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["code"] == "bot_detected"
    assert replica.requests[-1][:3] == ("POST", "/_vercel/insights/event", 403)


@pytest.mark.parametrize("mode", FAULT_MODES)
def test_fault_modes(replica: Replica, files: dict[str, bytes], mode: str) -> None:
    name, url = DEFAULT_INTER, replica.data_url(DEFAULT_INTER)
    original = files[name]
    records = json.loads(original)
    replica.set_fault(name, mode)
    status, headers, body = fetch(url)
    ctype = headers["Content-Type"]
    if mode == "truncated":
        assert status == 200 and body == original[: len(original) // 2]
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
    elif mode == "html":
        assert status == 200 and ctype.startswith("text/html")
        assert body.lstrip().startswith(b"<!DOCTYPE")
    elif mode == "404":
        assert status == 404 and ctype.startswith("text/html")
    elif mode in ("500", "500-once"):
        assert status == 500
        again = fetch(url)
        assert (again[0], again[2]) == ((200, original) if mode == "500-once" else (500, body))
    elif mode == "wrapped":
        wrapped = json.loads(body)
        assert status == 200 and isinstance(wrapped, list) and len(wrapped) == 1
        assert wrapped[0]["data"] == records
        assert set(wrapped[0]["gpus"]) == {r["hwKey"].split("_")[0] for r in records}
    elif mode == "changed-type":
        changed = json.loads(body)
        assert changed[0]["conc"] == str(records[0]["conc"]) and changed[1:] == records[1:]
    elif mode == "empty":
        assert status == 200 and json.loads(body) == []
    assert fetch(replica.data_url(DEFAULT_E2E))[2] == files[DEFAULT_E2E]  # other files unaffected
    replica.clear_faults()
    assert fetch(url)[:3:2] == (200, original)
    with pytest.raises(ValueError):
        replica.set_fault(name, "bogus")


def test_set_files_and_latency(files: dict[str, bytes]) -> None:
    with Replica(files, latency=0.05, default_latency=1.0) as rep:
        t0 = time.monotonic()
        fetch(rep.data_url(DEFAULT_INTER))
        first = time.monotonic() - t0
        t0 = time.monotonic()
        fetch(rep.data_url(DEFAULT_INTER))
        second = time.monotonic() - t0
        # the default answer's extra second comes once; the bound leaves a busy host 0.9 s
        assert first >= 1.05 and 0.05 <= second < 1.0
        tomorrow = generate(seed=2)
        rep.set_files(tomorrow)
        assert fetch(rep.data_url(DEFAULT_E2E))[2] == tomorrow[DEFAULT_E2E] != files[DEFAULT_E2E]


def test_page_catalog_only_available() -> None:
    subset = {k: v for k, v in generate().items() if k.startswith("deepseek-r1-0528-8k_1k")}
    cat = page_catalog(subset)
    assert cat["models"] == [("DeepSeek R1 0528", "deepseek-r1-0528")]
    assert cat["sequences"] == [("8K / 1K", "8k_1k")]
    with Replica(subset) as rep:
        page = fetch(rep.url)[2].decode()
    assert "deepseek-r1-0528" in page and "gpt-oss-120b" not in page


# --- generated data ------------------------------------------------------------------


def _dominated(p: dict[str, Any], group: list[dict[str, Any]], metric: str, x_high: bool) -> bool:
    y_high = metric.startswith("tp")
    px, py = p["x"], p[metric]["y"]
    for q in group:
        qx, qy = q["x"], q[metric]["y"]
        x_ok = qx >= px if x_high else qx <= px
        y_ok = qy >= py if y_high else qy <= py
        if (qx, qy) != (px, py) and x_ok and y_ok:
            return True
    return False


def test_generated_schema(files: dict[str, bytes]) -> None:
    assert files == generate(seed=1) and files != generate(seed=2)
    expected = {
        f"{m}-{s}-{k}.json"
        for _, m in CATALOG["models"]
        for _, s in CATALOG["sequences"]
        for k in ("interactivity", "e2e")
    }
    assert set(files) == expected
    for name, raw in files.items():
        if not name.endswith("-interactivity.json"):
            continue
        inter = json.loads(raw)
        e2e = json.loads(files[name.replace("-interactivity", "-e2e")])
        keys = [(r["conc"], r["hwKey"], r["precision"], r["tp"]) for r in inter]
        assert 60 <= len(keys) <= 150 and len(set(keys)) == len(keys)
        assert keys == [(r["conc"], r["hwKey"], r["precision"], r["tp"]) for r in e2e]
        for recs, x_high in ((inter, True), (e2e, False)):
            for r in recs:
                assert tuple(r) == KEY_ORDER
                assert isinstance(r["conc"], int) and isinstance(r["tp"], int)
                assert r["precision"] in ("fp4", "fp8") and r["x"] > 0 and r["y"] > 0
                assert r["tpPerGpu"]["y"] == r["y"]
                kw, ph, _, _ = hw_constants(r["hwKey"])
                assert r["tpPerMw"]["y"] == pytest.approx(r["y"] * 1000 / kw, abs=1e-3)
                assert r["costh"]["y"] == pytest.approx(ph * 1e6 / (3600 * r["y"]), abs=1e-3)
                group = [q for q in recs if q["hwKey"] == r["hwKey"]]
                for metric in Y_METRICS:
                    assert r[metric]["roof"] is not _dominated(r, group, metric, x_high)


def test_generate_rows_range() -> None:
    small = generate(seed=3, rows=(5, 8))
    assert all(5 <= len(json.loads(v)) <= 8 for v in small.values())


# --- browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (Chromium not installed)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _log_data(log: list[str], url: str) -> None:
    """Append the data-file name of `url` to `log` if it is a data request."""
    if PREFIX in url:
        log.append(url.split(PREFIX)[-1])


def _open(browser: Any, rep: Replica) -> tuple[Any, list[str], list[str]]:
    """New page on the replica, plus its data-request log and uncaught-error log."""
    page = browser.new_page()
    data_urls: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: _log_data(data_urls, r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    with (
        page.expect_response(lambda r: r.url.endswith(DEFAULT_E2E)),
        page.expect_response(lambda r: r.url.endswith(DEFAULT_INTER)),
    ):
        page.goto(rep.url)
    return page, data_urls, errors


def _choose(page: Any, rep: Replica, log: list[str], action: Any, inter: str, e2e: str) -> None:
    """Run `action` and check that exactly `inter` then `e2e` were fetched."""
    page.wait_for_timeout(50)
    log.clear()
    rep.clear_requests()
    with (
        page.expect_response(lambda r: r.url.endswith(e2e)),
        page.expect_response(lambda r: r.url.endswith(inter)),
    ):
        action()
    page.wait_for_timeout(50)
    assert log == [inter, e2e]
    assert sorted(r.path for r in rep.requests if r.path.startswith(PREFIX)) == sorted(
        PREFIX + f for f in (inter, e2e)
    )


@pytest.mark.slow  # real Chromium
def test_browser_combobox(browser: Any, files: dict[str, bytes]) -> None:
    from playwright.sync_api import expect

    with Replica(files, hydrate_delay=5.0) as rep:
        page = browser.new_page()
        page.goto(rep.url, wait_until="domcontentloaded")
        expect(page.get_by_text("Loading")).to_be_visible()  # loading shell before hydration
        assert page.get_by_role("combobox").count() == 0
        page.close()
        rep.hydrate_delay = 0.05
        page, log, errors = _open(browser, rep)
        assert log == [DEFAULT_INTER, DEFAULT_E2E]
        assert page.title() == "InferenceMAX by SemiAnalysis"
        model = page.get_by_role("combobox", name="Model")
        seq = page.get_by_role("combobox", name="ISL / OSL")
        expect(model).to_have_text("gpt-oss 120B")
        expect(seq).to_have_text("1K / 1K")
        assert page.get_by_text("Model", exact=True).is_visible()
        model.click()
        expect(model).to_have_attribute("aria-expanded", "true")
        options = page.get_by_role("listbox").get_by_role("option")
        assert options.all_text_contents() == [label for label, _ in CATALOG["models"]]
        current = page.get_by_role("option", name="gpt-oss 120B")
        expect(current).to_have_attribute("aria-selected", "true")
        _choose(
            page,
            rep,
            log,
            lambda: page.get_by_role("option", name="DeepSeek R1 0528").click(),
            "deepseek-r1-0528-1k_1k-interactivity.json",
            "deepseek-r1-0528-1k_1k-e2e.json",
        )
        expect(model).to_have_text("DeepSeek R1 0528")
        expect(model).to_have_attribute("aria-expanded", "false")
        assert page.get_by_role("listbox").count() == 0
        seq.click()
        _choose(
            page,
            rep,
            log,
            lambda: page.get_by_role("option", name="8K / 1K").click(),
            "deepseek-r1-0528-8k_1k-interactivity.json",
            "deepseek-r1-0528-8k_1k-e2e.json",
        )
        n = len(json.loads(files["deepseek-r1-0528-8k_1k-e2e.json"]))
        for heading in ("vs. Interactivity", "vs. End-to-end Latency"):
            section = page.get_by_role("region", name=heading)
            expect(section.get_by_text(f"{n} points")).to_be_visible()
        assert errors == []


@pytest.mark.slow  # real Chromium
def test_browser_select(browser: Any, files: dict[str, bytes]) -> None:
    with Replica(files, variant="select", hydrate_delay=0.05) as rep:
        page, log, errors = _open(browser, rep)
        assert log == [DEFAULT_INTER, DEFAULT_E2E]
        model, seq = page.get_by_label("Model"), page.get_by_label("ISL / OSL")
        _choose(
            page,
            rep,
            log,
            lambda: model.select_option(label="Llama 3.3 70B Instruct"),
            "llama-3_3-70b-instruct-fp8-1k_1k-interactivity.json",
            "llama-3_3-70b-instruct-fp8-1k_1k-e2e.json",
        )
        _choose(
            page,
            rep,
            log,
            lambda: seq.select_option(label="1K / 8K"),
            "llama-3_3-70b-instruct-fp8-1k_8k-interactivity.json",
            "llama-3_3-70b-instruct-fp8-1k_8k-e2e.json",
        )
        assert errors == []


@pytest.mark.slow  # real Chromium
def test_browser_shows_fetch_errors(browser: Any, files: dict[str, bytes]) -> None:
    from playwright.sync_api import expect

    with Replica(files, hydrate_delay=0.05) as rep:
        rep.set_fault(DEFAULT_INTER, "truncated")
        rep.set_fault(DEFAULT_E2E, "404")
        page, _, errors = _open(browser, rep)
        for heading in ("vs. Interactivity", "vs. End-to-end Latency"):
            expect(page.get_by_role("region", name=heading).get_by_role("alert")).to_be_visible()
        assert errors == []
        beacons = [r for r in rep.requests if r.method == "POST"]
        assert beacons and all(r.status == 403 for r in beacons)


@pytest.mark.slow  # real Chromium
def test_browser_default_response_race(browser: Any, files: dict[str, bytes]) -> None:
    """default_latency makes the default selection's files arrive after the user's first choice."""
    from playwright.sync_api import expect

    ds_inter = "deepseek-r1-0528-1k_1k-interactivity.json"
    ds_e2e = "deepseek-r1-0528-1k_1k-e2e.json"
    with Replica(files, hydrate_delay=0.05, default_latency=2.5) as rep:
        page = browser.new_page()
        done: list[str] = []
        page.on("response", lambda r: _log_data(done, r.url))
        page.goto(rep.url)
        page.get_by_role("combobox", name="Model").click()
        page.get_by_role("option", name="DeepSeek R1 0528").click()
        deadline = time.monotonic() + 10
        while len(done) < 4 and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert set(done[:2]) == {ds_inter, ds_e2e} and set(done[2:]) == {DEFAULT_INTER, DEFAULT_E2E}
        n = len(json.loads(files[ds_e2e]))
        e2e_section = page.get_by_role("region", name="vs. End-to-end Latency")
        expect(e2e_section.get_by_text(f"{n} points")).to_be_visible()
        assert all(rep.hits(f) == 1 for f in (ds_inter, ds_e2e, DEFAULT_INTER, DEFAULT_E2E))
        arrival = [r.path[len(PREFIX) :] for r in rep.data_requests()]
        assert set(arrival[:2]) == {DEFAULT_INTER, DEFAULT_E2E}  # asked first, answered last
