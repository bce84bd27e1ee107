"""Helpers for the data-product tests: the served files (the 2025-10-25 snapshot when
``../shared`` has it, generated data otherwise), a second version derived from them with
known changes, and versions archived through the real merge and archive pipelines."""

from __future__ import annotations

import asyncio
import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from benchcrawl.inferencemax.schema import parse_records, sequence_length
from benchcrawl.items import CombinationResult, SweepTables
from benchcrawl.pipelines.archive import ArchivePipeline
from benchcrawl.pipelines.merge import MergePipeline
from benchcrawl.replica.data import CATALOG, dump, file_name, generate, load_snapshot
from benchcrawl.sweep.memory import MemorySweepStore
from tests.inferencemax._support import SNAPSHOT_DIR

KINDS = ("interactivity", "e2e")
COMBOS = [(m, ms, s, ss) for m, ms in CATALOG["models"] for s, ss in CATALOG["sequences"]]
DAY = 86400.0
T0 = 1761350400.0  # 2025-10-25T00:00:00Z


def served_files() -> dict[str, bytes]:
    """The snapshot's 18 files when present, else the replica's generated ones."""
    if SNAPSHOT_DIR.is_dir():
        return load_snapshot(SNAPSHOT_DIR)
    return generate(seed=0, rows=(30, 60))


def expected_rows(files: dict[str, bytes]) -> dict[str, int]:
    """Records per kind and merged rows (keys present in both files of a combination)."""
    out = {"interactivity": 0, "e2e": 0, "merged": 0}
    for _, ms, _, ss in COMBOS:
        keys = {}
        for kind in KINDS:
            recs = json.loads(files[file_name(ms, ss, kind)])
            out[kind] += len(recs)
            keys[kind] = {(r["conc"], r["hwKey"], r["precision"], r["tp"]) for r in recs}
        out["merged"] += len(keys["interactivity"] & keys["e2e"])
    return out


@dataclass
class Derived:
    """A second version's files and the six-key tuples it changes, by kind of change."""

    files: dict[str, bytes]
    added: set[tuple] = field(default_factory=set)
    removed: set[tuple] = field(default_factory=set)
    changed: set[tuple] = field(default_factory=set)


def _key(model: str, seq: str, r: dict[str, Any]) -> tuple:
    return (model, sequence_length(seq), r["conc"], r["hwKey"], r["precision"], r["tp"])


def derive(files: dict[str, bytes]) -> Derived:
    """In gpt-oss 120B x 1K / 1K: 3 configurations removed, 2 added (a record copied to a
    new conc), 4 changed (throughput up 10 %, costs down accordingly); in DeepSeek x 8K / 1K
    one configuration's roof flag flipped (a change with no value moved)."""
    out = Derived(dict(files))
    model, ms, seq, ss = next(c for c in COMBOS if c[1] == "gpt-oss-120b" and c[3] == "1k_1k")
    docs = {k: json.loads(files[file_name(ms, ss, k)]) for k in KINDS}
    removed = docs["e2e"][:3]
    out.removed = {_key(model, seq, r) for r in removed}
    for kind in KINDS:
        docs[kind] = [r for r in docs[kind] if _key(model, seq, r) not in out.removed]
    for i in range(2):
        for kind in KINDS:
            new = copy.deepcopy(docs[kind][i])
            new["conc"] = 90_000 + i
            docs[kind].append(new)
        out.added.add(_key(model, seq, docs["e2e"][-1]))
    for kind in KINDS:
        for r in docs[kind][5:9]:
            r["y"] = round(r["y"] * 1.1, 3)
            r["tpPerGpu"]["y"] = r["y"]
            for m in ("costh", "costn", "costr"):
                r[m]["y"] = round(r[m]["y"] / 1.1, 3)
    out.changed = {_key(model, seq, r) for r in docs["e2e"][5:9]}
    for kind in KINDS:
        out.files[file_name(ms, ss, kind)] = dump(docs[kind])
    model, ms, seq, ss = next(c for c in COMBOS if c[1] == "deepseek-r1-0528" and c[3] == "8k_1k")
    e2e = json.loads(files[file_name(ms, ss, "e2e")])
    e2e[0]["costr"]["roof"] = not e2e[0]["costr"]["roof"]
    out.changed.add(_key(model, seq, e2e[0]))
    out.files[file_name(ms, ss, "e2e")] = dump(e2e)
    return out


class SweepSpider(Spider):
    name = "inferencemax"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sweep_store = MemorySweepStore()


def archive(
    data_dir: Path, files: dict[str, bytes], started: float, **settings: Any
) -> tuple[str, str, Any]:
    """Merge and archive one finished sweep of *files* as the pipelines do in a crawl;
    returns (status, detail, stats)."""
    crawler = get_crawler(
        SweepSpider, {"DATA_DIR": str(data_dir), "FRONTIER_RETRY_MAX_DELAY": 0.1, **settings}
    )
    crawler.spider = build_from_crawler(SweepSpider, crawler)
    crawler.stats.open_spider()
    store = crawler.spider.sweep_store
    sweep, _ = store.join(started)
    store.set_plan(sweep, [(m, s) for m, _, s, _ in COMBOS])
    results = []
    for index, (model, ms, seq, ss) in enumerate(COMBOS, start=1):
        for kind in KINDS:
            name = file_name(ms, ss, kind)
            item = CombinationResult(
                sweep,
                index,
                model,
                seq,
                kind,
                f"http://127.0.0.1:9/data/inference-performance/{name}",
                "2025-10-25T00:00:03+00:00",
                200,
                "application/json; charset=utf-8",
                files[name],
            )
            item.records = parse_records(item.body, item.url, item.content_type)
            results.append(item)
    tables = SweepTables(sweep, results, [], len(COMBOS))
    merge = build_from_crawler(MergePipeline, crawler)
    pipeline = build_from_crawler(ArchivePipeline, crawler)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(pipeline.process_item(merge.process_item(tables)))
    finally:
        loop.close()
    status, detail = store.status(sweep)
    return status, detail, crawler.stats
