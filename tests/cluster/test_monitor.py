"""The monitor (``scrapy monitor``'s app) on a Redis Cluster: it reads a seeded frontier,
the node board and the pages/min series from their tagged keys, and sets and deletes the
pause flag there."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from redis.cluster import RedisCluster
from scrapy.utils.project import get_project_settings

from benchcrawl.commands.monitor import build
from benchcrawl.resources.board import BoardKeys, NodeBoard
from benchcrawl.resources.ranking import NodeStatus
from tests.broad.conftest import run_seed
from tests.monitor.conftest import TOKEN
from tests.support.redis_cluster import RedisClusterServer

BEARER = {"Authorization": f"Bearer {TOKEN}"}


def test_the_monitor_reads_and_pauses_a_crawl_on_a_cluster(
    redis_cluster: RedisClusterServer, tmp_path: Path
) -> None:
    url = redis_cluster.url
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("http://127.0.0.81:9/a.html\nhttp://127.0.0.82:9/b.html\n")
    assert run_seed(url, seeds).returncode == 0
    now = time.time()
    status = NodeStatus(
        "n1", "h1", 1, "running", "", 10.0, 5.0, 5.0, 20.0, 1.0, 8.0, 3, 42.0, 8, now
    )  # fmt: skip
    with RedisCluster.from_url(url) as r:
        NodeBoard(r, BoardKeys("{broad}")).heartbeat(status, 60)
        r.zadd("{broad}:series:n1", {f"{int(now)}:42.0": now})

        settings = get_project_settings()
        settings.set("REDIS_URL", url, priority="cmdline")
        settings.set("DATA_DIR", str(tmp_path / "data"), priority="cmdline")
        app, _, _ = build(settings, TOKEN, None, None)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            spiders = {s["spider"]: s for s in client.get("/api/spiders", headers=BEARER).json()}
            assert spiders["broad"]["queued"] == 2
            nodes = client.get("/api/nodes", headers=BEARER).json()
            assert [(n["spider"], n["node"], n["state"]) for n in nodes] == [
                ("broad", "n1", "running")
            ]
            live = client.get("/api/live", headers=BEARER).json()
            assert [(n["node"], n["worker_state"]) for n in live["nodes"]] == [("n1", "idle")]
            series = client.get("/api/series", headers=BEARER).json()
            assert [p["pages_per_minute"] for p in series["broad/n1"]] == [42.0]
            paused = client.post("/api/pause", json={"spider": "broad"}, headers=BEARER)
            assert paused.status_code == 200, paused.text
            assert r.get("{broad}:pause") is not None
            resumed = client.post("/api/resume", json={"spider": "broad"}, headers=BEARER)
            assert resumed.status_code == 200 and r.get("{broad}:pause") is None
        app.state.monitor.cluster.client.close()  # its connections to every master
