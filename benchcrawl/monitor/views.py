"""Pure logic of the page: a node's displayed state, what a worker does and for how long,
the scheduler's next tick, and the pages/min chart as SVG."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape

LOST = "lost"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def node_state(state: str, at: float, now: float, interval: float, missed: int = 3) -> str:
    """``lost`` once *missed* heartbeats (every *interval* s) have not arrived, else the
    heartbeat's own state (running, throttled, paused)."""
    return LOST if now - at > missed * interval else state


def worker_state(mode: str, activity: str) -> str:
    """What the page says a worker is: ``busy`` at work; when not, ``serving`` if it stays
    up waiting for work (serve mode), else ``idle``."""
    if activity == "busy":
        return "busy"
    return "serving" if mode == "serve" else "idle"


def duration(seconds: float) -> str:
    """A duration in the largest whole unit: ``12 s``, ``3 min``, ``2 h``, ``4 d``."""
    s = max(0, int(seconds))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if s >= size:
            return f"{s // size} {unit}"
    return f"{s} s"


def parse_next(raw: str) -> dict[str, str]:
    """The scheduler's next-tick record (JSON ``{tick, cron, spider, holder}``, or a bare
    tick from an older scheduler), each value a short string; read back from a shared
    Redis, so anything else gives empty fields."""
    try:
        data = json.loads(raw)
    except ValueError:
        data = {"tick": raw}
    if not isinstance(data, dict):
        data = {"tick": raw if isinstance(data, str) else ""}
    return {k: str(data.get(k) or "")[:80] for k in ("tick", "cron", "spider", "holder")}


def next_tick(tick: str, now: float) -> tuple[float, str]:
    """``(unix time, "next sweep at 01:00 UTC (in 3 h)")`` for an ISO tick; the date is
    added when it is not today; ``(0, "")`` for a tick that does not parse."""
    try:
        when = datetime.fromisoformat(tick.replace("Z", "+00:00"))
    except ValueError:
        return 0.0, ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    at = when.timestamp()
    day = "" if when.date() == datetime.fromtimestamp(now, UTC).date() else f" on {when:%Y-%m-%d}"
    left = at - now
    rel = f"in {duration(left)}" if left >= 0 else f"{duration(-left)} ago"
    return at, f"next sweep at {when.astimezone(UTC):%H:%M} UTC{day} ({rel})"


def parse_series(members: Sequence[bytes | str]) -> list[tuple[float, float]]:
    """``"<unix s>:<pages/min>"`` members as (t, value) points; malformed ones dropped
    (the series is read back from a shared Redis)."""
    out: list[tuple[float, float]] = []
    for m in members:
        raw = m.decode(errors="replace") if isinstance(m, bytes) else m
        t, sep, v = raw.partition(":")
        if not sep:
            continue
        try:
            out.append((float(t), float(v)))
        except ValueError:
            continue
    return sorted(out)


def svg_chart(
    series: Mapping[str, Sequence[tuple[float, float]]],
    now: float,
    window: float = 3600.0,
    width: int = 720,
    height: int = 220,
) -> str:
    """Pages/min per node over the last *window* s as an inline SVG (no script, no library)."""
    left, right, top, bottom = 48, 150, 10, 26
    pw, ph = width - left - right, height - top - bottom
    peak = max([v for pts in series.values() for _, v in pts] + [1.0])
    step = _nice(peak / 4)
    ymax = step * 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        'aria-label="pages per minute per node, last hour">'
    ]
    for i in range(5):
        y = top + ph - ph * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{step * i:g}</text>'
        )
    for minutes in (60, 45, 30, 15, 0):
        x = left + pw * (1 - minutes * 60 / window)
        label = "now" if minutes == 0 else f"-{minutes} min"
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{label}</text>')
    for n, (node, pts) in enumerate(sorted(series.items())):
        colour = PALETTE[n % len(PALETTE)]
        coords = [
            (left + pw * (1 - (now - t) / window), top + ph * (1 - v / ymax))
            for t, v in pts
            if 0 <= now - t <= window
        ]
        if coords:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'
            )
        ly = top + 14 + 16 * n
        parts.append(
            f'<rect x="{left + pw + 10}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + pw + 24}" y="{ly}">{escape(node[:18])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _nice(x: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above *x*."""
    k = 1.0
    while k * 10 <= x:
        k *= 10
    while k > x * 10:
        k /= 10
    for m in (1, 2, 5, 10):
        if m * k >= x:
            return m * k
    return 10 * k
