"""The InferenceMAX sweep's settings and their defaults (the spider and its dashboard
middleware read them). ``InferenceMaxSpider.update_settings`` applies them at add-on
priority, so a project's own settings and ``-s`` still win.

Sweep key schema: see the docstring of ``benchcrawl/sweep/__init__.py``.
"""

from __future__ import annotations

INFERENCEMAX_KIND_PATTERNS: dict[str, str] = {  # a data file's kind, from a substring of its URL
    "interactivity": "interactivity",
    "e2e": "e2e",
}
INFERENCEMAX_END_POLL_INTERVAL = 0.2  # s; how often a worker checks whether its sweep has ended
# 2025 pages one worker keeps open (with page reuse): all but the discovery page are opened
# while it reads its options, and a combination waits for one of them rather than opening
# another (a new page costs a renderer, a page load and a hydration; 0: no limit, none ahead)
INFERENCEMAX_MAX_PAGES = 4
INFERENCEMAX_MODEL_LABEL = "Model"  # accessible name of the model dropdown
INFERENCEMAX_REUSE_PAGES = True  # a hydrated page moves on to the next combination
INFERENCEMAX_SEQUENCE_LABEL = "ISL / OSL"  # accessible name of the sequence dropdown
INFERENCEMAX_SWEEP_KEY = "%(spider)s:sweep"  # Redis key prefix of the shared sweep record
INFERENCEMAX_SWEEP_TIMEOUT = 1800  # s; an unfinished sweep older than this is abandoned
INFERENCEMAX_SWEEP_TTL = 7 * 86400  # s; how long a finished sweep's record stays in Redis
INFERENCEX_RUN_DATE_LABEL = "Run date"  # accessible name of the 2026 page's run date control
