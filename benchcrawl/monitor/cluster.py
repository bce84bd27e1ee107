"""What the monitor reads from Redis and the flags it sets there: the node board, each
spider's frontier, the sweep record and the pages/min series. No web framework here."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis

from benchcrawl.connection import text
from benchcrawl.frontier.dupefilter import stored_seen
from benchcrawl.frontier.interface import FrontierKeys
from benchcrawl.frontier.partitions import locate, partition_keys
from benchcrawl.frontier.serialize import url_of
from benchcrawl.monitor.views import (
    LOST,
    duration,
    next_tick,
    node_state,
    parse_next,
    parse_series,
    worker_state,
)
from benchcrawl.resources.board import BoardKeys, NodeBoard
from benchcrawl.resources.ranking import NodeStatus


@dataclass(frozen=True)
class SpiderKeys:
    """Where one spider's state lives (built from its settings by ``scrapy monitor``)."""

    name: str
    frontier: FrontierKeys
    board: BoardKeys
    series: str  # MONITOR_SERIES_KEY template
    sweep: str | None  # INFERENCEMAX_SWEEP_KEY prefix, for spiders that sweep
    queue: Any  # the spider's frontier for inspection (frontier.factory.InspectedFrontier)
    heartbeat_interval: float
    lost_after: int
    schedule: tuple[str, str] | None = None  # SCHEDULE_NEXT_KEY, SCHEDULE_RUNS_KEY (filled)
    scope: str = ""  # what %(spider)s is in key templates (connection.key_scope); "" = name

    def series_key(self, node: str) -> str:
        return self.series % {"spider": self.scope or self.name, "node": node}


class Cluster:
    def __init__(self, client: redis.Redis, spiders: list[SpiderKeys], window: float) -> None:
        self.client = client
        self.spiders = {s.name: s for s in spiders}
        self.window = window

    def active(self) -> list[SpiderKeys]:
        """Spiders with anything in Redis: heartbeats, a frontier or a sweep record."""
        pipe = self.client.pipeline(transaction=False)
        for s in self.spiders.values():
            pipe.exists(s.board.index(), s.frontier.seq, s.frontier.data, s.frontier.failed)
            pipe.exists(f"{s.sweep}:current" if s.sweep else s.frontier.queue)
        found = pipe.execute()
        names = list(self.spiders.values())
        return [s for i, s in enumerate(names) if found[2 * i] or found[2 * i + 1]]

    # --- nodes -------------------------------------------------------------------------
    def nodes(self, now: float | None = None) -> list[dict[str, Any]]:
        now = time.time() if now is None else now
        out: list[dict[str, Any]] = []
        for s in self.active():
            board = NodeBoard(self.client, s.board)
            paused = board.paused()
            for n in _all_nodes(self.client, s.board):
                out.append(_node_row(s, n, now, paused))
        return out

    def pause(self, spider: str | None, node: str | None, note: str) -> list[str]:
        """Set the pause flag of *node* (or the cluster's) for *spider* (or every spider)."""
        done = []
        for s in self._targets(spider):
            NodeBoard(self.client, s.board).pause(node, note)
            done.append(s.name)
        return done

    def resume(self, spider: str | None, node: str | None) -> list[str]:
        done = []
        for s in self._targets(spider):
            NodeBoard(self.client, s.board).resume(node)
            done.append(s.name)
        return done

    def _targets(self, spider: str | None) -> list[SpiderKeys]:
        if spider is None:
            return list(self.spiders.values())
        if spider not in self.spiders:
            raise KeyError(spider)
        return [self.spiders[spider]]

    # --- frontier ----------------------------------------------------------------------
    def frontiers(self, failed_limit: int = 20) -> list[dict[str, Any]]:
        out = []
        for s in self.active():
            queue = s.queue.queue  # the crawl's partitions as now stored
            dedup = [k.dupefilter for k in partition_keys(queue)]
            report = queue.report(failed_limit=failed_limit)
            failed = []
            for lease, rec in report["failed_sample"]:
                keys, inner = locate(queue, lease)
                data = self.client.hget(keys.data, inner)
                url = _url(data)
                failed.append({"id": lease, "url": url, **_failure(rec)})
            out.append(
                {
                    "spider": s.name,
                    "queued": int(report["queued"]),
                    "leased": sum(report["leases"].values()),
                    "leases": {str(k): int(v) for k, v in report["leases"].items()},
                    "failed": int(report["failed"]),
                    "failed_sample": failed,
                    "seen": stored_seen(self.client, dedup)[0],
                }
            )
        return out

    def requeue_failed(self, spider: str | None) -> dict[str, int]:
        return {s.name: int(s.queue.requeue_failed()) for s in self._targets(spider)}

    # --- series ------------------------------------------------------------------------
    def series(self, now: float | None = None) -> dict[str, list[tuple[float, float]]]:
        """Pages/min per node (``spider/node``) over the window."""
        now = time.time() if now is None else now
        out: dict[str, list[tuple[float, float]]] = {}
        for s in self.active():
            pattern = s.series_key("*")
            for key in self.client.scan_iter(match=pattern, count=200):
                node = text(key)[len(pattern) - 1 :]
                members = self.client.zrangebyscore(key, now - self.window, "+inf")
                points = parse_series(members)  # type: ignore[arg-type]
                if points:
                    out[f"{s.name}/{node}"] = points
        return out

    # --- sweeps ------------------------------------------------------------------------
    def sweeps(self) -> list[dict[str, Any]]:
        out = []
        for s in self.active():
            if not s.sweep:
                continue
            current = self.client.get(f"{s.sweep}:current")
            if current is None:
                continue
            sid = text(current)
            meta = {
                text(k): text(v) for k, v in self.client.hgetall(f"{s.sweep}:{sid}:meta").items()
            }
            done = int(self.client.scard(f"{s.sweep}:{sid}:done"))
            failures = self.client.hlen(f"{s.sweep}:{sid}:failures")
            planned = _int(meta.get("planned"), -1)
            out.append(
                {
                    "spider": s.name,
                    "sweep_id": sid,
                    "status": meta.get("status", "unknown"),
                    "detail": meta.get("detail", ""),
                    "accounted": done,
                    "planned": planned,
                    "failed": int(failures),
                    "created": _float(meta.get("created"), 0.0),
                    "workers": self.sweep_workers(s, sid),
                }
            )
        return out

    def sweep_workers(self, s: SpiderKeys, sweep_id: str) -> list[dict[str, Any]]:
        """Per worker of sweep *sweep_id*: the combinations it took (started; its heartbeat
        says) and finished (accounted for; the sweep record says). Both name a worker by
        its process, ``host:pid``; a node shows under its node id."""
        assert s.sweep
        raw = self.client.hgetall(f"{s.sweep}:{sweep_id}:workers")
        rows: dict[str, dict[str, Any]] = {}
        for worker, count in raw.items():
            process = text(worker).rsplit(":", 1)[0][:200]
            row = rows.setdefault(process, {"worker": process, "taken": 0, "finished": 0})
            row["finished"] += _int(text(count), 0)
        for n in _all_nodes(self.client, s.board):
            process = f"{n.host}:{n.pid}"
            if n.sweep != sweep_id and process not in rows:
                continue
            row = rows.setdefault(process, {"worker": n.node, "taken": 0, "finished": 0})
            row["worker"] = n.node
            if n.sweep == sweep_id:
                row["taken"] = n.taken
        return sorted(rows.values(), key=lambda r: r["worker"])

    # --- the scheduler ------------------------------------------------------------------
    def schedules(self, limit: int = 10) -> list[dict[str, Any]]:
        """Per spider a scheduler ran for: the tick a live scheduler waits for ("" when none
        is running) and the last runs, newest first (values read back are untrusted)."""
        out = []
        for s in self.spiders.values():
            if s.schedule is None:
                continue
            next_key, runs_key = s.schedule
            pipe = self.client.pipeline(transaction=False)
            pipe.get(next_key)
            pipe.lrange(runs_key, 0, max(0, limit - 1))
            upcoming, raw = pipe.execute()
            runs = [r for r in (_run(x) for x in raw) if r is not None]
            if upcoming is None and not runs:
                continue
            out.append({"spider": s.name, **_upcoming(upcoming), "runs": runs})
        return out


def _upcoming(raw: Any, now: float | None = None) -> dict[str, Any]:
    """The next-tick fields of a schedule row (empty when no scheduler runs)."""
    about = parse_next(text(raw)[:1000]) if raw is not None else parse_next("")
    at, said = next_tick(about["tick"], time.time() if now is None else now)
    return {
        "next": about["tick"][:40],
        "next_at": at,
        "next_text": said,
        "cron": about["cron"],
        "holder": about["holder"],
    }


_RUN_FIELDS = ("tick", "outcome", "exit_code", "rows", "version", "seconds", "finished_at")


def _run(raw: Any) -> dict[str, str] | None:
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {k: str(data.get(k, ""))[:80] for k in _RUN_FIELDS}


def _all_nodes(client: redis.Redis, keys: BoardKeys) -> list[NodeStatus]:
    """Every node in the index whose heartbeat hash is still there (not pruned: a node that
    missed heartbeats shows as lost until its hash expires)."""
    names = [text(n) for n in client.zrange(keys.index(), 0, -1)]
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(keys.node(name))
    out = []
    for raw in pipe.execute() if names else []:
        status = NodeStatus.from_hash(raw) if raw else None
        if status is not None:
            out.append(status)
    return out


def _node_row(s: SpiderKeys, n: NodeStatus, now: float, paused: dict[str, str]) -> dict[str, Any]:
    state = node_state(n.state, n.at, now, s.heartbeat_interval, s.lost_after)
    return {
        "spider": s.name,
        "node": n.node,
        "host": n.host,
        "pid": n.pid,
        "state": state,
        "reason": n.reason if state == "throttled" else "",
        "pause_flag": n.node in paused or "*" in paused,
        "cpu": n.cpu,
        "memory": n.memory,
        "network": n.network,
        "pages_per_minute": n.pages_per_minute,
        "in_flight": n.in_flight,
        "last_seen": n.at,
        "last_seen_ago": round(max(0.0, now - n.at), 1),
        **_doing(n, now, state),
    }


def _doing(n: NodeStatus, now: float, state: str) -> dict[str, Any]:
    """What a worker does (its heartbeat's mode, activity, doing, since), for the page."""
    return {
        "mode": n.mode[:10],
        "activity": n.activity[:10],
        "worker_state": state if state == LOST else worker_state(n.mode, n.activity),
        "doing": n.doing[:200],
        "since": n.since,
        "for_text": f"for {duration(now - n.since)}" if n.since > 0 else "",
    }


def _url(data: Any) -> str:
    """A queued request's URL, in either format ("" for anything else)."""
    if not data:
        return ""
    try:
        return url_of(data)
    except (ValueError, TypeError, AttributeError, IndexError):
        return ""


def _failure(rec: Any) -> dict[str, str]:
    if not isinstance(rec, dict):
        return {"reason": "", "worker": ""}
    return {"reason": str(rec.get("reason", "")), "worker": str(rec.get("worker", ""))}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default
