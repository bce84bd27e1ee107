"""The thin browser side of the list detector: open a URL in Chromium, run
``collect.js`` once and hand its plain data to :mod:`benchcrawl.lists.layout`."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from benchcrawl.browser.launch import chromium_executable
from benchcrawl.exceptions import BrowserError

#: the window the page is laid out in (a desktop browser's), CSS pixels
VIEWPORT_WIDTH, VIEWPORT_HEIGHT = 1280, 900


def collect_script() -> str:
    return files("benchcrawl.lists").joinpath("collect.js").read_text(encoding="utf-8")


def collect_layout(
    url: str, executable: str | None = None, timeout_ms: int = 30_000
) -> dict[str, Any]:
    """The rendered layout of *url* as ``collect.js`` returns it. :class:`BrowserError`
    when Chromium cannot start or the page cannot be loaded."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    script = collect_script()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_executable(executable))
            try:
                page = browser.new_page(
                    viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT}
                )
                response = page.goto(url, wait_until="load", timeout=timeout_ms)
                if response is not None and response.status >= 400:
                    raise BrowserError(f"{url} answered HTTP {response.status}")
                return page.evaluate(script)
            finally:
                browser.close()
    except PlaywrightError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise BrowserError(f"could not read {url} in Chromium: {first}") from e
