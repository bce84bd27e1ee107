"""A ``scrapy`` command run as users run it: a real subprocess in the project directory,
its output in a log file; plus the fixture that kills whatever a test left running."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def scrapy_env(drop: Iterable[str] = ()) -> dict[str, str]:
    """This environment for a child ``scrapy``: the project importable, *drop* unset."""
    env = {k: v for k, v in os.environ.items() if k not in set(drop)}
    env["PYTHONPATH"] = str(PROJECT)
    return env


def scrapy_options(
    settings: dict[str, object] | None = None, args: dict[str, object] | None = None
) -> list[str]:
    """``-s K=V ... -a K=V ...``."""
    options: list[str] = []
    for key, value in (settings or {}).items():
        options += ["-s", f"{key}={value}"]
    for key, value in (args or {}).items():
        options += ["-a", f"{key}={value}"]
    return options


def scrapy_command(
    *words: str, settings: dict[str, object] | None = None, args: dict[str, object] | None = None
) -> list[str]:
    """``python -m scrapy WORDS -s K=V ... -a K=V ...``."""
    return [sys.executable, "-m", "scrapy", *words, *scrapy_options(settings, args)]


class ScrapyProcess:
    """One running ``scrapy`` command whose output goes to *log*."""

    def __init__(self, log: Path, cmd: list[str], env: dict[str, str], cwd: Path = PROJECT) -> None:
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.wait(10)

    def alive(self) -> bool:
        return self.proc.poll() is None

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stat(self, name: str) -> float:
        """A stat from the final stats dump (0 if absent)."""
        m = re.search(rf"'{re.escape(name)}': ([0-9.]+)", self.log)
        return float(m.group(1)) if m else 0.0


@pytest.fixture
def scrapy_process(tmp_path: Path) -> Iterator[Callable[..., ScrapyProcess]]:
    """``scrapy_process(name, cmd, env, cwd=PROJECT)`` starts one; those still running at
    the end are killed."""
    started: list[ScrapyProcess] = []

    def start(name: str, cmd: list[str], env: dict[str, str], cwd: Path = PROJECT) -> ScrapyProcess:
        process = ScrapyProcess(tmp_path / f"{name}.log", cmd, env, cwd)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.alive():
            process.proc.kill()
            process.wait(10)


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll *predicate* until it holds or *timeout* s pass; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
