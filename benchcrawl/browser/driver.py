"""The Playwright driver, started before Scrapy builds the crawler that needs it.

Playwright drives Chromium through a Node.js process (the driver) that spends 0.4 to 0.6 s
of CPU loading its code before it answers. scrapy-playwright starts it when the engine
starts, after Scrapy has imported and built every component: the sweep waited for Node.js
with the second core idle. ``scrapy crawl`` now starts it (:func:`start_early`) as soon as
its checks have passed, for a crawl whose download handler is
:class:`~benchcrawl.browser.handler.SharedPlaywrightHandler` only, so Node.js loads while
Scrapy builds the crawl; the handler adopts that process (:func:`take`) instead of spawning
its own.

A Node.js that cannot be launched (missing, not executable) ends the command before the
crawl, in one sentence (:class:`~benchcrawl.exceptions.BrowserError`): the crawl would fail
anyway, with a less telling error from inside the handler. Any other reason not to start
early is not an error here: the handler then starts its driver as Playwright always does. A
driver never adopted (the crawl failed before its handler was built) is stopped by
:func:`discard`, and would end on its own anyway: it exits when its stdin closes.

Adopting the process uses Playwright's private pipe transport (``PlaywrightClient`` and its
``_transport``, pinned with Playwright in ``pyproject.toml``): :func:`start_playwright` is
the one place that does, and it falls back to Playwright's own start when those names are
not what it expects.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import weakref
from typing import Any

from scrapy.crawler import Crawler

from benchcrawl.exceptions import BrowserError

logger = logging.getLogger(__name__)

#: the download handler that adopts an early driver
HANDLER = "benchcrawl.browser.handler.SharedPlaywrightHandler"

#: the driver started for each crawler, until its handler takes it
_EARLY: weakref.WeakKeyDictionary[Crawler, subprocess.Popen[bytes]] = weakref.WeakKeyDictionary()


def wants_driver(settings: Any) -> bool:
    """Whether a crawl with *settings* fetches through the shared Playwright handler on
    this event loop (not a thread's: ``PLAYWRIGHT_USE_THREADED_LOOP``) with Playwright's own
    browser provider."""
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    if not any(_path(h) == HANDLER for h in handlers.values()):
        return False
    return not (
        settings.getbool("PLAYWRIGHT_USE_THREADED_LOOP")
        or settings.get("PLAYWRIGHT_BROWSER_PROVIDER")
    )


def _path(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"


def start_early(settings: Any) -> subprocess.Popen[bytes] | None:
    """Start the driver a crawl with *settings* will adopt (:func:`attach` it to the
    crawler); None when the crawl needs none or it was not started (the handler then starts
    its own). :class:`BrowserError` when Node.js cannot be launched."""
    if not wants_driver(settings):
        return None
    try:
        from playwright._impl._driver import compute_driver_executable, get_driver_env

        executable, cli = compute_driver_executable()
        env = get_driver_env()
    except Exception as e:  # e.g. a Playwright without Node.js: its own start says so
        logger.debug("the Playwright driver was not started early: %s", e)
        return None
    try:
        return subprocess.Popen(
            [executable, cli, "run-driver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
    except OSError as e:
        raise BrowserError(
            f"cannot start the browser: Playwright's Node.js at {executable} could not be "
            f"launched ({e.strerror or e}); reinstall playwright, or correct "
            "PLAYWRIGHT_NODEJS_PATH."
        ) from e


def attach(crawler: Crawler, process: subprocess.Popen[bytes] | None) -> None:
    """Give *process* (from :func:`start_early`) to *crawler*'s handler."""
    if process is not None:
        discard(crawler)
        _EARLY[crawler] = process


def take(crawler: Crawler) -> subprocess.Popen[bytes] | None:
    """The running driver started early for *crawler*, once; None when there is none."""
    process = _EARLY.pop(crawler, None)
    if process is not None and process.poll() is not None:
        logger.debug("the Playwright driver started early exited with %s", process.returncode)
        _stop(process)
        return None
    return process


def discard(crawler: Crawler) -> None:
    """Stop the driver started for *crawler* if its handler never took it."""
    process = _EARLY.pop(crawler, None)
    if process is not None:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


async def start_playwright(process: subprocess.Popen[bytes] | None) -> Any:
    """Playwright's async API object, on the driver *process* when given (else, or when
    Playwright's private names differ from what is expected, Playwright's own start)."""
    from playwright.async_api import PlaywrightContextManager

    manager = PlaywrightContextManager()
    if process is None:
        return await manager.start()
    try:
        from playwright._impl.out_of_process import PlaywrightClient
        from playwright._impl.transport import PipeTransport
        from playwright.async_api._generated import Playwright as AsyncPlaywright
    except ImportError as e:  # another Playwright: its own start, with its own driver
        logger.debug("the early Playwright driver cannot be adopted: %s", e)
        _stop(process)
        return await manager.start()
    client = PlaywrightClient()  # its transport connects once this coroutine waits
    transport = getattr(client, "_transport", None)
    if type(transport) is PipeTransport:
        transport.connect = _adopting_connect(transport, process)  # type: ignore[method-assign]
    else:  # a transport of another shape spawns its own driver
        logger.debug("the early Playwright driver cannot be adopted: %r", transport)
        _stop(process)
    manager._client = client
    impl = await client._playwright
    playwright = AsyncPlaywright(impl)
    playwright.stop = manager.__aexit__  # type: ignore[method-assign]
    return playwright


def _adopting_connect(transport: Any, process: subprocess.Popen[bytes]) -> Any:
    """The pipe transport's ``connect``, reading and writing the running *process*'s pipes
    instead of spawning a driver."""

    async def connect() -> None:
        transport._stopped_future = asyncio.Future()
        try:
            transport._proc = await _Adopted.open(process)
        except Exception as exc:
            _stop(process)
            transport.on_error_future.set_exception(exc)
            raise
        transport._output = transport._proc.stdin

    return connect


class _Adopted:
    """What the pipe transport uses of an ``asyncio.subprocess.Process``: ``stdout`` (a
    stream reader), ``stdin`` (``write`` and ``close``) and ``communicate()``."""

    def __init__(self, process: subprocess.Popen[bytes], stdout: Any, stdin: Any) -> None:
        self.process = process
        self.stdout = stdout
        self.stdin = stdin

    @classmethod
    async def open(cls, process: subprocess.Popen[bytes]) -> _Adopted:
        loop = asyncio.get_running_loop()
        assert process.stdout is not None and process.stdin is not None
        reader = asyncio.StreamReader(limit=32768, loop=loop)
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader, loop=loop), process.stdout
        )
        writer, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, process.stdin)
        return cls(process, reader, writer)

    async def communicate(self) -> tuple[None, None]:
        """Wait for the driver's exit (it exits once its stdin is closed)."""
        self.stdin.close()
        await asyncio.to_thread(self.process.wait)
        return None, None


__all__ = ["attach", "discard", "start_early", "start_playwright", "take", "wants_driver"]
