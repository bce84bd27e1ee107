"""Seed-style baseline for bench/inferencemax_sweep.py: the way the pipeline benchcrawl
replaces scrapes the dashboard, no Scrapy.

One browser page, the combinations one after another. For each one, each dropdown is
clicked twice with a 0.5 s pause (its "multi-click strategy": open the dropdown, pause,
pick the option, pause, for the model and then the sequence); then the page's network log
is polled every 0.5 s until both data files of that selection have been seen, or 30 s
have passed. Then the same validation and the replaced pipeline's join
(``pandas.merge(e2e, inter, on=six keys, how="inner")``, e2e on the left) into one CSV.

    python bench/seed_baseline.py BASE_URL OUT_DIR
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from playwright.async_api import async_playwright

from benchcrawl.settings import PLAYWRIGHT_LAUNCH_OPTIONS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.sweep_baseline import add_rows, write_merged  # noqa: E402

PAUSE = 0.5  # s between the two clicks on a dropdown, and after the second
POLL = 0.5  # s between looks at the network log
TIMEOUT = 30.0  # s to wait for a selection's two files


async def pick(page, name: str, label: str) -> None:
    """The multi-click strategy: click the dropdown, pause, click the option, pause."""
    await page.get_by_role("combobox", name=name, exact=True).click()
    await asyncio.sleep(PAUSE)
    await page.get_by_role("option", name=label, exact=True).click()
    await asyncio.sleep(PAUSE)


async def shown_label(page, name: str) -> str:
    return (await page.get_by_role("combobox", name=name, exact=True).inner_text()).strip()


async def options(page, name: str) -> list[str]:
    box = page.get_by_role("combobox", name=name, exact=True)
    await box.wait_for()
    await box.click()
    labels = [t.strip() for t in await page.get_by_role("option").all_inner_texts()]
    await page.keyboard.press("Escape")
    return labels


async def main(base_url: str, out: Path) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**PLAYWRIGHT_LAUNCH_OPTIONS)  # same browser, same flags
        page = await browser.new_page()
        await page.route("**/_vercel/**", lambda route: route.abort())
        log: list = []  # the network log: every response the page received, in order
        page.on("response", lambda resp: log.append(resp))
        await page.goto(base_url)
        models = await options(page, "Model")
        seqs = await options(page, "ISL / OSL")
        rows: dict[str, list] = {"interactivity": [], "e2e": []}
        for model in models:
            for seq in seqs:
                shown = [await shown_label(page, n) for n in ("Model", "ISL / OSL")]
                # the selection on screen already has its files in the log
                seen = 0 if shown == [model, seq] else len(log)
                await pick(page, "Model", model)
                await pick(page, "ISL / OSL", seq)
                files: dict = {}
                deadline = time.monotonic() + TIMEOUT
                while len(files) < 2 and time.monotonic() < deadline:
                    for resp in log[seen:]:
                        for kind in rows:
                            if f"-{kind}" in resp.url and resp.status == 200:
                                files[kind] = resp
                    if len(files) < 2:
                        await asyncio.sleep(POLL)
                if len(files) < 2:
                    raise SystemExit(f"{model} x {seq}: no data files within {TIMEOUT:g} s")
                await add_rows(rows, files, model, seq)
        await browser.close()
    write_merged(rows, out)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
