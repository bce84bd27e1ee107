"""Which Chromium to launch, and which browser requests to drop."""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any

SYSTEM_CHROMIUM = "/usr/bin/chromium"

# Resource types a headless sweep never needs; analytics beacons answer 403 anyway.
_ABORTED_TYPES = frozenset({"image", "media", "font"})
_ABORTED_PATHS = ("/_vercel/insights/", "/_vercel/speed-insights/")


def chromium_executable(override: str | None = None) -> str | None:
    """Playwright's own Chromium when installed, else the system's, else None (Playwright's
    default lookup, which fails with its own message)."""
    if override:
        return override
    cache = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache/ms-playwright")
    found = sorted(glob.glob(os.path.join(cache, "chromium-*", "chrome-linux*", "chrome")))
    if found:
        return found[-1]
    if os.path.exists(SYSTEM_CHROMIUM):
        return SYSTEM_CHROMIUM
    return None


def should_abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST predicate: skip images, fonts and analytics beacons."""
    if request.resource_type in _ABORTED_TYPES:
        return True
    return any(path in request.url for path in _ABORTED_PATHS)
