"""The sweep record shared by every worker of a cluster, in Redis."""

from __future__ import annotations

import redis

from benchcrawl import lua
from benchcrawl.connection import text
from benchcrawl.identity import worker_id
from benchcrawl.items import CombinationFailure, CombinationResult, SweepTables
from benchcrawl.sweep.state import (
    FAILED,
    OPEN,
    Progress,
    failure_from_json,
    failure_to_json,
    kind_order,
    kinds_for,
    new_sweep_id,
    plan_to_json,
    result_from_json,
    result_to_json,
)


class RedisSweepStore:
    """See the key schema in :mod:`benchcrawl.sweep`."""

    def __init__(self, server: redis.Redis, prefix: str, timeout: float, ttl: int) -> None:
        self.server = server
        self.prefix = prefix
        self.timeout = timeout
        self.ttl = ttl
        self.worker = worker_id()
        self._join = lua.register(server, "benchcrawl.sweep", "join.lua")
        self._record = lua.register(server, "benchcrawl.sweep", "record.lua")

    def _key(self, sweep_id: str, part: str) -> str:
        return f"{self.prefix}:{sweep_id}:{part}"

    def _keys(self, sweep_id: str) -> list[str]:
        return [
            self._key(sweep_id, p)
            for p in ("meta", "results", "bodies", "failures", "done", "workers")
        ]

    def join(self, now: float) -> tuple[str, bool]:
        sweep_id, created = self._join(
            keys=[f"{self.prefix}:current"],
            args=[self.prefix, new_sweep_id(now), repr(now), self.timeout, self.ttl],
        )
        return sweep_id.decode(), bool(created)

    def created(self, sweep_id: str) -> float:
        return float(self.server.hget(self._key(sweep_id, "meta"), "created") or 0)

    def set_plan(self, sweep_id: str, plan: list[tuple[str, str]]) -> None:
        self.server.hset(
            self._key(sweep_id, "meta"), mapping={"plan": plan_to_json(plan), "planned": len(plan)}
        )

    def planned(self, sweep_id: str) -> int:
        return int(self.server.hget(self._key(sweep_id, "meta"), "planned") or -1)

    def _call(
        self,
        sweep_id: str,
        index: int,
        what: str,
        field: str,
        data: str,
        body: bytes,
        kinds: tuple[str, ...] = (),
    ):
        accounted, planned, newly, finalize = self._record(
            keys=self._keys(sweep_id),
            args=[index, what, field, data, body, self.worker, self.ttl, *kinds],
        )
        return Progress(int(accounted), int(planned), bool(newly), bool(finalize))

    def record_result(self, result: CombinationResult) -> Progress:
        field = f"{result.index}:{result.kind}"
        return self._call(
            result.sweep_id,
            result.index,
            "result",
            field,
            result_to_json(result),
            result.body,
            kinds_for(result.kind),
        )

    def record_failure(self, failure: CombinationFailure) -> Progress:
        return self._call(
            failure.sweep_id,
            failure.index,
            "failure",
            str(failure.index),
            failure_to_json(failure),
            b"",
        )

    def load(self, sweep_id: str) -> SweepTables:
        pipe = self.server.pipeline()
        pipe.hgetall(self._key(sweep_id, "results"))
        pipe.hgetall(self._key(sweep_id, "bodies"))
        pipe.hgetall(self._key(sweep_id, "failures"))
        pipe.hget(self._key(sweep_id, "meta"), "planned")
        results_raw, bodies, failures_raw, planned = pipe.execute()
        failures = [failure_from_json(v) for v in failures_raw.values()]
        failed = {f.index for f in failures}
        results = [result_from_json(v, bodies.get(k, b"")) for k, v in results_raw.items()]
        results = [r for r in results if r.index not in failed]
        results.sort(key=lambda r: (r.index, kind_order(r.kind)))
        return SweepTables(sweep_id, results, failures, int(planned or -1))

    def finish(self, sweep_id: str, status: str, detail: str) -> None:
        self.server.hset(self._key(sweep_id, "meta"), mapping={"status": status, "detail": detail})

    def status(self, sweep_id: str) -> tuple[str, str]:
        status, detail = self.server.hmget(self._key(sweep_id, "meta"), ["status", "detail"])
        if status is None:
            return FAILED, "the sweep record expired or was deleted from Redis"
        return text(status), text(detail or b"")

    def abandon(self, sweep_id: str, detail: str) -> None:
        meta = self._key(sweep_id, "meta")
        if self.server.hget(meta, "status") == OPEN.encode():
            self.finish(sweep_id, FAILED, detail)

    def close(self) -> None:
        self.server.close()
