"""Drive the dashboard's two dropdowns, found by accessible name.

They may be native ``<select>`` elements or button comboboxes (``role=combobox`` opening
a ``role=listbox`` of ``role=option`` items) that appear only after the app hydrates;
both expose the ARIA role ``combobox`` with the label as accessible name.
"""

from __future__ import annotations

from typing import Any

from benchcrawl.exceptions import DashboardError

# a dropdown's tag and shown label: a native select's chosen option, else its text
_CURRENT = (
    "e => [e.tagName, e.tagName.toUpperCase() === 'SELECT'"
    " ? (e.options[e.selectedIndex]?.text ?? '') : e.innerText]"
)


def _norm(text: str) -> str:
    return " ".join(text.split())


class Dashboard:
    def __init__(self, page: Any, timeout: float) -> None:
        self.page = page
        self.timeout_ms = timeout * 1000
        self._native: dict[str, bool] = {}

    def dropdown(self, name: str) -> Any:
        return self.page.get_by_role("combobox", name=name, exact=True)

    async def wait_ready(self, *names: str) -> None:
        """Wait for the app to hydrate: every named dropdown visible."""
        for name in names:
            try:
                await self.dropdown(name).first.wait_for(state="visible", timeout=self.timeout_ms)
            except Exception as e:
                raise DashboardError(
                    f"no dropdown named {name!r} appeared within {self.timeout_ms / 1000:g} s "
                    f"on {self.page.url}"
                ) from e

    async def _is_native(self, name: str) -> bool:
        if name not in self._native:
            tag = await self.dropdown(name).first.evaluate("e => e.tagName")
            self._native[name] = tag.upper() == "SELECT"
        return self._native[name]

    async def options(self, name: str) -> list[str]:
        """The labels the dropdown offers, in page order."""
        box = self.dropdown(name).first
        if await self._is_native(name):
            texts = await box.locator("option").all_inner_texts()
        else:
            await self._click(box)
            option = self.page.get_by_role("option")
            await option.first.wait_for(state="visible", timeout=self.timeout_ms)
            texts = await option.all_inner_texts()
            await self._close_list(box)
        labels = [_norm(t) for t in texts if _norm(t)]
        if not labels:
            raise DashboardError(f"dropdown {name!r} on {self.page.url} offers no options")
        return labels

    async def _close_list(self, box: Any) -> None:
        await self.page.keyboard.press("Escape")
        if await box.get_attribute("aria-expanded") == "true":
            await self._click(box)

    async def current(self, name: str) -> str:
        """The label shown; the first call also learns whether the dropdown is native, in
        the same round trip to the browser."""
        tag, text = await self.dropdown(name).first.evaluate(_CURRENT)
        self._native[name] = tag.upper() == "SELECT"
        return _norm(text)

    async def choose(self, name: str, label: str) -> None:
        box = self.dropdown(name).first
        if await self._is_native(name):
            await box.select_option(label=label, timeout=self.timeout_ms)
            return
        await self._click(box)
        await self._click(self.page.get_by_role("option", name=label, exact=True).first)

    async def _click(self, locator: Any) -> None:
        """Click a visible element without Playwright's "stable" check: that check waits
        for animation frames, which headless Chromium throttles on every page but the
        front one, costing seconds per click when several pages are driven at once."""
        await locator.wait_for(state="visible", timeout=self.timeout_ms)
        await locator.click(timeout=self.timeout_ms, force=True)
