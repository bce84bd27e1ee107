"""benchcrawl settings: this project's own choices.

Each component brings its own defaults, applied at add-on priority (below these):
``benchcrawl/frontier/defaults.py`` (``RedisFrontierAddon``), ``benchcrawl/resources/defaults.py``
(``ResourceAwareAddon``), ``benchcrawl/broad/defaults.py`` (the broad spider) and
``benchcrawl/inferencemax/defaults.py`` (the InferenceMAX spider). A spider
brings the components only it needs in its ``update_settings``. Environment variables are
read here and nowhere else. Values given with ``-s NAME=VALUE`` override these; components
read them with the typed getters.
"""

from __future__ import annotations

import os
from pathlib import Path

from scrapy.settings import default_settings
from scrapy.settings.default_settings import RETRY_EXCEPTIONS as _SCRAPY_RETRY_EXCEPTIONS

from benchcrawl.broad.defaults import user_agent
from benchcrawl.browser.launch import chromium_executable
from benchcrawl.data import default_config_setting

PROJECT_DIR = Path(__file__).resolve().parent.parent

# --- Scrapy core ---------------------------------------------------------------------------
BOT_NAME = "benchcrawl"
COMMANDS_MODULE = "benchcrawl.commands"  # our `crawl` adds clean start-up errors and exit codes
CONCURRENT_REQUESTS = 16  # pages in flight per worker
CONCURRENT_REQUESTS_PER_DOMAIN = 16  # the dashboard is one host; all combinations at once
DOWNLOAD_DELAY = 0  # per-process delay; cluster politeness is the broad spider's job
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")  # DEBUG shows every request
NEWSPIDER_MODULE = "benchcrawl.spiders"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
ROBOTSTXT_OBEY = False  # the dashboard sweep reads a public page; the broad spider obeys robots
SPIDER_MODULES = ["benchcrawl.spiders"]
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs Python code sent to an HTTP port of every worker: off,
# like the telnet console (the monitor is the control here)
REMOTE_CONTROL_ENABLED = False
# and not even loaded: Scrapy imports an extension before asking it whether it is enabled
# (and again for every add-on that adds one), and this one's import (aiohttp's web server)
# costs every process ~0.25 s of its start. Scrapy's other built-in extensions stay.
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
USER_AGENT = "benchcrawl/0.1 (+https://github.com/benchcrawl/benchcrawl)"

ADDONS = {
    "benchcrawl.addons.RedisFrontierAddon": 100,  # switches to the Redis scheduler if REDIS_URL
    "benchcrawl.addons.ResourceAwareAddon": 110,  # heartbeat, throttle, pause: every spider
}

# --- Browser (scrapy-playwright) -----------------------------------------------------------
# (the InferenceMAX spider brings the Playwright download handlers; these configure them)
PLAYWRIGHT_ABORT_REQUEST = "benchcrawl.browser.launch.should_abort_request"  # no beacons/images
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000  # ms
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    "executable_path": chromium_executable(os.environ.get("BENCHCRAWL_CHROMIUM")),
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        # pages driven at once are all "background" tabs to headless Chromium; throttled
        # animation frames stall Playwright's actionability checks for seconds
        "--disable-renderer-backgrounding",
        "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
    ],
}
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 16  # pages open at once in one browser context
PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER = True  # a crashed browser is relaunched
RETRY_EXCEPTIONS = [*_SCRAPY_RETRY_EXCEPTIONS, "playwright.async_api.Error"]  # + a dead browser

# --- benchcrawl: the InferenceMAX sweep ----------------------------------------------------
# the YAML job config; default ops/pipeline_config.yaml in a checkout, else "" (the packaged one)
BENCHCRAWL_CONFIG = os.environ.get("BENCHCRAWL_CONFIG", default_config_setting(PROJECT_DIR))
BENCHCRAWL_FAST_EXIT = True  # `scrapy crawl` exits without interpreter teardown once done
DATA_DIR = os.environ.get("DATA_DIR")  # where versions go; unset = the config's data_dir
# (the spider's own settings and defaults: benchcrawl/inferencemax/defaults.py)

# --- benchcrawl: data products of each version (benchcrawl/products/) -------------------
ARCHIVE_CHARTS = False  # draw the charts as a version lands (~8 s); else `scrapy versions charts`
DATABASE_URL = os.environ.get("DATABASE_URL")  # results DB; unset: DATA_DIR/benchcrawl.sqlite

# --- Redis, the frontier, the broad crawl, resource-aware scheduling ----------------------
# Defaults: benchcrawl/frontier/defaults.py, benchcrawl/broad/defaults.py and
# benchcrawl/resources/defaults.py. Here only what this project takes from the environment.
REDIS_URL = os.environ.get("REDIS_URL")  # unset = one machine, Scrapy's own scheduler
if "BROAD_CONTACT" in os.environ:  # who runs the broad crawl, in its User-Agent
    BROAD_USER_AGENT = user_agent(os.environ["BROAD_CONTACT"])
if "BROAD_EXCLUDE_FILE" in os.environ:  # domains never crawled
    BROAD_EXCLUDE_FILE = os.environ["BROAD_EXCLUDE_FILE"]
if "BROAD_WARC_DIR" in os.environ:  # where WARC files go; "" = no WARC
    BROAD_WARC_DIR = os.environ["BROAD_WARC_DIR"]
if "METRICS_PORT" in os.environ:  # a worker's Prometheus /metrics port; default off
    METRICS_PORT = os.environ["METRICS_PORT"]  # read with getint by the metrics extension
if "RESOURCES_NODE_ID" in os.environ:  # this node's id on the board; default host:pid
    RESOURCES_NODE_ID = os.environ["RESOURCES_NODE_ID"]
