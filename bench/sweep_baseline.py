"""Baseline for bench/inferencemax_sweep.py: the hand-written way, no Scrapy.

One browser page; for each model, for each sequence: choose both in the dropdowns, wait for
the two data files, then wait for the page to go quiet (network idle), as scripts written
against a single-page app usually do. Then the same validate + merge + CSV as benchcrawl.

    python bench/sweep_baseline.py BASE_URL OUT_DIR
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from playwright.async_api import async_playwright

from benchcrawl.inferencemax.schema import parse_records, sequence_length
from benchcrawl.inferencemax.table import flatten, merge_tables, side_table, write_csv
from benchcrawl.settings import PLAYWRIGHT_LAUNCH_OPTIONS


async def choose(page, name: str, label: str) -> None:
    box = page.get_by_role("combobox", name=name, exact=True)
    await box.click()
    await page.get_by_role("option", name=label, exact=True).click()


async def main(base_url: str, out: Path) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**PLAYWRIGHT_LAUNCH_OPTIONS)  # same browser, same flags
        page = await browser.new_page()
        await page.route("**/_vercel/**", lambda route: route.abort())  # as benchcrawl does
        await page.goto(base_url)
        model_box = page.get_by_role("combobox", name="Model", exact=True)
        await model_box.wait_for()
        await model_box.click()
        models = [t.strip() for t in await page.get_by_role("option").all_inner_texts()]
        await page.keyboard.press("Escape")
        seq_box = page.get_by_role("combobox", name="ISL / OSL", exact=True)
        await seq_box.click()
        seqs = [t.strip() for t in await page.get_by_role("option").all_inner_texts()]
        await page.keyboard.press("Escape")
        await page.wait_for_load_state("networkidle")
        rows = {"interactivity": [], "e2e": []}
        for model in models:
            for seq in seqs:
                files = {}
                for name, label in (("Model", model), ("ISL / OSL", seq)):
                    if (
                        await page.get_by_role("combobox", name=name, exact=True).inner_text()
                    ).strip() == label:
                        continue
                    async with (
                        page.expect_response(lambda r: "-interactivity" in r.url) as ri,
                        page.expect_response(lambda r: "-e2e" in r.url) as re_,
                    ):
                        await choose(page, name, label)
                    files = {"interactivity": await ri.value, "e2e": await re_.value}
                    await page.wait_for_load_state("networkidle")
                if not files:  # the start selection: step away and back to load it again
                    await choose(page, "ISL / OSL", seqs[-1] if seq != seqs[-1] else seqs[0])
                    await page.wait_for_load_state("networkidle")
                    async with (
                        page.expect_response(lambda r: "-interactivity" in r.url) as ri,
                        page.expect_response(lambda r: "-e2e" in r.url) as re_,
                    ):
                        await choose(page, "ISL / OSL", seq)
                    files = {"interactivity": await ri.value, "e2e": await re_.value}
                    await page.wait_for_load_state("networkidle")
                await add_rows(rows, files, model, seq)
        await browser.close()
    write_merged(rows, out)


async def add_rows(rows: dict[str, list], files: dict, model: str, seq: str) -> None:
    """Validate one combination's two captured responses into *rows* (by kind)."""
    for kind, resp in files.items():
        records = parse_records(await resp.body(), resp.url)
        rows[kind] += flatten(records, model, sequence_length(seq))


def write_merged(rows: dict[str, list], out: Path) -> None:
    """The same join and CSV as benchcrawl's merge stage, into OUT_DIR/merged.csv."""
    result = merge_tables(side_table(rows["interactivity"]), side_table(rows["e2e"]))
    out.mkdir(parents=True, exist_ok=True)
    write_csv(result.merged, out / "merged.csv")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
