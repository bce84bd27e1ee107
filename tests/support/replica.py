"""The replicas of the dashboard serving generated data, for tests outside tests/spiders
(where a conftest serves the 2025 one the same way): skipped with its reason where no
Chromium is. Also the oracle of the InferenceX replica's rows, in the canonical form a
results table is compared in (computed from the replica's own data, never from the code
under test)."""

from __future__ import annotations

import csv
import json
import math
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from benchcrawl.browser.launch import chromium_executable
from benchcrawl.replica import Replica, generate


@contextmanager
def generated_replica(hydrate_delay: float = 0.2) -> Iterator[Replica]:
    """The replica serving ``generate()`` on a free loopback port."""
    if not chromium_executable() and not shutil.which("chromium"):
        pytest.skip("no Chromium (apt-get install -y chromium)")
    with Replica(generate(), hydrate_delay=hydrate_delay) as server:
        yield server


@contextmanager
def inferencex_replica(dates: int = 4, seed: int = 0, **kwargs: Any) -> Iterator[Any]:
    """The InferenceX (2026) replica serving ``inferencex_data.generate(seed, dates)``."""
    from benchcrawl.replica.inferencex_data import generate as generate_x
    from benchcrawl.replica.inferencex_server import InferenceXReplica

    if not chromium_executable() and not shutil.which("chromium"):
        pytest.skip("no Chromium (apt-get install -y chromium)")
    kwargs.setdefault("hydrate_delay", 0.2)
    with InferenceXReplica(generate_x(seed=seed, dates=dates), **kwargs) as server:
        yield server


# --- the oracle: rows as served, in a form results.csv and the history can be compared to --


def _plain(value: Any) -> Any:
    """One cell or served value, normalized: numbers as float, JSON text decoded, missing
    as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value), parse_int=float)
    text = str(value)
    if text == "":
        return None
    if text in ("True", "False"):
        return text == "True"
    try:
        return json.loads(text, parse_int=float)
    except ValueError:
        return text


def served_row(row: dict[str, Any], model_name: str) -> str:
    """A served row as one canonical line: its fields, its metrics as columns, model_name."""
    flat = {k: v for k, v in row.items() if k != "metrics"}
    flat.update(row.get("metrics") or {})
    flat["model_name"] = model_name
    plain = {k: _plain(v) for k, v in flat.items()}
    return json.dumps({k: v for k, v in plain.items() if v is not None}, sort_keys=True)


def table_row(cells: dict[str, Any]) -> str:
    """A row of results.csv (or of the history) as the same canonical line."""
    plain = {k: _plain(v) for k, v in cells.items()}
    return json.dumps({k: v for k, v in plain.items() if v is not None}, sort_keys=True)


def read_results_csv(path: Path) -> list[str]:
    with path.open(newline="") as f:
        return sorted(table_row(r) for r in csv.DictReader(f))


def read_history(data_dir: Path) -> list[str]:
    import pandas as pd

    table = pd.read_parquet(data_dir / "history" / "results.parquet")
    return sorted(table_row(r) for r in table.to_dict("records"))


def expected(rows_by_model: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Canonical lines of every distinct served row, each once."""
    return sorted({served_row(r, m) for m, rows in rows_by_model.items() for r in rows})
