"""The Redis frontier's settings and their defaults, applied at add-on priority by
``benchcrawl.addons.RedisFrontierAddon``: a project's own settings and ``-s`` still win.

Key schema and lease protocol: see the docstring of ``benchcrawl/frontier/__init__.py``.
"""

from __future__ import annotations

# --- Redis ---------------------------------------------------------------------------------
REDIS_CONNECT_TIMEOUT = 2.0  # s; an unreachable Redis fails the start within this
REDIS_URL = None  # unset = one machine, Scrapy's own scheduler (the project sets it)

# --- Scheduler (the names scrapy-redis uses, the same meaning) -----------------------------
SCHEDULER_DUPEFILTER_KEY = "%(spider)s:dupefilter"  # set or Bloom bitmap of seen fingerprints
SCHEDULER_IDLE_BEFORE_CLOSE = 10.0  # s the whole cluster must stay drained before a worker closes
SCHEDULER_PERSIST = True  # False: the last worker of a finished crawl deletes the shared state
SCHEDULER_QUEUE_KEY = "%(spider)s:requests"  # zset of queued request ids, by priority then age

# --- scrapy-redis spiders (RedisSpider, RedisCrawlSpider): the names it uses, its meaning --
MAX_IDLE_TIME_BEFORE_CLOSE = 0  # s the cluster stays idle before such a spider closes; 0 = never
REDIS_START_URLS_AS_SET = False  # the spider's redis_key is a set (SADD) instead of a list
REDIS_START_URLS_AS_ZSET = False  # ... or a sorted set (ZADD; highest score first)
REDIS_START_URLS_KEY = "%(name)s:start_urls"  # the spider's redis_key when it sets none

# --- Frontier ------------------------------------------------------------------------------
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
FRONTIER_PARTITIONS = 0  # slots the frontier spreads over; 0 = auto (docs/cluster.md)
FRONTIER_PARTITIONS_KEY = "%(spider)s:partitions"  # string: the crawl's N, set at its start
FRONTIER_QUEUE_CLASS = "benchcrawl.frontier.queue.LeasedQueue"  # or ...polite.queue.PoliteQueue
FRONTIER_REDIS_TIMEOUT = 5.0  # s; socket timeout of one frontier call to Redis
FRONTIER_RETRY_MAX_DELAY = 10.0  # s; longest wait between reconnection attempts in an outage
FRONTIER_SEQUENCE_KEY = "%(spider)s:requests:seq"  # counter: ids, FIFO within a priority
FRONTIER_SHUTDOWN_TIMEOUT = 8.0  # s from SIGTERM to exit, Redis up or down (compose waits 10)
FRONTIER_START_URLS_DEDUP = True  # start URLs of a redis_key are deduplicated like any request
FRONTIER_TRANSIENT_META_KEYS = [  # per-process meta, dropped when a request is queued
    "dashboard",  # benchcrawl.middlewares.dashboard: live objects, re-attached per fetch
    "dashboard_capture",
    "download_latency",
    "download_slot",
    "playwright_page",  # scrapy-playwright: the live page and its handlers
    "playwright_page_event_handlers",
    "playwright_page_methods",
    "playwright_security_details",
    "polite_gate_passed",  # benchcrawl.polite.gate: this process's clock
]
FRONTIER_WAIT_REPLICAS = 0  # >0: each lease and commit waits until this many replicas have it
FRONTIER_WAIT_TIMEOUT = 1.0  # s; the longest such a wait lasts (then counted, logged, gone on)
FRONTIER_WORKERS_KEY = "%(spider)s:workers"  # zset: worker id -> last heartbeat (ms)
