"""The throttle decision: per-resource thresholds with hysteresis, and the pause flags.

A node goes *throttled* when any load reaches its limit (default 90%) and back to
*running* only when every load is under its resume mark (default 80%), so a node near the
limit does not flap. A pause flag (from Redis) wins over both: *paused*. Throttled and
paused both mean "lease nothing new"; requests already held finish.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

RESOURCES = ("cpu", "memory", "network")


class State(StrEnum):
    RUNNING = "running"
    THROTTLED = "throttled"
    PAUSED = "paused"


@dataclass(frozen=True)
class Decision:
    state: State
    reason: str  # "" when running; "paused"; or which load is over, e.g. "cpu 97% >= 90%"
    changed: bool  # the state differs from the previous decision's


class LoadGate:
    def __init__(self, limits: Mapping[str, float], resume: Mapping[str, float]) -> None:
        for name in limits:
            if resume.get(name, limits[name]) > limits[name]:
                raise ValueError(
                    f"the resume mark of {name} ({resume[name]}%) is above its limit "
                    f"({limits[name]}%); it must be lower or equal"
                )
        self.limits = dict(limits)
        self.resume = {name: resume.get(name, limit) for name, limit in limits.items()}
        self.over = False
        self.reason = ""
        self.state = State.RUNNING

    def update(self, loads: Mapping[str, float | None], paused: bool = False) -> Decision:
        """Decide on one sample of loads (``None`` = not measured: ignored)."""
        known = {k: v for k, v in loads.items() if v is not None and k in self.limits}
        if not self.over:
            hot = [k for k in RESOURCES if k in known and known[k] >= self.limits[k]]
            if hot:
                self.over = True
                self.reason = " ".join(f"{k} {known[k]:.0f}% >= {self.limits[k]:.0f}%" for k in hot)
        elif known and all(v < self.resume[k] for k, v in known.items()):
            self.over = False
            self.reason = ""
        if paused:
            state, reason = State.PAUSED, "paused"
        elif self.over:
            state, reason = State.THROTTLED, self.reason
        else:
            state, reason = State.RUNNING, ""
        changed = state is not self.state
        self.state = state
        return Decision(state, reason, changed)


class RateWindow:
    """Events per minute over the last *window* seconds (pages per minute)."""

    def __init__(self, window: float = 60.0) -> None:
        self.window = window
        self.buckets: dict[int, int] = {}

    def add(self, now: float, count: int = 1) -> None:
        second = int(now)
        self.buckets[second] = self.buckets.get(second, 0) + count
        if len(self.buckets) > 2 * self.window:
            self._trim(now)

    def per_minute(self, now: float, since: float | None = None) -> float:
        """The rate over the window, or over the time since *since* if shorter."""
        self._trim(now)
        span = self.window if since is None else min(self.window, max(1.0, now - since))
        return sum(self.buckets.values()) * 60.0 / span

    def _trim(self, now: float) -> None:
        oldest = int(now - self.window)
        for second in [s for s in self.buckets if s <= oldest]:
            del self.buckets[second]
