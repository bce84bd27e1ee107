"""The four sweep pipelines as components: built by Scrapy's test helpers on a crawler
whose spider holds an in-process sweep record, fed items made from the replica's
generated data files."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from benchcrawl.items import CombinationResult, SweepTables
from benchcrawl.replica.data import CATALOG, dump, file_name, generate_combination
from benchcrawl.sweep.memory import MemorySweepStore

SLUG = dict(CATALOG["models"]) | dict(CATALOG["sequences"])
PLAN = [("gpt-oss 120B", "1K / 1K"), ("DeepSeek R1 0528", "8K / 1K")]


class SweepSpider(Spider):
    """What the pipelines need of the InferenceMAX spider: its sweep record."""

    name = "inferencemax"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sweep_store = MemorySweepStore()


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Await one ``async def process_item`` on a private event loop."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    crawler = get_crawler(
        SweepSpider,
        {"DATA_DIR": str(tmp_path / "data"), "FRONTIER_RETRY_MAX_DELAY": 0.1},
    )
    crawler.spider = build_from_crawler(SweepSpider, crawler)
    crawler.stats.open_spider()
    return crawler


@pytest.fixture
def build(crawler: Crawler) -> Callable[[type], Any]:
    """``build(PipelineClass)``: the component as Scrapy makes it."""
    return lambda cls: build_from_crawler(cls, crawler)


@pytest.fixture
def sweep_id(crawler: Crawler) -> str:
    store = crawler.spider.sweep_store
    sweep, _ = store.join(1761350400.0)  # 2025-10-25T00:00:00Z
    store.set_plan(sweep, PLAN)
    return sweep


def served(model: str, sequence: str, rows: tuple[int, int] = (30, 40)) -> dict[str, list[dict]]:
    """Generated (interactivity, e2e) records of one combination, keyed by kind."""
    inter, e2e = generate_combination(SLUG[model], SLUG[sequence], seed=7, rows=rows)
    return {"interactivity": inter, "e2e": e2e}


def result(
    sweep_id: str, index: int, model: str, sequence: str, kind: str, records: Any
) -> CombinationResult:
    """A captured file, as the spider emits it (``records`` still unparsed)."""
    body = records if isinstance(records, bytes) else dump(records)
    name = file_name(SLUG[model], SLUG[sequence], kind)
    return CombinationResult(
        sweep_id,
        index,
        model,
        sequence,
        kind,
        f"http://127.0.0.1:9/data/inference-performance/{name}",
        "2025-10-25T00:00:01+00:00",
        200,
        "application/json; charset=utf-8",
        body,
    )


def sweep_tables(sweep_id: str, files: dict[tuple[str, str], dict[str, Any]]) -> SweepTables:
    """A finished sweep of ``files`` ((model, sequence) -> kind -> records), validated."""
    from benchcrawl.inferencemax.schema import parse_records

    results = []
    for index, ((model, sequence), kinds) in enumerate(files.items(), start=1):
        for kind in ("interactivity", "e2e"):
            item = result(sweep_id, index, model, sequence, kind, kinds[kind])
            item.records = parse_records(item.body, item.url, item.content_type)
            results.append(item)
    return SweepTables(sweep_id, results, [], len(files))
