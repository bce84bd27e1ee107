"""The sweep pipelines depend on the SweepStore interface, which both stores implement."""

from __future__ import annotations

import ast
import inspect

import pytest
import redis

from benchcrawl.pipelines import archive, split
from benchcrawl.sweep.memory import MemorySweepStore
from benchcrawl.sweep.redis import RedisSweepStore
from benchcrawl.sweep.store import SweepStore


@pytest.mark.parametrize("cls", [MemorySweepStore, RedisSweepStore])
def test_both_stores_have_every_method_of_the_interface(cls):
    wanted = {
        n for n in vars(SweepStore) if not n.startswith("_") and callable(getattr(SweepStore, n))
    }
    assert wanted <= set(dir(cls))
    store = cls() if cls is MemorySweepStore else cls(redis.Redis(), "sweep", 1.0, 60)
    assert isinstance(store, SweepStore)


@pytest.mark.parametrize("module", [split, archive])
def test_sweep_pipelines_import_nothing_from_the_frontier(module):
    tree = ast.parse(inspect.getsource(module))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert "benchcrawl.sweep.store" in imported
    assert not [m for m in imported if m and m.startswith("benchcrawl.frontier")]
