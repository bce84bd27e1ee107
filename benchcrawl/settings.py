"""benchcrawl settings: every setting the project reads is declared here once.

Environment variables are read here and nowhere else. Values given with ``-s NAME=VALUE``
override these; components read them with the typed getters.
"""

from __future__ import annotations

import os
from pathlib import Path

from scrapy.settings.default_settings import RETRY_EXCEPTIONS as _SCRAPY_RETRY_EXCEPTIONS

from benchcrawl.browser.launch import chromium_executable

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
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
USER_AGENT = "benchcrawl/0.1 (+https://github.com/benchcrawl/benchcrawl)"

ADDONS = {
    "benchcrawl.addons.RedisFrontierAddon": 100,  # switches to the Redis scheduler if REDIS_URL
}

DOWNLOADER_MIDDLEWARES = {
    "benchcrawl.middlewares.dashboard.DashboardMiddleware": 950,  # drives the dashboard page
    "benchcrawl.middlewares.resource_aware.ResourceAwareMiddleware": 50,  # load, heartbeat
}

ITEM_PIPELINES = {
    "benchcrawl.pipelines.validate.ValidatePipeline": 100,
    "benchcrawl.pipelines.split.SplitPipeline": 200,
    "benchcrawl.pipelines.merge.MergePipeline": 300,
    "benchcrawl.pipelines.archive.ArchivePipeline": 400,
}

# --- Browser (scrapy-playwright) -----------------------------------------------------------
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
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
BENCHCRAWL_CONFIG = os.environ.get(  # the YAML job config (source, targets, data_dir, schedule)
    "BENCHCRAWL_CONFIG", str(PROJECT_DIR / "ops" / "pipeline_config.yaml")
)
BENCHCRAWL_FAST_EXIT = True  # `scrapy crawl` exits without interpreter teardown once done
DATA_DIR = os.environ.get("DATA_DIR")  # where versions go; unset = the config's data_dir
INFERENCEMAX_KIND_PATTERNS = {  # a data file's kind, from a substring of its URL
    "interactivity": "interactivity",
    "e2e": "e2e",
}
INFERENCEMAX_END_POLL_INTERVAL = 0.2  # s; how often a worker checks whether its sweep has ended
INFERENCEMAX_MODEL_LABEL = "Model"  # accessible name of the model dropdown
INFERENCEMAX_REUSE_PAGES = True  # a hydrated page moves on to the next combination
INFERENCEMAX_SEQUENCE_LABEL = "ISL / OSL"  # accessible name of the sequence dropdown
INFERENCEMAX_SWEEP_KEY = "%(spider)s:sweep"  # Redis key prefix of the shared sweep record
INFERENCEMAX_SWEEP_TIMEOUT = 1800  # s; an unfinished sweep older than this is abandoned
INFERENCEMAX_SWEEP_TTL = 7 * 86400  # s; how long a finished sweep's record stays in Redis

# --- Redis ---------------------------------------------------------------------------------
REDIS_CONNECT_TIMEOUT = 2.0  # s; an unreachable Redis fails the start within this
REDIS_URL = os.environ.get("REDIS_URL")  # unset = one machine, Scrapy's own scheduler
SCHEDULER_DUPEFILTER_KEY = "%(spider)s:dupefilter"  # set or Bloom bitmap of seen fingerprints
SCHEDULER_IDLE_BEFORE_CLOSE = 10.0  # s the whole cluster must stay drained before a worker closes
SCHEDULER_PERSIST = True  # False: the last worker of a finished crawl deletes the shared state
SCHEDULER_QUEUE_KEY = "%(spider)s:requests"  # zset of queued request ids, by priority then age

# --- Frontier (Redis) ----------------------------------------------------------------------
# Key schema and lease protocol: see the docstring of benchcrawl/frontier/__init__.py.
FRONTIER_BLOOM_CAPACITY = 10_000_000  # URLs the Bloom filter is sized for (FRONTIER_DEDUP=bloom)
FRONTIER_BLOOM_ERROR_RATE = 0.001  # Bloom false-positive rate once it holds its capacity
FRONTIER_DATA_KEY = "%(spider)s:requests:data"  # hash: request id -> request JSON
FRONTIER_DEDUP = "exact"  # "exact" (a Redis set of fingerprints) or "bloom" (a Redis bitmap)
FRONTIER_FAILED_KEY = "%(spider)s:requests:failed"  # hash: request id -> failure JSON
FRONTIER_FLUSH_INTERVAL = 0.25  # s; new requests, acks and failures are written in batches
FRONTIER_IDLE_POLL_INTERVAL = 1.0  # s; how often a worker with nothing to do asks Redis
FRONTIER_LEASE_BATCH = 8  # requests leased per round trip; the most a worker holds unstarted
FRONTIER_LEASE_TIME = 60.0  # s; an unrenewed lease goes back to the queue (renewed every 1/3)
FRONTIER_LEASES_KEY = "%(spider)s:requests:leases"  # zset: request id -> lease deadline (ms)
FRONTIER_LOCAL_SEEN = 100_000  # fingerprints a worker remembers as seen (skips Redis); 0 = off
FRONTIER_OWNERS_KEY = "%(spider)s:requests:owners"  # hash: request id -> worker holding it
FRONTIER_QUEUE_CLASS = "benchcrawl.frontier.queue.LeasedQueue"  # or ...polite.PoliteQueue
FRONTIER_REDIS_TIMEOUT = 5.0  # s; socket timeout of one frontier call to Redis
FRONTIER_RETRY_MAX_DELAY = 10.0  # s; longest wait between reconnection attempts in an outage
FRONTIER_SEQUENCE_KEY = "%(spider)s:requests:seq"  # counter: ids, FIFO within a priority
FRONTIER_TRANSIENT_META_KEYS = [  # per-process meta, dropped when a request is queued
    "dashboard",  # benchcrawl.middlewares.dashboard: live objects, re-attached per fetch
    "dashboard_capture",
    "download_latency",
    "download_slot",
    "playwright_page",
    "playwright_page_event_handlers",
    "playwright_page_methods",
    "playwright_security_details",
]
FRONTIER_WORKERS_KEY = "%(spider)s:workers"  # zset: worker id -> last heartbeat (ms)

# --- Broad crawl ---------------------------------------------------------------------------
# The broad spider (benchcrawl/spiders/broad.py) and its polite per-domain frontier; key schema
# in the docstring of benchcrawl/frontier/__init__.py.
BROAD_ALLOW_SUBDOMAINS = False  # True: subdomains of a seed domain are crawled too
BROAD_DELAY_MARGIN = 0.05  # s added to a non-zero delay at the fetch gate (lease-to-wire time)
BROAD_DELAYS_KEY = "%(spider)s:domains:delay"  # hash: domain -> robots.txt Crawl-delay (ms)
BROAD_DOMAIN_CAP = 10_000  # requests queued per domain; more are dropped and counted; 0 = no cap
BROAD_DOMAIN_QUEUE_KEY = "%(spider)s:domain:%(domain)s"  # zset per domain: id -> -priority
BROAD_DROPPED_KEY = "%(spider)s:domains:dropped"  # hash: domain -> URLs dropped at the cap
BROAD_EXCLUDE_FILE = os.environ.get("BROAD_EXCLUDE_FILE", "")  # domains never crawled; "" = none
BROAD_EXCLUDED_KEY = "%(spider)s:excluded"  # set: excluded domains, effective at once
BROAD_LAST_FETCH_KEY = "%(spider)s:domains:last"  # hash: domain -> last fetch (Redis ms)
BROAD_LEASE_LOOKAHEAD = 0.0  # s; a domain whose turn is this close is leased now (then waits)
BROAD_MAX_CRAWL_DELAY = 60.0  # s; a larger robots.txt Crawl-delay is capped to this
BROAD_MAX_PAGE_SIZE = 250 * 1024  # bytes; longer pages are truncated before parsing and storage
BROAD_MIN_DELAY = 1.0  # s between two fetches of one domain, across the whole cluster
BROAD_NOFOLLOW = True  # honour rel="nofollow" and <meta name="robots" content="nofollow">
BROAD_QUEUED_KEY = "%(spider)s:domains:queued"  # counter: requests queued over all domains
BROAD_READY_KEY = "%(spider)s:domains:ready"  # zset: domain -> its next turn (Redis ms)
BROAD_ROBOTS_KEY = "%(spider)s:robots:%(domain)s"  # string per domain: robots.txt entry (expiring)
BROAD_ROBOTS_FAILURES_KEY = "%(spider)s:robots:failures"  # hash: domain -> unreachable in a row
BROAD_ROBOTS_GIVE_UP = 3  # unreachable robots.txt answers in a row before the domain's queued
# requests are recorded as failed (re-queue them with `scrapy frontier broad --requeue-failed`),
# so a dead domain cannot hold the crawl open for ever; 0 = keep retrying
BROAD_ROBOTS_LOCAL_SIZE = 10_000  # parsed robots.txt files a worker keeps
BROAD_ROBOTS_LOCAL_TTL = 300.0  # s a worker keeps a parsed robots.txt before re-reading Redis
BROAD_ROBOTS_RETRY = 600.0  # s an unreachable (5xx, 429, no answer) robots.txt blocks its domain
BROAD_ROBOTS_STATE_KEY = "%(spider)s:robots"  # hash: domain -> +valid until / -blocked until (ms)
BROAD_ROBOTS_TTL = 86_400.0  # s a fetched robots.txt is trusted (RFC 9309: at most 24 h)
BROAD_SEEDS_KEY = "%(spider)s:seeds"  # set: the seed domains (written by `scrapy seed`)
BROAD_SEEN_LOCAL = 200_000  # canonical URLs a worker remembers as known (skips Redis); 0 = off
BROAD_USER_AGENT = (  # sent by the broad spider; says who crawls and how to reach them
    "benchcrawl-broad/0.1 (+https://github.com/benchcrawl/benchcrawl; "
    + os.environ.get("BROAD_CONTACT", "mailto:crawl-admin@benchcrawl.invalid")
    + ")"
)
BROAD_VISITED_KEY = "%(spider)s:visited"  # hash: URL -> JSON (status, type, size, time, WARC)
BROAD_WARC_DIR = os.environ.get("BROAD_WARC_DIR", "warc")  # where WARC files go; "" = no WARC
BROAD_WARC_GZIP_LEVEL = 6  # zlib level of each WARC record's gzip member (warcio uses 9)
BROAD_WARC_MAX_SIZE = 1024**3  # bytes; a worker starts a new WARC file past this

# --- Resource-aware scheduling -------------------------------------------------------------
# Figures, decision and Redis key schema: see the docstring of benchcrawl/resources/__init__.py.
RESOURCES_CGROUP_ROOT = "/sys/fs/cgroup"  # where the cgroup hierarchies are mounted
RESOURCES_CLUSTER_PAUSE_KEY = "%(spider)s:pause"  # string: while set, no node leases anything
RESOURCES_CPU_LIMIT = 90.0  # %; CPU load at or over this stops the node leasing
RESOURCES_CPU_RESUME = 80.0  # %; a throttled node leases again once every load is under its mark
RESOURCES_ENABLED = True  # False: no sampling, heartbeat or throttling (needs REDIS_URL anyway)
RESOURCES_HEARTBEAT_INTERVAL = 2.0  # s; heartbeat sent, pause flags and other nodes read
RESOURCES_HEARTBEAT_TTL = 10.0  # s; a node's heartbeat hash expires this long after the last
RESOURCES_LEASE_LIMIT_MAX = 0  # requests the least-loaded node may hold; 0 = CONCURRENT_REQUESTS
#                                + FRONTIER_LEASE_BATCH (what a node holds without a limit)
RESOURCES_LEASE_LIMIT_MIN = 2  # requests the most-loaded running node may still hold
RESOURCES_LINK_MBPS = 1000.0  # Mbit/s; the network load is max(rx, tx) against this
RESOURCES_MEMORY_LIMIT = 90.0  # %; memory use (cgroup limit, else host) that stops leasing
RESOURCES_MEMORY_RESUME = 80.0  # %
RESOURCES_NETWORK_INTERFACES: list[str] = []  # interfaces counted; empty = all but loopback
RESOURCES_NETWORK_LIMIT = 90.0  # %; link use that stops leasing
RESOURCES_NETWORK_RESUME = 80.0  # %
RESOURCES_NODE_ID = os.environ.get("RESOURCES_NODE_ID", "")  # this node's id; empty = host:pid
RESOURCES_NODE_KEY = "%(spider)s:nodes:%(node)s"  # hash: one node's heartbeat (expiring)
RESOURCES_NODES_KEY = "%(spider)s:nodes"  # zset: node id -> last heartbeat (ms)
RESOURCES_PAUSE_KEY = "%(spider)s:pause:%(node)s"  # string: while set, that node leases nothing
RESOURCES_SAMPLE_INTERVAL = 1.0  # s between load samples (and throttle decisions)
