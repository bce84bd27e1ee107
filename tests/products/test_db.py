"""The results database on SQLite and on the PostgreSQL server these machines run
(127.0.0.1:5432, trust auth, database ``test``; a schema of its own per test run, dropped
after): the right counts per table, and a second load changes nothing."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.products.db import connect, database_url, load_version, row_counts

from ._support import expected_rows

PG_SERVER = os.environ.get("BENCHCRAWL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        pytest.skip(f"no PostgreSQL at {PG_SERVER} ({e}); CI runs one on 127.0.0.1:5432")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield database_url(None, tmp_path)
        return
    schema = f"benchcrawl_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield database_url(f"{PG_SERVER}?options=-csearch_path%3D{schema}", tmp_path)
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def test_both_versions_load_with_the_right_counts_and_a_reload_changes_nothing(
    url, two_versions, files, derived
):
    _, first, second = two_versions
    engine = connect(url)
    try:
        e = expected_rows(files)
        one = load_version(engine, first)
        assert one.inserted == {
            "versions": 1,
            "records": e["interactivity"] + e["e2e"],
            "merged": e["merged"],
        }
        two = load_version(engine, second)
        n2 = e["merged"] - len(derived.removed) + len(derived.added)
        assert two.inserted == {"versions": 1, "records": 2 * n2, "merged": n2}
        before = row_counts(engine)
        assert before == {
            "versions": 2,
            "records": 2 * e["merged"] + 2 * n2,
            "merged": e["merged"] + n2,
        }
        again = [load_version(engine, v) for v in (first, second)]
        assert all(r.already_loaded for r in again)
        assert row_counts(engine) == before
        assert row_counts(engine, second.name)["merged"] == n2
    finally:
        engine.dispose()


def test_a_fresh_connection_sees_the_same_rows(url, two_versions):
    """The tables are created once; a second engine (another process, say) finds them."""
    _, first, _ = two_versions
    engine = connect(url)
    load_version(engine, first)
    engine.dispose()
    engine = connect(url)
    try:
        assert row_counts(engine)["versions"] == 1
        assert load_version(engine, first).already_loaded
    finally:
        engine.dispose()


def test_an_unreachable_server_is_one_sentence_without_the_password(tmp_path):
    url = database_url("postgresql://bench:s3cret@127.0.0.1:9/test", tmp_path)
    with pytest.raises(BenchcrawlError) as e:
        connect(url)
    message = str(e.value)
    assert message.startswith("cannot open the results database postgresql+psycopg://bench:***@")
    assert "s3cret" not in message and "\n" not in message
    assert message.endswith("check DATABASE_URL and that the server is up")
