"""What the browser does on the dashboard page during a download.

These run as scrapy-playwright page methods, inside the download, so a worker's
``CONCURRENT_REQUESTS`` bounds how many pages it drives at once and the shared queue keeps
the rest for other workers. They never raise: an error is returned in the outcome, and the
spider decides whether to retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchcrawl.browser.api_capture import INFERENCEMAX, INFERENCEX, ApiCapture
from benchcrawl.browser.capture import CapturedFile, DataCapture
from benchcrawl.browser.dropdowns import Dashboard

_IN_PLACE_WAIT = 3.0  # s: how long a pooled page's run date control or option is looked for


@dataclass
class Outcome:
    files: dict[str, CapturedFile] = field(default_factory=dict)
    models: list[str] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)
    shown: tuple[str, str] | None = None  # the selection the page showed on its own
    error: BaseException | None = None
    generation: str = INFERENCEMAX
    availability: CapturedFile | None = None  # 2026: the availability answer the page loaded


async def discover(
    page: Any, capture: DataCapture, model_label: str, sequence_label: str, timeout: float
) -> Outcome:
    """Read both dropdowns' options and the default selection's two files."""
    out = Outcome()
    try:
        dash = Dashboard(page, timeout)
        await dash.wait_ready(model_label, sequence_label)
        # read first: it also tells the options whether the dropdowns are native
        out.shown = (await dash.current(model_label), await dash.current(sequence_label))
        out.models = await dash.options(model_label)
        out.sequences = await dash.options(sequence_label)
    except Exception as e:
        out.error = e
        return out
    try:
        out.files = await capture.wait_for(0, timeout)
    except Exception:  # the default's files are a bonus; a page of its own will fetch them
        out.files = {}
    return out


async def select(
    page: Any,
    capture: DataCapture,
    labels: tuple[str, str],
    values: tuple[str, str],
    timeout: float,
    reused: bool = False,
) -> Outcome:
    """Choose *values* in the two dropdowns named *labels*; capture the files it loads.

    Each change makes the page fetch one file per kind. Before the final change, the
    earlier ones' requests are waited for until seen (so none can be mistaken for the
    final ones), and the files kept are the ones the page requested after that point. On a
    *reused* page (already showing some selection, which loads nothing by itself) an
    unchanged selection is reloaded by stepping away and back."""
    out = Outcome()
    per_change = len(capture.patterns)
    try:
        dash = Dashboard(page, timeout)
        if not reused:  # a pooled page is hydrated already: its dropdowns are shown
            await dash.wait_ready(*labels)
        changes = []
        for name, value in zip(labels, values, strict=True):
            if await dash.current(name) != value:
                changes.append((name, value))
        if not changes and reused:
            others = [o for o in await dash.options(labels[1]) if o != values[1]]
            if others:
                changes = [(labels[1], others[0]), (labels[1], values[1])]
        after = 0
        if changes and not reused:
            # the page's own first load comes first: clicks never race it
            await capture.wait_issued(per_change, timeout)
        for i, (name, value) in enumerate(changes):
            before = after = capture.seen
            await dash.choose(name, value)
            if i < len(changes) - 1:
                await capture.wait_issued(before + per_change, min(timeout, 5.0))
        out.files = await capture.wait_for(after, timeout)
    except Exception as e:
        out.error = e
    return out


async def recognise(
    page: Any,
    capture: ApiCapture,
    model_label: str,
    sequence_label: str,
    timeout: float,
    on_generation: Callable[[str], None] | None = None,
) -> Outcome:
    """Discovery on a page of unknown generation: the 2025 files (as :func:`discover`) or
    the 2026 API (:func:`discover_api`), told apart by what the page requests first;
    *on_generation* hears which, as soon as it is known."""
    try:
        generation = await capture.generation(page.url, timeout)
    except Exception as e:
        return Outcome(error=e)
    if on_generation is not None:
        on_generation(generation)
    if generation == INFERENCEX:
        return await discover_api(page, capture, model_label, timeout)
    assert capture.data is not None
    return await discover(page, capture.data, model_label, sequence_label, timeout)


async def warm(page: Any, capture: DataCapture, labels: tuple[str, str], timeout: float) -> Outcome:
    """A 2025 page opened ahead of the combinations: hydrated (both dropdowns shown) and its
    own first load issued, so that a combination given this page only clicks.

    The first load's answers are not waited for (a data file's round trip, while the
    combinations wait for pages): a combination's capture knows only the requests whose
    events it heard, all issued after it took the page, so an answer of that first load
    arriving later is never taken for its own."""
    out = Outcome()
    try:
        await Dashboard(page, timeout).wait_ready(*labels)
        if not await capture.wait_issued(len(capture.patterns), timeout):
            raise TimeoutError(f"the page's own first load was not issued within {timeout:g} s")
    except Exception as e:
        out.error = e
    return out


async def discover_api(page: Any, capture: ApiCapture, model_label: str, timeout: float) -> Outcome:
    """The Model control's labels, the availability answer, and the benchmarks answer of
    the selection the page opened with (a bonus: ``files`` empty when it did not come)."""
    out = Outcome(generation=INFERENCEX)
    try:
        dash = Dashboard(page, timeout)
        await dash.wait_ready(model_label)
        out.models = await dash.options(model_label)
        out.availability = await capture.availability(timeout)
    except Exception as e:
        out.error = e
        return out
    shown = capture.first_benchmarks()
    if shown is not None:
        out.shown = shown
        try:
            out.files = {"benchmarks": await capture.benchmarks(*shown, timeout)}
        except Exception:
            out.files = {}
    return out


async def open_selection(
    page: Any, capture: ApiCapture, model: str, day: str, timeout: float
) -> Outcome:
    """The benchmarks answer of a page opened at ``g_model=model&g_rundate=day``."""
    return await _answer(capture, model, day, timeout)


async def _answer(capture: ApiCapture, model: str, day: str, timeout: float) -> Outcome:
    """The outcome holding the page's benchmarks answer for *model* at *day*, or the error
    of waiting for it."""
    out = Outcome(generation=INFERENCEX)
    try:
        out.files = {"benchmarks": await capture.benchmarks(model, day, timeout)}
    except Exception as e:
        out.error = e
    return out


class NotInPlace(Exception):
    """The page has no run date control, or not the date wanted, to choose in place."""


async def change_run_date(
    page: Any, capture: ApiCapture, model: str, day: str, label: str, timeout: float
) -> Outcome | None:
    """On a pooled page already showing *model*, choose *day* in its run date control and
    return the benchmarks answer that loads; no reload, no second hydration, no second
    availability answer. None when the page shows *day* already (nothing would load);
    :class:`NotInPlace`, before anything was chosen, when the control or the date is not
    found within a few seconds: the caller then opens the URL state instead."""
    dash = Dashboard(page, min(timeout, _IN_PLACE_WAIT))
    try:
        if await dash.current(label) == day:
            return None
        await dash.choose(label, day)
    except Exception as e:
        try:
            await page.keyboard.press("Escape")  # an open list stays open otherwise
        except Exception:
            pass
        raise NotInPlace(f"no run date control {label!r} offering {day} on {page.url}") from e
    return await _answer(capture, model, day, timeout)
