"""What the page refreshes without reloading (``/api/live``: workers, the open sweep's
progress by worker, the next tick) and the latest version's InferenceX results, through the
ASGI app on a private Redis, written the way workers, the sweep record and the scheduler
write them."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from benchcrawl.items import CombinationResult
from benchcrawl.resources.board import BoardKeys, NodeBoard
from benchcrawl.resources.ranking import NodeStatus
from benchcrawl.sweep.redis import RedisSweepStore
from tests.monitor.test_app import BEARER, _signed_in
from tests.support.redis_server import RedisServer


def _beat(redis_server: RedisServer, spider: str, node: str, **doing: object) -> None:
    status = NodeStatus(
        node, doing.pop("host", "h1"), int(doing.pop("pid", 1)), "running", "", 10.0, 5.0,
        5.0, 20.0, 1.0, 8.0, 1, 42.0, 8, time.time(), True, **doing,  # type: ignore[arg-type]
    )  # fmt: skip
    NodeBoard(redis_server.client(), BoardKeys(spider)).heartbeat(status, 60)


def test_workers_show_serving_idle_or_busy_what_they_do_and_for_how_long(
    make_client, redis_server: RedisServer
) -> None:
    now = time.time()
    _beat(redis_server, "broad", "w-busy", mode="job", activity="busy",
          doing="http://127.0.0.61/p/<3>.html", since=now - 185)  # fmt: skip
    _beat(redis_server, "broad", "w-serving", mode="serve", activity="idle", since=now - 30)
    # a heartbeat of an older worker, without the new fields: an idle job
    r = redis_server.client()
    _beat(redis_server, "broad", "w-old")
    r.hdel("broad:nodes:w-old", "mode", "activity", "doing", "since", "sweep", "taken")
    client = make_client()
    live = client.get("/api/live", headers=BEARER).json()
    nodes = {n["node"]: n for n in live["nodes"]}
    assert (nodes["w-busy"]["worker_state"], nodes["w-busy"]["for_text"]) == ("busy", "for 3 min")
    assert nodes["w-busy"]["doing"] == "http://127.0.0.61/p/<3>.html"
    assert nodes["w-serving"]["worker_state"] == "serving"
    assert (nodes["w-old"]["worker_state"], nodes["w-old"]["for_text"]) == ("idle", "")
    assert client.get("/api/live").status_code == 401
    _signed_in(client)
    page = client.get("/").text
    assert (
        '<td class="worker-busy">busy</td><td class="doing">http://127.0.0.61/p/&lt;3&gt;.html'
        in page
    )
    assert "for 3 min" in page and '<td class="worker-serving">serving</td>' in page


def test_the_open_sweep_shows_k_of_n_and_what_each_worker_took_and_finished(
    make_client, redis_server: RedisServer
) -> None:
    a = RedisSweepStore(redis_server.client(), "inferencemax:sweep", 3600, 3600)
    b = RedisSweepStore(redis_server.client(), "inferencemax:sweep", 3600, 3600)
    a.worker, b.worker = "host-a:11:0a0a0a", "host-b:22:0b0b0b"  # two machines' workers
    sid, created = a.join(time.time())
    assert created and b.join(time.time()) == (sid, False)
    a.set_plan(sid, [("m", f"2026-06-1{i}") for i in range(4)])

    def answer(store: RedisSweepStore, index: int) -> None:
        store.record_result(
            CombinationResult(
                sid,
                index,
                "m",
                f"2026-06-1{index - 1}",
                "benchmarks",
                "http://127.0.0.1/api",
                "2026-06-20T00:00:00Z",
                200,
                "application/json",
                b"[]",
            )  # fmt: skip
        )

    answer(a, 1)
    answer(a, 2)
    answer(b, 3)
    answer(b, 3)  # the same answer again is not a second combination
    _beat(redis_server, "inferencemax", "node-a", host="host-a", pid=11, activity="busy",
          doing="m @ 2026-06-13", since=time.time(), sweep=sid, taken=3)  # fmt: skip
    client = make_client()
    [sweep] = client.get("/api/live", headers=BEARER).json()["sweeps"]
    assert (sweep["accounted"], sweep["planned"]) == (3, 4)
    assert sweep["workers"] == [
        {"worker": "host-b:22", "taken": 0, "finished": 1},
        {"worker": "node-a", "taken": 3, "finished": 2},
    ]
    _signed_in(client)
    page = client.get("/").text
    assert "3 of 4 combinations done" in page
    assert '<td>node-a</td><td class="num">3</td><td class="num">2</td>' in page


def test_the_next_tick_shows_when_and_in_how_long_with_the_cron_line(
    make_client, redis_server: RedisServer
) -> None:
    from benchcrawl.scheduling import defaults as d
    from benchcrawl.scheduling.state import RedisState

    key = d.SCHEDULE_NEXT_KEY % {"spider": "inferencemax"}
    state = RedisState(redis_server.client(), "x", next_key=key)
    tick = datetime.fromtimestamp((time.time() // 3600 + 3) * 3600, UTC)  # an hour, 3 h ahead
    state.announce(f"{tick:%Y-%m-%dT%H:%M:%SZ}", 60, cron="0 * * * *", spider="inferencemax",
                   holder="host-s:7:ab")  # fmt: skip
    assert 0 < redis_server.client().pttl(key) <= 60_000  # gone when the scheduler stops
    client = make_client()
    [sched] = client.get("/api/live", headers=BEARER).json()["schedules"]
    assert sched["next_text"].startswith(f"next sweep at {tick:%H:%M} UTC")
    assert re.search(r"\(in (2|3) h\)$", sched["next_text"]), sched["next_text"]
    assert (sched["cron"], sched["holder"]) == ("0 * * * *", "host-s:7:ab")
    assert sched["next_at"] == tick.timestamp()
    _signed_in(client)
    page = client.get("/").text
    assert f"<strong>{sched['next_text']}</strong>" in page and "cron 0 * * * *" in page


def _results(data: Path, name: str = "20260620T010000.000000Z") -> tuple[Path, list[dict]]:
    version = data / "archive" / name
    version.mkdir(parents=True)
    hardware, frameworks = ("b200", "h100", "mi355x"), ("sglang", "vllm")
    precisions = ("fp8", "fp4")
    rows = [
        {"model": "dsr1", "model_name": f"Model-{i % 2}", "hardware": hardware[i % 3],
         "framework": frameworks[i // 4 % 2], "precision": precisions[i % 5 % 2],
         "isl": "1024", "osl": "8192", "conc": str(i),
         "date": ("2026-06-14", "2026-06-19")[i % 7 % 2], "tput_per_gpu": f"{i}.5"}
        for i in range(240)
    ]  # fmt: skip
    with (version / "results.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    manifest = {"generation": "inferencex", "rows": {"results": len(rows), "new": 0}}
    (version / "manifest.json").write_text(json.dumps(manifest))
    latest = data / "latest"
    if latest.is_symlink():
        latest.unlink()
    latest.symlink_to(version)
    return version, rows


def test_the_latest_inferencex_results_are_filtered_paged_and_downloadable(
    make_client, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    version, rows = _results(data)
    client = make_client(data)
    want = {"hardware": "b200", "framework": "vllm", "precision": "fp8", "date": "2026-06-19"}
    expected = [r for r in rows if all(r[k] == v for k, v in want.items())]
    assert 0 < len(expected) < len(rows)
    body = client.get("/api/data", params={**want, "per_page": 500}, headers=BEARER).json()
    assert (body["kind"], body["version"], body["total"]) == (
        "results",
        version.name,
        len(expected),
    )
    assert [r["conc"] for r in body["rows"]] == [r["conc"] for r in expected]
    one = client.get("/api/data", params={"model_name": "Model-1"}, headers=BEARER).json()
    assert one["total"] == 120 and len(one["rows"]) == 50  # a page, never the whole table
    download = client.get("/api/data.csv", params=want, headers=BEARER)
    assert f'filename="results-{version.name}.csv"' in download.headers["content-disposition"]
    got = list(csv.DictReader(io.StringIO(download.text)))
    assert got == expected
    [listed] = client.get("/api/inferencemax", headers=BEARER).json()["versions"]
    assert (listed["version"], listed["rows"]) == (version.name, 240)
    _signed_in(client)
    page = client.get("/", params=want).text
    assert "<h2>InferenceX results</h2>" in page
    assert f"{len(expected)} rows of version {version.name} (results.csv)" in page
    for label in ("model", "hardware", "framework", "precision", "run date"):
        assert f"<label>{label} <select" in page
    assert '<option value="2026-06-19" selected>' in page and '<option value="mi355x">' in page
    link = "/api/data.csv?precision=fp8&amp;hardware=b200&amp;framework=vllm&amp;date=2026-06-19"
    assert link in page
    table = page.split('<section id="data">')[1]
    assert table.count("<tr>") <= 51  # header + at most one page
    full = client.get("/").text.split('<section id="data">')[1]
    assert full.count("<tr>") == 51 and "page 1 of 5" in full


def test_a_2025_version_shows_its_merged_table_and_says_so(make_client, tmp_path: Path) -> None:
    data = tmp_path / "data"
    version = data / "archive" / "20251122T010000.000000Z"
    version.mkdir(parents=True)
    (version / "merged.csv").write_text("model_name,sequence_length,hwKey,precision,conc\n"
                                        "gpt-oss 120B,1k-8k,h100,fp8,4\n")  # fmt: skip
    (version / "manifest.json").write_text(json.dumps({"rows": {"merged": 1}}))
    (data / "latest").symlink_to(version)
    client = make_client(data)
    body = client.get("/api/data", headers=BEARER).json()
    assert body["kind"] == "merged" and body["total"] == 1
    assert client.get("/api/data", params={"hardware": "h100"}, headers=BEARER).json()[
        "total"] == 0  # fmt: skip
    _signed_in(client)
    page = client.get("/").text
    assert "is of the 2025 generation (InferenceMAX): it has no results.csv" in page
    assert "<label>ISL/OSL <select" in page and "gpt-oss 120B" in page
    empty = data / "archive" / "20251123T010000.000000Z"
    empty.mkdir()
    (empty / "manifest.json").write_text("{}")
    (data / "latest").unlink()
    (data / "latest").symlink_to(empty)
    assert "has neither a readable results.csv nor a merged.csv" in client.get("/").text


def test_the_page_polls_with_its_own_script_under_a_strict_csp(make_client) -> None:
    client = make_client()
    _signed_in(client)
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp
    scripts = re.findall(r"<script[^>]*>", r.text)
    assert scripts == ['<script src="/static/monitor.js" defer>']  # no inline script
    js = client.get("/static/monitor.js")
    assert js.headers["content-type"].startswith("text/javascript")
    assert "/api/live" in js.text and "innerHTML" not in js.text
    assert "/api/live" in client.get("/openapi.json").json()["paths"]
