"""The ``results`` table of the 2026 generation on SQLite and on the PostgreSQL server
these machines run (127.0.0.1:5432, trust auth, database ``test``; a schema of its own per
test, dropped after): every result once, and loading the versions again changes nothing."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from benchcrawl.products.db import connect, database_url, results
from benchcrawl.products.inferencex_db import load_results
from benchcrawl.storage.inferencex import write_inferencex_version
from tests.inferencex._table_support import DATES, MODELS, every_result, site_result

PG_SERVER = os.environ.get("BENCHCRAWL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield database_url(None, tmp_path)
        return
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        pytest.skip(f"no PostgreSQL at {PG_SERVER} ({e}); CI runs one on 127.0.0.1:5432")
    schema = f"benchcrawl_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield database_url(f"{PG_SERVER}?options=-csearch_path%3D{schema}", tmp_path)
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def test_every_result_once_and_a_second_load_changes_nothing(url, tmp_path):
    data_dir = tmp_path / "data"
    old = [site_result(m, d) for m in MODELS for d in DATES[m][:-1]]
    new = [site_result(m, DATES[m][-1]) for m in MODELS]
    first = write_inferencex_version(data_dir, "20260405T000000.000000Z", old, len(old), None)
    second = write_inferencex_version(data_dir, "20260406T000000.000000Z", new, 2, first.path)
    engine = connect(url)
    try:
        loads = [load_results(engine, v.path) for v in (first, second)]
        assert sum(x.inserted for x in loads) == len(every_result()) == 19
        again = [load_results(engine, v.path) for v in (first, second)]
        assert [x.inserted for x in again] == [0, 0]
        with engine.connect() as conn:
            stored = conn.execute(select(results)).mappings().all()
    finally:
        engine.dispose()
    assert len(stored) == 19 and len({r["result_id"] for r in stored}) == 19
    served = {(r["run_url"], r["isl"], r["conc"]): r for r in every_result()}
    for r in stored:
        metrics = r["metrics"] if isinstance(r["metrics"], dict) else json.loads(r["metrics"])
        assert metrics == served[(r["run_url"], r["isl"], r["conc"])]["metrics"]
    agentic = [r for r in stored if r["benchmark_type"] == "agentic_traces"]
    assert len(agentic) == 2 and all(r["isl"] is None and r["osl"] is None for r in agentic)
    newest = [r for r in stored if "/401/" in r["run_url"]]
    assert all(r["fields"]["brand_new_field"] == "x" for r in newest)
    assert all("joules_per_output_token" in r["metrics"] for r in newest)


def test_workers_and_a_nan_metric_load_on_both_databases(url, tmp_path):
    from tests.inferencex._table_support import RUNS, result, row

    odd = row(RUNS[0], 1)
    odd["metrics"]["avg_power_w"] = float("nan")
    odd["workers"] = [{"role": "decode", "hosts": ["h1"], "avg_power_w": 812.5}]
    version = write_inferencex_version(
        tmp_path / "data",
        "20260405T000000.000000Z",
        [result("Alpha-1", "2026-01-01", [odd])],
        1,
        None,
    )
    engine = connect(url)
    try:
        assert load_results(engine, version.path).inserted == 1
        with engine.connect() as conn:
            (stored,) = conn.execute(select(results)).mappings().all()
    finally:
        engine.dispose()
    assert stored["metrics"]["avg_power_w"] is None
    assert stored["metrics"]["tput_per_gpu"] == odd["metrics"]["tput_per_gpu"]
    assert stored["fields"]["workers"] == odd["workers"]
