"""The monitor API's models: what ``/api/...`` answers and takes (its OpenAPI schema)."""

# no `from __future__ import annotations`: pydantic and FastAPI read these annotations

from typing import Annotated

from pydantic import BaseModel, Field

NAME = Annotated[str | None, Field(default=None, max_length=200)]


class Node(BaseModel):
    spider: str
    node: str
    host: str
    pid: int
    state: str = Field(description="running, throttled, paused, or lost (3 missed heartbeats)")
    reason: str
    pause_flag: bool
    cpu: float
    memory: float
    network: float
    pages_per_minute: float
    in_flight: int
    last_seen: float
    last_seen_ago: float
    mode: str = Field(description="serve (stays up, waiting for work) or job")
    activity: str = Field(description="busy (requests in flight) or idle")
    worker_state: str = Field(description="busy, serving (idle in serve mode) or idle")
    doing: str = Field(description="the combination or URL it works on (the last when idle)")
    since: float = Field(description="unix time doing (or idleness) started; 0 = unknown")
    for_text: str = Field(description='"for 3 min": how long since then')


class Point(BaseModel):
    t: float = Field(description="unix time, s")
    pages_per_minute: float


class Failure(BaseModel):
    id: str
    url: str
    reason: str
    worker: str


class Frontier(BaseModel):
    spider: str
    queued: int
    leased: int
    leases: dict[str, int]
    failed: int
    failed_sample: list[Failure]
    seen: int


class SweepWorker(BaseModel):
    worker: str = Field(description="node id, or host:pid of a worker without a heartbeat")
    taken: int = Field(description="combinations it started (its heartbeat)")
    finished: int = Field(description="combinations it accounted for (the sweep record)")


class Sweep(BaseModel):
    spider: str
    sweep_id: str
    status: str
    detail: str
    accounted: int
    planned: int
    failed: int
    created: float
    workers: list[SweepWorker]


class Version(BaseModel):
    version: str
    status: str
    rows: int
    written_at: str = ""


class ScheduledRun(BaseModel):
    tick: str
    outcome: str
    exit_code: str
    rows: str
    version: str
    seconds: str
    finished_at: str


class Schedule(BaseModel):
    spider: str
    next: str  # the tick a live scheduler waits for; "" when none is running
    next_at: float = Field(description="that tick as unix time; 0 when none")
    next_text: str = Field(description='"next sweep at 01:00 UTC (in 3 h)"; "" when none')
    cron: str = Field(description="the cron line of the scheduler that announced it")
    holder: str = Field(description="that scheduler's id")
    runs: list[ScheduledRun]  # newest first


class Live(BaseModel):
    """What the page refreshes without reloading: workers, open sweeps, next ticks."""

    nodes: list[Node]
    sweeps: list[Sweep]
    schedules: list[Schedule]


class InferenceMax(BaseModel):
    sweeps: list[Sweep]
    versions: list[Version]
    schedules: list[Schedule]


class DataPage(BaseModel):
    version: str | None
    kind: str = Field(description="results (InferenceX results.csv), merged (2025) or ''")
    columns: list[str]
    total: int
    page: int
    per_page: int
    rows: list[dict[str, str]]


class Target(BaseModel):
    spider: NAME = None
    node: NAME = None


class SpiderTarget(BaseModel):
    spider: NAME = None


class ActionResult(BaseModel):
    action: str
    spiders: list[str]
    node: str | None = None
    requeued: dict[str, int] = {}


class AddNode(BaseModel):
    commands: list[str]
