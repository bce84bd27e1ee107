"""Data of the InferenceX (2026) replica: what the site has published, and the API's answers.

Everything the replica serves is computed here from one :class:`SiteData`, so tests use
these same functions as their oracle (the rows the site published, the as-of answer for a
model and date), independent of the crawler under test.

- A *run* is one model key's benchmark run on one date; it measures some *lines* (a line is
  one configuration at one sequence: config, benchmark_type, isl, osl, offload_mode), each at
  several concurrencies: one row per concurrency.
- The benchmarks answer for a display name and a date holds, for each line of the display
  name's keys, every row of that line's newest run on or before the date (the as-of view).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

#: DB key -> display name (the Model control and the ``model=`` parameter use display names)
DISPLAY_NAMES: dict[str, str] = {
    "dsr1": "DeepSeek-R1-0528",
    "dsv4": "DeepSeek-V4-Pro",
    "gptoss120b": "gpt-oss-120b",
    "llama70b": "Llama-3.3-70B-Instruct-FP8",
    "qwen3.5": "Qwen-3.5-397B-A17B",
    "kimik2.5": "Kimi-K2.5",
    "kimik2.6": "Kimi-K2.5",
    "kimik2.7-code": "Kimi-K2.5",
    "kimik3": "Kimi-K3",
    "minimaxm2.5": "MiniMax-M2.5",
    "minimaxm2.7": "MiniMax-M2.5",
    "minimaxm3": "MiniMax-M3",
    "glm5": "GLM-5",
    "glm5.1": "GLM-5",
    "glm5.2": "GLM-5.2",
    "gemma4": "Gemma-4-31B",
}
LINE_FIELDS = ("benchmark_type", "isl", "osl", "offload_mode")
#: the fields that make a row's configuration (with the model key)
CONFIG_FIELDS = (
    "model", "hardware", "framework", "precision", "spec_method", "disagg", "is_multinode",
    "prefill_tp", "prefill_ep", "prefill_dp_attention", "prefill_num_workers", "decode_tp",
    "decode_ep", "decode_dp_attention", "decode_num_workers", "num_prefill_gpu",
    "num_decode_gpu", "image",
)  # fmt: skip
FIRST_DATE = date(2025, 10, 19)
SNAPSHOT_MODEL = "DeepSeek-R1-0528"


@dataclass
class SiteData:
    """What one InferenceX site has published."""

    models: list[str]  # the Model control's labels, in order
    default_model: str
    rows: list[dict[str, Any]]  # every row ever published
    availability: list[dict[str, Any]]
    names: dict[str, str] = field(default_factory=lambda: dict(DISPLAY_NAMES))
    source: str = "generated"

    def keys_of(self, display: str) -> set[str]:
        return {k for k, d in self.names.items() if d == display}


def line_of(row: dict[str, Any]) -> tuple[Any, ...]:
    """A row's line: its configuration at one sequence (its model key included)."""
    return tuple(json.dumps(row.get(f)) for f in (*CONFIG_FIELDS, *LINE_FIELDS))


def _run_order(row: dict[str, Any]) -> tuple[str, int]:
    return (str(row.get("date")), int(row.get("workflow_run_id") or 0))


def as_of(data: SiteData, display: str, day: str | None = None, exact: bool = False) -> list[dict]:
    """The benchmarks answer for *display* at *day* (None: the newest of everything)."""
    keys = data.keys_of(display)
    rows = [r for r in data.rows if r.get("model") in keys]
    if exact:
        return [r for r in rows if r.get("date") == day]
    if day is not None:
        rows = [r for r in rows if str(r.get("date")) <= day]
    newest: dict[tuple[Any, ...], tuple[str, int]] = {}
    for r in rows:
        line, run = line_of(r), _run_order(r)
        if line not in newest or run > newest[line]:
            newest[line] = run
    return [r for r in rows if _run_order(r) == newest[line_of(r)]]


def run_dates(data: SiteData) -> dict[str, list[str]]:
    """Display name -> its run dates (from availability), oldest first, for offered models."""
    out: dict[str, set[str]] = {m: set() for m in data.models}
    for entry in data.availability:
        display = data.names.get(entry["model"])
        if display in out:
            out[display].add(entry["date"])
    return {m: sorted(d) for m, d in out.items()}


def availability_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The availability entries the site derives from its rows."""
    fields = ("model", "isl", "osl", "precision", "hardware", "framework", "spec_method",
              "disagg", "date")  # fmt: skip
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = {f: r.get(f) for f in fields}
        seen.setdefault(json.dumps(entry, sort_keys=True), entry)
    return list(seen.values())


# --- generated data -----------------------------------------------------------------------

# key -> (first run-date index, last index or None, every n-th date); the display names of
# the generated site: two keys share "Kimi-K2.5" (kimik2.5 retires, kimik2.6 takes over).
# A run depends only on (seed, key, date index): a site with one date more is the same site
# a day later.
_SCHEDULE: dict[str, tuple[int, int | None, int]] = {
    "dsr1": (0, None, 1),
    "gptoss120b": (0, None, 2),
    "kimik2.5": (0, 1, 1),
    "kimik2.6": (2, None, 1),
    "glm5": (1, None, 2),
}
_POWER_FROM = 2  # date index from which runs measure power
_HARDWARE = {
    "dsr1": ("h200", "b200", "mi355x", "gb200"),
    "gptoss120b": ("h100", "b200", "mi300x"),
    "kimik2.5": ("b200", "mi355x"),
    "kimik2.6": ("b200", "b300", "mi355x"),
    "glm5": ("h200", "gb300"),
}
_FRAMEWORK = {"h100": "vllm", "h200": "sglang", "b200": "trt", "b300": "vllm", "mi300x": "vllm",
              "mi355x": "atom", "gb200": "dynamo-trt", "gb300": "dynamo-sglang"}  # fmt: skip
_SEQUENCES = ((1024, 1024), (1024, 8192), (8192, 1024))
_BASE_METRICS = ("tput_per_gpu", "input_tput_per_gpu", "output_tput_per_gpu", "median_ttft",
                 "mean_ttft", "p99_ttft", "p99.9_ttft", "median_tpot", "median_e2el",
                 "mean_e2el", "p99_e2el", "median_intvty", "mean_intvty")  # fmt: skip
_POWER_METRICS = ("avg_power_w", "joules_per_output_token")


def _dates(count: int) -> list[str]:
    return [(FIRST_DATE + timedelta(days=4 * i + (i % 3))).isoformat() for i in range(count)]


def _configs(key: str) -> list[dict[str, Any]]:
    out = []
    for hw in _HARDWARE[key]:
        multinode = hw.startswith("gb")
        for precision in ("fp8", "fp4") if hw in ("b200", "b300", "mi355x", "gb200") else ("fp8",):
            tp = 8 if multinode else 4
            out.append({
                "model": key, "hardware": hw, "framework": _FRAMEWORK[hw],
                "precision": precision, "spec_method": "mtp" if multinode else "none",
                "disagg": multinode, "is_multinode": multinode, "prefill_tp": tp,
                "prefill_ep": tp if multinode else 1, "prefill_dp_attention": multinode,
                "prefill_num_workers": 2 if multinode else 0, "decode_tp": tp,
                "decode_ep": tp if multinode else 1, "decode_dp_attention": multinode,
                "decode_num_workers": 1 if multinode else 0,
                "num_prefill_gpu": 2 * tp if multinode else tp, "num_decode_gpu": tp,
                "image": f"registry.example/{_FRAMEWORK[hw]}:2026.{len(hw)}",
            })  # fmt: skip
    return out


def _metrics(rng: random.Random, conc: int, isl: int | None, power: bool) -> dict[str, float]:
    per_user = 120.0 / (1 + conc / 16) ** 0.7 * rng.uniform(0.8, 1.2)
    tput = conc * per_user * rng.uniform(0.2, 0.4)
    ttft = (isl or 4096) * (1 + conc * 0.05) / 40000 * rng.uniform(0.9, 1.1)
    e2el = ttft + 1024 / per_user
    m = {"tput_per_gpu": tput, "input_tput_per_gpu": tput * 0.5, "output_tput_per_gpu": tput * 0.5,
         "median_ttft": ttft, "mean_ttft": ttft * 1.1, "p99_ttft": ttft * 2.5,
         "p99.9_ttft": ttft * 3, "median_tpot": 1 / per_user, "median_e2el": e2el,
         "mean_e2el": e2el * 1.05, "p99_e2el": e2el * 1.4, "median_intvty": per_user,
         "mean_intvty": per_user * 0.97}  # fmt: skip
    if power:
        m["avg_power_w"] = rng.uniform(500, 1100)
        m["joules_per_output_token"] = m["avg_power_w"] / max(m["output_tput_per_gpu"], 1e-9)
    return {k: round(v, 6) for k, v in m.items()}


def generate(seed: int = 0, dates: int = 30) -> SiteData:
    """A deterministic site: 4 display names over 5 keys, *dates* run dates (every key
    runs on its share of them: 3 * dates model x date combinations), agentic-trace lines of
    DeepSeek with null isl/osl, multinode lines with ``workers``, power metrics from the
    third date on."""
    days = _dates(dates)
    rows: list[dict[str, Any]] = []
    for k, (key, (first, last, every)) in enumerate(_SCHEDULE.items()):
        for i in range(first, min(dates - 1 if last is None else last, dates - 1) + 1, every):
            day = days[i]
            run_id = 100000 + 10 * i + k
            row_id = run_id * 1000
            rng = random.Random(f"{seed}|{key}|{day}")
            lines: list[tuple[dict[str, Any], str, tuple[int | None, int | None]]] = [
                (c, "single_turn", s) for c in _configs(key) for s in _SEQUENCES
            ]
            if key == "dsr1":
                lines += [(c, "agentic_traces", (None, None)) for c in _configs(key)[:2]]
            for config, kind, (isl, osl) in lines:
                if rng.random() < 0.45 and i != first:  # most lines rerun on most dates
                    continue
                concs = (256, 1024, 2048) if config["is_multinode"] else (4, 16, 64)
                for conc in concs:
                    workers = None
                    row_id += 1
                    if config["is_multinode"]:
                        roles = (("prefill", 0), ("prefill", 1), ("decode", 2))
                        workers = [
                            {"role": r, "node": n, "avg_power_w": rng.randint(800, 1200)}
                            for r, n in roles
                        ]
                    rows.append({
                        **config, "isl": isl, "osl": osl, "conc": conc,
                        "metrics": _metrics(rng, conc, isl, power=i >= _POWER_FROM),
                        "workers": workers, "date": day,
                        "run_url": f"https://github.com/SemiAnalysisAI/InferenceX/actions/runs/{run_id}",
                        "id": row_id, "benchmark_type": kind, "offload_mode": "none",
                        "workflow_run_id": run_id, "run_started_at": f"{day}T02:00:00Z",
                    })  # fmt: skip
    models = list(dict.fromkeys(DISPLAY_NAMES[k] for k in _SCHEDULE))
    return SiteData(models, models[0], rows, availability_of(rows), source=f"generate({seed})")


def default_snapshot_dir() -> Path | None:
    """``../shared/inferencex/snapshots/2026-06`` next to the repo root, if present."""
    root = Path(__file__).resolve().parents[2]
    path = root.parent / "shared" / "inferencex" / "snapshots" / "2026-06"
    return path if (path / "benchmarks.json").is_file() else None


def load_snapshot(directory: Path) -> SiteData:
    """The real answers: availability as served, and DeepSeek-R1-0528's rows (the only model
    the snapshot holds rows of, so the only one the Model control offers)."""
    rows = json.loads((directory / "benchmarks.json").read_bytes())
    availability = json.loads((directory / "availability.json").read_bytes())
    return SiteData([SNAPSHOT_MODEL], SNAPSHOT_MODEL, rows, availability, source=str(directory))


def dump(value: Any) -> bytes:
    """Compact JSON, as the API serves it."""
    return json.dumps(value, separators=(",", ":")).encode()
