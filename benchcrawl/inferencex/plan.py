"""Which model x run date combinations an InferenceX sweep loads.

The page's availability answer lists every run as ``{model: <DB key>, ..., date}``; the
Model control lists display names. Several keys share one display name (point releases
grouped), so dates are grouped through :data:`DISPLAY_NAMES` (the site's own table, public
facts), and a key it does not know is matched to a label with the same letters and digits.

- daily (no argument): each model's newest run date; once something was collected for a
  model, also every run date since its first collected date that was never loaded (a day
  the job missed, a run published late);
- ``history="all"``: every run date of every model;
- ``since="YYYY-MM-DD"``: every run date on or after it, and each model's newest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from benchcrawl.exceptions import ConfigError

logger = logging.getLogger(__name__)

DISPLAY_NAMES: dict[str, str] = {
    "dsr1": "DeepSeek-R1-0528",
    "dsv4": "DeepSeek-V4-Pro",
    "gptoss120b": "gpt-oss-120b",
    "llama70b": "Llama-3.3-70B-Instruct-FP8",
    "qwen3.5": "Qwen-3.5-397B-A17B",
    "kimik2.5": "Kimi-K2.5",
    "kimik2.6": "Kimi-K2.5",
    "kimik2.7-code": "Kimi-K2.5",
    "kimik3": "Kimi-K3",
    "minimaxm2.5": "MiniMax-M2.5",
    "minimaxm2.7": "MiniMax-M2.5",
    "minimaxm3": "MiniMax-M3",
    "glm5": "GLM-5",
    "glm5.1": "GLM-5",
    "glm5.2": "GLM-5.2",
    "gemma4": "Gemma-4-31B",
}


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def display_of(key: str, labels: Iterable[str]) -> str | None:
    """The Model control label a DB key belongs to, or None."""
    labels = list(labels)
    known = DISPLAY_NAMES.get(key)
    if known in labels:
        return known
    for label in labels:
        if _letters(label) == _letters(key):
            return label
    return None


def dates_by_model(labels: Iterable[str], availability: Iterable[Mapping[str, Any]]) -> dict:
    """Model control label -> its run dates, oldest first (empty when none is known)."""
    labels = list(labels)
    found: dict[str, set[str]] = {label: set() for label in labels}
    unknown: set[str] = set()
    for entry in availability:
        key, day = str(entry.get("model")), entry.get("date")
        display = display_of(key, labels)
        if display is None:
            unknown.add(key)
        elif isinstance(day, str):
            found[display].add(day)
    if unknown:
        logger.debug("availability keys of no offered model: %s", ", ".join(sorted(unknown)))
    return {label: sorted(days) for label, days in found.items()}


def parse_history(history: str | None, since: str | None) -> tuple[bool, str | None]:
    """``(all dates, since date)`` from the spider arguments; a bad one is one sentence."""
    if history not in (None, "", "all"):
        raise ConfigError(f"-a history accepts only 'all', got {history!r}.")
    if since:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise ConfigError(f"-a since must be a date like 2026-01-31, got {since!r}.") from None
        if len(since) != 10:
            raise ConfigError(f"-a since must be a date like 2026-01-31, got {since!r}.")
    return history == "all", since or None


def plan(
    dates: Mapping[str, list[str]],
    *,
    history: bool = False,
    since: str | None = None,
    collected: Mapping[str, set[str]] | None = None,
) -> list[tuple[str, str]]:
    """``[(model label, run date), ...]`` in Model control order, oldest date first.

    A model with no known run date gets ``(label, "")``: its page opens at the run date
    the page chooses (its newest)."""
    out: list[tuple[str, str]] = []
    for label, days in dates.items():
        if not days:
            out.append((label, ""))
            continue
        newest = days[-1]
        if history:
            chosen = set(days)
        elif since:
            chosen = {d for d in days if d >= since} | {newest}
        else:
            have = (collected or {}).get(label) or set()
            chosen = {newest}
            if have:
                first = min(have)
                chosen |= {d for d in days if d >= first and d not in have}
        out.extend((label, d) for d in sorted(chosen))
    return out
