"""Node heartbeats as records, the node ranking, and each node's lease limit (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import MISSING, asdict, dataclass, fields

from benchcrawl.connection import text
from benchcrawl.resources.throttle import State


@dataclass(frozen=True)
class NodeStatus:
    """One node's heartbeat, as stored in its Redis hash (every value a string there)."""

    node: str
    host: str
    pid: int
    state: str  # running, throttled, paused
    reason: str
    cpu: float  # % busy of the CPUs the worker may use
    cpu_own: float  # % of them the worker itself uses
    cpu_load: float  # % the throttle decides on (see benchcrawl.resources.cpu)
    memory: float  # %
    network: float  # %
    load: float  # mean of cpu_load, memory, network: the ranking key
    in_flight: int  # requests in the downloader
    pages_per_minute: float
    limit: int  # requests this node may hold (0 = not set yet)
    at: float  # unix time of the heartbeat
    leasing: bool = False  # takes new requests (running, or throttled but serving anyway)
    # what the worker does (benchcrawl.resources.activity); absent from older heartbeats
    mode: str = "job"  # serve (stays up, waiting for work) or job (ends with its crawl)
    activity: str = "idle"  # busy (requests in flight) or idle
    doing: str = ""  # the combination or URL it works on, or the last one when idle
    since: float = 0.0  # unix time *doing* (or idleness) started
    sweep: str = ""  # the sweep its last combination request belonged to
    taken: int = 0  # combinations of that sweep it started

    def to_hash(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_hash(cls, raw: Mapping[bytes | str, bytes | str]) -> NodeStatus | None:
        """Parse a heartbeat hash; None if it is incomplete or malformed."""
        data = {text(k): text(v) for k, v in raw.items()}
        values: dict[str, object] = {}
        try:
            for f in fields(cls):
                if f.name not in data and f.default is not MISSING:
                    continue  # a field newer than the worker that wrote the hash
                value = data[f.name]
                if f.type == "bool":
                    if value not in ("True", "False"):
                        return None
                    values[f.name] = value == "True"
                elif f.type == "int":
                    values[f.name] = int(float(value))
                elif f.type == "float":
                    values[f.name] = float(value)
                else:
                    values[f.name] = value
        except (KeyError, ValueError):
            return None
        return cls(**values)  # type: ignore[arg-type]


def average_load(loads: Mapping[str, float]) -> float:
    return sum(loads.values()) / len(loads) if loads else 0.0


def rank(nodes: Iterable[NodeStatus]) -> list[NodeStatus]:
    """Nodes that may take work first, least loaded first; then throttled, then paused."""
    order = {State.RUNNING: 0, State.THROTTLED: 1, State.PAUSED: 2}
    return sorted(nodes, key=lambda n: (order.get(State(n.state), 3), n.load, n.node))


def lease_limits(nodes: Iterable[NodeStatus], low: int, high: int) -> dict[str, int]:
    """How many requests each node may hold: *high* for the least loaded, less in
    proportion to a node's headroom (100 - load) next to the best one's, never under
    *low*. Nodes that lease nothing meanwhile (throttled, paused) get *low*; but when no
    node is running, the throttled ones are limited like running ones, since the least
    loaded of them leases (:func:`serves_anyway`)."""
    ranked = rank(nodes)
    pool = [n for n in ranked if n.state == State.RUNNING] or [
        n for n in ranked if n.state == State.THROTTLED
    ]
    best = 100.0 - pool[0].load if pool else 0.0
    out = {n.node: low for n in ranked}
    for n in pool:
        share = max(0.0, 100.0 - n.load) / best if best > 0 else 1.0
        out[n.node] = max(low, min(high, round(high * share)))
    return out


def serves_anyway(nodes: Iterable[NodeStatus], node: str, margin: float = 10.0) -> bool:
    """True if *node* is throttled but must lease all the same: no live node is running,
    and it is the one throttled node chosen to serve. Without this rule a cluster whose
    nodes are all over a limit would stop; with it the least-loaded node is served first,
    as the method says.

    The choice has hysteresis: a node already serving keeps serving until another
    throttled node is lower by more than *margin* points (a serving node's load rises
    with its work, which would otherwise hand the role back and forth every heartbeat).
    If two nodes serve at once (they decided in the same moment), the lower-ranked one
    stops. A lone node is always served; a paused node never."""
    ranked = rank(nodes)
    if not ranked or any(n.state == State.RUNNING for n in ranked):
        return False
    throttled = [n for n in ranked if n.state == State.THROTTLED]
    if not throttled:
        return False
    chosen = throttled[0]
    serving = [n for n in throttled if n.leasing]
    if serving and serving[0].load <= chosen.load + margin:
        chosen = serving[0]
    return chosen.node == node
