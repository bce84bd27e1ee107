"""After a run that wrote a new version, draw its charts (``scrapy versions charts V``).

Charts take several seconds, so ``scrapy crawl`` does not draw them at archive time by
default (``ARCHIVE_CHARTS``); the daily job does, here, in a child process bounded by
``SCHEDULE_CHARTS_TIMEOUT``, while the scheduler still holds the run lock. A version that
has charts already, or that this machine cannot see (a run on scrapyd writing elsewhere),
is left alone. A failure is one logged line: the version itself has landed.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)


class ChartsAfterRun:
    def __init__(self, data_dir: Path, settings: list[str], cwd: str, timeout: float) -> None:
        self.data_dir = data_dir
        self.options = [w for s in settings for w in ("-s", s)]
        self.cwd = cwd
        self.timeout = timeout

    def __call__(self, version: str) -> bool:
        """Draw *version*'s charts if it has none; whether it has them now."""
        folder = self.data_dir / "archive" / version
        if not version or not (folder / "manifest.json").exists():
            return False
        if (folder / "charts" / "index.html").exists():
            return True
        cmd = [sys.executable, "-m", "scrapy", "versions", "charts", version, *self.options]
        try:
            done = subprocess.run(
                cmd,
                cwd=self.cwd,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            logger.error("charts of version %s not drawn within %.0f s", version, self.timeout)
            return False
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            logger.error("charts of version %s failed: %s", version, last)
            return False
        logger.info("charts of version %s drawn in %s", version, folder / "charts")
        return True
