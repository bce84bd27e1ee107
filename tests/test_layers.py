"""Arrows one way: the import graph of ``benchcrawl`` read from the source (ast, nothing
imported), every import counted, those inside functions too. No module reaches back to one
that imports it, however long the loop; the generic frontier imports nothing of the broad
crawl, its polite queue or the spiders; the add-ons module holds the add-ons only."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "benchcrawl"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """The benchcrawl modules *name* imports (``from pkg import mod`` counts as ``pkg.mod``
    when that is a module, else as ``pkg``)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read() -> None:
    # the checks below would pass on an empty graph: make sure it holds known arrows
    assert "benchcrawl.frontier.interface" in GRAPH["benchcrawl.frontier.queue"]
    assert "benchcrawl.resources.policy" in GRAPH["benchcrawl.middlewares.resource_aware"]


def test_no_modules_import_each_other() -> None:
    assert cycles(GRAPH) == []


def test_the_cycle_check_finds_a_loop() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_frontier_imports_nothing_of_the_broad_crawl() -> None:
    feature = ("benchcrawl.broad", "benchcrawl.polite", "benchcrawl.spiders")
    reached = {
        (name, target)
        for name, targets in GRAPH.items()
        if name.startswith("benchcrawl.frontier")
        for target in targets
        if target.startswith(feature)
    }
    assert reached == set()


def test_the_frontier_interface_owns_its_types() -> None:
    assert not {m for m in GRAPH["benchcrawl.frontier.interface"] if "frontier" in m}
    tree = ast.parse(MODULES["benchcrawl.frontier.interface"].read_text())
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    assert {"FrontierKeys", "Push", "CommitResult", "ClusterState"} <= classes


def test_the_addons_module_holds_add_ons_only() -> None:
    tree = ast.parse(MODULES["benchcrawl.addons"].read_text())
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == []
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert classes and all(c.endswith("Addon") for c in classes)


def test_one_stats_helper() -> None:
    # a component adds to a stat with Scrapy's inc_value or benchcrawl.stats.inc, never a
    # helper of its own (there were four ``_inc`` bodies, then four one-line wrappers)
    own = {
        (name, node.name)
        for name, path in MODULES.items()
        if name != "benchcrawl.stats"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.lstrip("_") in ("inc", "inc_value", "inc_stat")
    }
    assert own == set()
    assert "benchcrawl.stats" in GRAPH["benchcrawl.frontier.scheduler"]


# module names that more than one package holds, each for the same role in its package: a
# reader knows which one is open from its path. Any other shared name is two jobs under one
# name (as scheduler.py, gate.py and charts.py once were).
SAME_ROLE = {
    "auth": "the monitor's sign-in check, and its routes (monitor/routes/ has one per concern)",
    "data": "what a package reads or serves as its data (the monitor: DATA_DIR; the replica)",
    "defaults": "a component's defaults module, applied by its add-on",
    "keys": "a package's Redis key names, from its settings",
    "metrics": "Prometheus metrics: a worker's and the cluster's",
    "queue": "an implementation of the frontier's queue interface",
    "state": "a package's own record (the scheduler's last run, a sweep's progress)",
    "table": "a dashboard generation's results table",
    "versions": "the versioned output, and the command named after it",
    "warc": "WARC records, and the pipeline that writes them",
}


def test_a_shared_module_name_is_one_role() -> None:
    shared: dict[str, list[str]] = {}
    for name in MODULES:
        leaf = name.rpartition(".")[2]
        if MODULES[name].name != "__init__.py":
            shared.setdefault(leaf, []).append(name)
    twice = {leaf for leaf, names in shared.items() if len(names) > 1}
    assert twice == set(SAME_ROLE), (sorted(twice - set(SAME_ROLE)), sorted(set(SAME_ROLE) - twice))
    assert {"scheduler", "gate", "charts", "page", "dashboard", "outcome"}.isdisjoint(twice)
