"""A run submitted to scrapyd instead of started as a child process.

``start()`` posts ``schedule.json`` (the spider, each ``-a`` as a field, each ``-s`` as a
``setting``); the run polls ``status.json`` until scrapyd has the job finished, then reads
the job's log (its ``log_url``) for Scrapy's ``finish_reason``: ``finished`` is exit code
0, anything else 1, the rule ``scrapy crawl`` itself follows (scrapyd's API gives no exit
code). ``stop()`` cancels the job with ``cancel.json`` (TERM, then KILL after the grace).
Credentials come from the URL (``http://user:pass@host:6800/``) or ``SCRAPYD_USERNAME`` /
``SCRAPYD_PASSWORD``, as scrapyd-deploy takes them.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from benchcrawl.exceptions import BenchcrawlError

logger = logging.getLogger(__name__)

_FINISH = re.compile(r"'finish_reason': '([^']*)'")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Scrapyd:
    """scrapyd's JSON API at *url*, with basic auth when credentials are given."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BenchcrawlError(f"--scrapyd must be an http(s) URL, got {url!r}.")
        user = urllib.parse.unquote(parts.username or "") or os.environ.get("SCRAPYD_USERNAME")
        password = urllib.parse.unquote(parts.password or "") or os.environ.get(
            "SCRAPYD_PASSWORD", ""
        )
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        self.base = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))
        if not self.base.endswith("/"):
            self.base += "/"
        self.auth = base64.b64encode(f"{user}:{password}".encode()).decode() if user else None
        self.timeout = timeout

    def _open(self, path: str, data: list[tuple[str, str]] | None = None) -> bytes:
        url = urllib.parse.urljoin(self.base, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if self.auth:
            request.add_header("Authorization", f"Basic {self.auth}")
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            hint = " (set SCRAPYD_USERNAME / SCRAPYD_PASSWORD)" if e.code == 401 else ""
            raise BenchcrawlError(f"scrapyd at {self.base} answered HTTP {e.code}{hint}") from e
        except (OSError, ValueError) as e:
            raise BenchcrawlError(f"cannot reach scrapyd at {self.base}: {e}") from e

    def call(self, path: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        try:
            answer = json.loads(self._open(path, data))
        except ValueError as e:
            raise BenchcrawlError(f"scrapyd at {self.base} gave no JSON for {path}") from e
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            message = answer.get("message") if isinstance(answer, dict) else answer
            raise BenchcrawlError(f"scrapyd at {self.base} refused {path}: {message}")
        return answer

    def text(self, path: str) -> str:
        return self._open(path).decode("utf-8", "replace")


class ScrapydRun:
    def __init__(self, server: Scrapyd, project: str, job: str, poll: float = 1.0) -> None:
        self.server, self.project, self.job, self.poll = server, project, job, poll
        self._detail = f"scrapyd job {job}"
        self._code: int | None = None

    def _state(self) -> str | None:
        answer = self.server.call(f"status.json?job={self.job}&project={self.project}")
        return answer.get("currstate")

    def wait(self, timeout: float) -> int | None:
        if self._code is not None:
            return self._code
        deadline = time.monotonic() + timeout
        while True:
            try:
                state = self._state()
            except BenchcrawlError as e:  # scrapyd away for a moment: the supervisor waits on
                logger.warning("%s; asking again", e)
                state = "unknown"
            if state == "finished":
                self._code = self._exit_code()
                return self._code
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(self.poll, left))

    def _exit_code(self) -> int:
        log = ""
        try:
            for job in self.server.call(f"listjobs.json?project={self.project}")["finished"]:
                if job.get("id") == self.job and job.get("log_url"):
                    log = self.server.text(job["log_url"])
        except BenchcrawlError as e:
            self._detail = f"scrapyd job {self.job} finished; its log is unreadable: {e}"
            return 1
        reasons = _FINISH.findall(log)
        reason = reasons[-1] if reasons else None
        errors = [line for line in log.splitlines() if " ERROR: " in line]
        if reason == "finished":
            self._detail = f"scrapyd job {self.job}: finished"
            return 0
        self._detail = f"scrapyd job {self.job} ended with {reason or 'no finish reason'}" + (
            f": {errors[-1].split(' ERROR: ', 1)[1]}" if errors else ""
        )
        return 1

    def stop(self, grace: float) -> None:
        for signal in ("TERM", "KILL"):
            fields = [("project", self.project), ("job", self.job), ("signal", signal)]
            try:
                self.server.call("cancel.json", fields)
            except BenchcrawlError as e:
                logger.warning("cannot cancel %s: %s", self.job, e)
            if self.wait(grace) is not None:
                return

    def detail(self) -> str:
        return self._detail


class ScrapydLauncher:
    """Submits ``SPIDER`` with the scheduler's ``-a``/``-s`` options to scrapyd."""

    def __init__(
        self,
        server: Scrapyd,
        project: str,
        spider: str,
        spargs: list[str],
        settings: list[str],
        poll: float = 1.0,
    ) -> None:
        self.server, self.project, self.spider, self.poll = server, project, spider, poll
        self.fields = [tuple(a.split("=", 1)) for a in spargs]
        self.fields += [("setting", s) for s in settings]

    def start(self) -> ScrapydRun:
        data = [("project", self.project), ("spider", self.spider), *self.fields]
        job = self.server.call("schedule.json", data)["jobid"]  # type: ignore[arg-type]
        logger.info("submitted %s to scrapyd at %s as job %s", self.spider, self.server.base, job)
        return ScrapydRun(self.server, self.project, str(job), self.poll)
