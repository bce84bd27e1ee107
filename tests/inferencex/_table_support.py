"""Answers of the InferenceX benchmarks API made in the test itself (no ../shared): a small
site with runs on several dates, answered with the API's as-of rule, and the real snapshot
where it is present."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchcrawl.items import CombinationResult

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "inferencex"
SNAPSHOT = SHARED / "snapshots" / "2026-06"

BASE = "http://127.0.0.1:8000/api/v1/benchmarks"


def snapshot_rows() -> list[dict[str, Any]]:
    path = SNAPSHOT / "benchmarks.json"
    if not path.is_file():
        pytest.skip(f"the real snapshot is not here ({path}): ../shared is absent")
    return json.loads(path.read_bytes())


def result(
    model_name: str, run_date: str, rows: list[dict[str, Any]], fetched: str = ""
) -> CombinationResult:
    body = json.dumps(rows).encode()
    return CombinationResult(
        sweep_id="s",
        index=1,
        model=model_name,
        sequence=run_date,
        kind="benchmarks",
        url=f"{BASE}?model={model_name}&date={run_date}",
        fetched_at=fetched or f"{run_date}T12:00:00+00:00",
        status=200,
        content_type="application/json",
        body=body,
        records=json.loads(body),
    )


@dataclass(frozen=True)
class Run:
    """One run of one line: a configuration at one sequence, measured on a date."""

    model: str  # DB key
    hardware: str
    precision: str
    isl: int | None
    osl: int | None
    date: str
    run: int  # the GitHub run id
    concs: tuple[int, ...]
    framework: str = "sglang"
    extra_metrics: tuple[str, ...] = ()
    extra_fields: tuple[tuple[str, Any], ...] = ()

    @property
    def line(self) -> tuple[Any, ...]:
        return (self.model, self.hardware, self.precision, self.framework, self.isl, self.osl)


def row(run: Run, conc: int) -> dict[str, Any]:
    tput = 10.0 * conc + run.run % 97 + 0.125  # more users, more throughput per GPU
    out: dict[str, Any] = {
        "hardware": run.hardware,
        "framework": run.framework,
        "model": run.model,
        "precision": run.precision,
        "spec_method": "none",
        "disagg": False,
        "is_multinode": False,
        "prefill_tp": 8,
        "prefill_ep": 1,
        "prefill_dp_attention": False,
        "prefill_num_workers": 0,
        "decode_tp": 8,
        "decode_ep": 1,
        "decode_dp_attention": False,
        "decode_num_workers": 0,
        "num_prefill_gpu": 8,
        "num_decode_gpu": 8,
        "isl": run.isl,
        "osl": run.osl,
        "conc": conc,
        "image": f"img:{run.run}",
        "metrics": {
            "tput_per_gpu": tput,
            "median_intvty": 2000.0 / conc + run.run % 13,
            "p90_intvty": 1900.0 / conc + run.run % 13,
            "median_e2el": conc * 0.5 + 1.0,
            "p90_e2el": conc * 0.6 + 1.0,
            "median_ttft": 0.1 * conc,
            **{m: float(conc) for m in run.extra_metrics},
        },
        "workers": None,
        "date": run.date,
        "run_url": f"https://github.com/o/r/actions/runs/{run.run}/attempts/1",
    }
    if run.isl is None:
        out["benchmark_type"] = "agentic_traces"
    out.update(dict(run.extra_fields))
    return out


def answer(runs: list[Run], model_keys: set[str], date: str) -> list[dict[str, Any]]:
    """The API's as-of answer: per line, the newest run on or before *date*, every conc."""
    newest: dict[tuple[Any, ...], Run] = {}
    for r in runs:
        if r.model in model_keys and r.date <= date:
            best = newest.get(r.line)
            if best is None or (r.date, r.run) > (best.date, best.run):
                newest[r.line] = r
    return [row(r, c) for r in newest.values() for c in r.concs]


# A model with two DB keys, runs on four dates, an agentic line, and (on the last date) a
# new field and a new metric; a second model with runs on two dates.
RUNS: list[Run] = [
    Run("alpha", "b200", "fp8", 1024, 1024, "2026-01-01", 101, (1, 4, 16)),
    Run("alpha", "b200", "fp8", 8192, 1024, "2026-01-01", 101, (1, 4)),
    Run("alpha", "mi355x", "fp4", 1024, 1024, "2026-01-01", 102, (4, 64)),
    Run("alpha", "b200", "fp8", 1024, 1024, "2026-02-01", 201, (1, 4)),  # replaces 101's line
    Run("alpha2", "h200", "fp8", 1024, 8192, "2026-02-01", 202, (2, 8)),
    Run("alpha", "mi355x", "fp4", None, None, "2026-03-01", 301, (8, 32)),  # agentic
    Run(
        "alpha",
        "mi355x",
        "fp4",
        1024,
        1024,
        "2026-04-01",
        401,
        (4, 64, 128),
        extra_metrics=("joules_per_output_token",),
        extra_fields=(("brand_new_field", "x"),),
    ),
    Run("beta", "gb200", "fp4", 1024, 1024, "2026-02-01", 211, (16, 32), framework="trt"),
    Run("beta", "gb200", "fp4", 1024, 1024, "2026-04-01", 411, (16,), framework="trt"),
]
MODELS = {"Alpha-1": {"alpha", "alpha2"}, "Beta-2": {"beta"}}
DATES = {
    "Alpha-1": ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"],
    "Beta-2": ["2026-02-01", "2026-04-01"],
}


def site_result(model_name: str, date: str) -> CombinationResult:
    return result(model_name, date, answer(RUNS, MODELS[model_name], date))


def every_result() -> list[dict[str, Any]]:
    """Every result the site ever published (each once), computed from RUNS."""
    return [row(r, c) for r in RUNS for c in r.concs]
