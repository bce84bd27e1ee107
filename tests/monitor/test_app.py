"""The monitor's page, API and security, through its ASGI app on a private Redis."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

from benchcrawl.resources.board import BoardKeys, NodeBoard
from benchcrawl.resources.ranking import NodeStatus
from tests.monitor.conftest import TOKEN
from tests.support.redis_server import RedisServer
from tests.support.worker import PROJECT, scrapy_command, scrapy_env

BEARER = {"Authorization": f"Bearer {TOKEN}"}
API_GETS = ["/api/nodes", "/api/spiders", "/api/series", "/api/inferencemax", "/api/data"]


def _heartbeat(redis_server: RedisServer, node: str, at: float, state: str = "running") -> None:
    status = NodeStatus(
        node, "h1", 1, state, "cpu 95% >= 90%" if state == "throttled" else "", 10.0, 5.0,
        5.0, 20.0, 1.0, 8.0, 3, 42.0, 8, at,
    )  # fmt: skip
    NodeBoard(redis_server.client(), BoardKeys("broad")).heartbeat(status, 60)


def _signed_in(client) -> str:
    r = client.post("/signin", data={"token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    page = client.get("/").text
    assert TOKEN not in page
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m
    return m.group(1)


def test_the_api_says_401_without_the_token_and_every_response_has_a_csp(make_client) -> None:
    client = make_client()
    for path in [*API_GETS, "/metrics"]:
        r = client.get(path)
        assert r.status_code == 401, path
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert client.get(path, headers=BEARER).status_code == 200, path
    r = client.get("/")
    assert (
        r.status_code == 200
        and "Sign in" in r.text
        and '<label for="token">Token</label>' in r.text
    )
    assert "content-security-policy" in r.headers
    assert client.get("/openapi.json").json()["components"]["securitySchemes"]


def test_nodes_show_their_state_and_lost_after_three_missed_heartbeats(
    make_client, redis_server: RedisServer
) -> None:
    now = time.time()
    _heartbeat(redis_server, "fresh", now)
    _heartbeat(redis_server, "hot", now, "throttled")
    _heartbeat(redis_server, "gone", now - 3 * 2.0 - 1)  # RESOURCES_HEARTBEAT_INTERVAL = 2 s
    client = make_client()
    nodes = {n["node"]: n for n in client.get("/api/nodes", headers=BEARER).json()}
    assert nodes["fresh"]["state"] == "running"
    assert nodes["hot"]["state"] == "throttled" and nodes["hot"]["reason"] == "cpu 95% >= 90%"
    assert nodes["gone"]["state"] == "lost"
    _signed_in(client)
    page = client.get("/").text
    for text in ("fresh", "lost", "throttled (cpu 95% &gt;= 90%)", "Pause all", "Resume all"):
        assert text in page


def test_a_wrong_token_is_refused_and_slowed_and_never_echoed(make_client) -> None:
    client = make_client()
    started = time.monotonic()
    for _ in range(3):
        r = client.post("/signin", data={"token": "guess-" + TOKEN[:4]})
        assert r.status_code == 401 and "Wrong token" in r.text and "guess-" not in r.text
    assert time.monotonic() - started >= 0.5 + 1.0  # 0 s, 0.5 s, 1 s
    assert client.get("/api/nodes", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_posts_need_the_csrf_token_and_pause_sets_the_flags(
    make_client, redis_server: RedisServer
) -> None:
    r = redis_server.client()
    _heartbeat(redis_server, "n1", time.time())
    client = make_client()
    csrf = _signed_in(client)
    assert client.post("/api/pause", json={}).status_code == 403
    assert client.post("/actions/pause", data={}, follow_redirects=False).status_code == 403
    assert r.get("broad:pause") is None
    ok = client.post("/actions/pause", data={"csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303 and r.get("broad:pause") == b"paused from the monitor"
    client.post("/actions/resume", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.get("broad:pause") is None
    one = {"spider": "broad", "node": "n1"}
    assert client.post("/api/pause", json=one, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert r.get("broad:pause:n1") == b"paused from the monitor"  # one note, page or API
    assert client.post("/api/resume", json=one, headers=BEARER).status_code == 200
    assert r.get("broad:pause:n1") is None
    assert client.post("/api/pause", json={"spider": "nope"}, headers=BEARER).status_code == 404


def test_data_is_filtered_paged_and_downloadable(make_client, tmp_path: Path) -> None:
    data = tmp_path / "data"
    version = data / "archive" / "20261122T010000.000000Z"
    version.mkdir(parents=True)
    rows = ["model_name,sequence_length,conc,hwKey,precision,tp,e2e_x"]
    rows += [f"m{i % 2},1k-8k,{i},h100,fp8,1,{i}.5" for i in range(7)]
    (version / "merged.csv").write_text("\n".join(rows) + "\n")
    (version / "manifest.json").write_text(json.dumps({"rows": {"merged": 7}}))
    (data / "latest").symlink_to(version)
    client = make_client(data)
    page = client.get("/api/data", params={"model_name": "m1", "per_page": 2}, headers=BEARER)
    body = page.json()
    assert body["total"] == 3 and len(body["rows"]) == 2 and body["rows"][0]["conc"] == "1"
    csv = client.get("/api/data.csv", params={"model_name": "m0"}, headers=BEARER).text
    assert csv.splitlines()[0].startswith("model_name,") and len(csv.splitlines()) == 5
    versions = client.get("/api/inferencemax", headers=BEARER).json()["versions"]
    assert versions == [{"version": version.name, "status": "latest", "rows": 7, "written_at": ""}]


def test_the_monitor_refuses_to_start_without_a_token(redis_server: RedisServer) -> None:
    env = scrapy_env(drop=["BENCHCRAWL_MONITOR_TOKEN"]) | {"REDIS_URL": redis_server.url}
    done = subprocess.run(
        scrapy_command("monitor"), cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "benchcrawl: BENCHCRAWL_MONITOR_TOKEN is not set; set it to a long random secret "
        "(e.g. `openssl rand -hex 32`) and start the monitor again."
    ]


def test_the_running_sweep_shows_its_progress(make_client, redis_server: RedisServer) -> None:
    r = redis_server.client()
    sid = "20261201T010000.000000Z"
    r.set("inferencemax:sweep:current", sid)
    r.hset(f"inferencemax:sweep:{sid}:meta", mapping={"status": "open", "planned": 9})
    r.sadd(f"inferencemax:sweep:{sid}:done", 1, 2, 3)
    client = make_client()
    [sweep] = client.get("/api/inferencemax", headers=BEARER).json()["sweeps"]
    assert (sweep["sweep_id"], sweep["accounted"], sweep["planned"]) == (sid, 3, 9)
    _signed_in(client)
    assert "3 of 9 combinations done" in client.get("/").text
    metrics = client.get("/metrics", headers=BEARER).text
    assert 'benchcrawl_sweep_combinations_accounted{spider="inferencemax"} 3.0' in metrics


def test_the_monitor_binds_to_loopback_unless_told(redis_server: RedisServer) -> None:
    from scrapy.utils.project import get_project_settings

    from benchcrawl.commands.monitor import build

    settings = get_project_settings()
    settings.set("REDIS_URL", redis_server.url, priority="cmdline")
    assert build(settings, TOKEN, None, None)[1:] == ("127.0.0.1", 8050)
    assert build(settings, TOKEN, "0.0.0.0", 9000)[1:] == ("0.0.0.0", 9000)


def test_the_schedulers_next_run_and_last_outcomes_show(make_client, redis_server) -> None:
    """Written the way ``scrapy schedule`` writes them (its state, its default keys)."""
    from benchcrawl.scheduling import defaults as d
    from benchcrawl.scheduling.state import RedisState

    names = {"spider": "inferencemax"}
    state = RedisState(
        redis_server.client(),
        d.SCHEDULE_STATE_KEY % names,
        runs_key=d.SCHEDULE_RUNS_KEY % names,
        next_key=d.SCHEDULE_NEXT_KEY % names,
        kept=2,
    )
    for day, outcome in (("29", "failed"), ("30", "succeeded"), ("01", "succeeded")):
        state.write({"running": f"2026-11-{day}T01:00:00Z"})  # no finished_at: not a run yet
        rows = "0" if outcome == "failed" else "920"
        state.write(
            {"tick": f"2026-11-{day}T01:00:00Z", "outcome": outcome, "rows": rows,
             "exit_code": "0" if rows != "0" else "1", "version": f"v{day}", "seconds": "6.1",
             "finished_at": f"2026-11-{day}T01:00:07Z"}
        )  # fmt: skip
    r = redis_server.client()
    r.set(d.SCHEDULE_NEXT_KEY % names, "2026-12-02T01:00:00Z", px=60_000)  # an older scheduler
    client = make_client()
    [sched] = client.get("/api/inferencemax", headers=BEARER).json()["schedules"]
    assert sched["spider"] == "inferencemax" and sched["next"] == "2026-12-02T01:00:00Z"
    assert [r["version"] for r in sched["runs"]] == ["v01", "v30"]  # newest first, 2 kept
    assert sched["runs"][0]["outcome"] == "succeeded" and sched["runs"][0]["rows"] == "920"
    _signed_in(client)
    page = client.get("/").text
    assert "<strong>next sweep at 01:00 UTC on 2026-12-02 (" in page  # a bare tick (older)
    assert "v30" in page and "v29" not in page
    redis_server.client().delete(d.SCHEDULE_NEXT_KEY % names)  # the scheduler stopped
    assert "no scheduler running" in client.get("/").text


def test_a_partitioned_frontier_adds_up_in_the_monitor(make_client, redis_server) -> None:
    """A crawl that starts after the monitor, in three partitions: the monitor reads the
    stored number and sums queued, leased, failed and seen over every partition."""
    import hashlib

    from scrapy.utils.project import get_project_settings

    from benchcrawl.commands import load_addon_settings
    from benchcrawl.frontier.factory import frontier_queue
    from benchcrawl.frontier.interface import Push
    from benchcrawl.frontier.partitions import split

    client = make_client()
    assert "inferencemax" not in {
        s["spider"] for s in client.get("/api/spiders", headers=BEARER).json()
    }
    settings = get_project_settings()
    settings.set("FRONTIER_PARTITIONS", 3, priority="cmdline")
    load_addon_settings(settings)  # the frontier's defaults, as a crawl has them
    with redis_server.client() as server:
        queue = frontier_queue(server, settings, "inferencemax", "w1", object(), "exact")
        pushes = []
        for i in range(30):
            url = f"https://example.com/{i}"
            fp = hashlib.sha1(url.encode()).digest()
            pushes.append(Push(True, 0, url, [fp[:12]], queue.partition_of(url, fp)))
        queue.commit(pushes, [], [])
        leased = [lease for lease, _ in queue.lease(30, 60_000)]
        one_each = {split(lease)[0]: lease for lease in leased}  # a lease of each partition
        assert len(leased) == 30 and len(one_each) == 3
        queue.commit([], [], [(lease, '{"reason": "HTTP 404"}') for lease in one_each.values()])
    spiders = {s["spider"]: s for s in client.get("/api/spiders", headers=BEARER).json()}
    frontier = spiders["inferencemax"]
    assert (frontier["queued"], frontier["leased"], frontier["failed"]) == (0, 27, 3)
    assert frontier["seen"] == 30
    urls = {p.data for p in pushes}
    assert len(frontier["failed_sample"]) == 3  # found in their partitions, with their URL
    assert all(f["url"] in urls for f in frontier["failed_sample"]), frontier["failed_sample"]
