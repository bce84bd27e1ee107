"""The broad crawl's settings and their defaults: the broad spider's own and those of its
polite per-domain frontier (queue and fetch gate). ``BroadSpider.update_settings`` applies
them at add-on priority, so a project's own settings and ``-s`` still win.

Key schema: see the docstring of ``benchcrawl/frontier/__init__.py``.
"""

from __future__ import annotations

DEFAULT_CONTACT = "mailto:crawl-admin@benchcrawl.invalid"


def user_agent(contact: str) -> str:
    """The broad spider's User-Agent: who crawls, and how to reach them."""
    return f"benchcrawl-broad/0.1 (+https://github.com/benchcrawl/benchcrawl; {contact})"


# --- The spider ----------------------------------------------------------------------------
BROAD_ALLOW_SUBDOMAINS = False  # True: subdomains of a seed domain are crawled too
BROAD_EXCLUDE_FILE = ""  # a file of domains never crawled; "" = none
BROAD_MAX_CRAWL_DELAY = 60.0  # s; a larger robots.txt Crawl-delay is capped to this
BROAD_MAX_PAGE_SIZE = 250 * 1024  # bytes; longer pages are truncated before parsing and storage
BROAD_NOFOLLOW = True  # honour rel="nofollow" and <meta name="robots" content="nofollow">
BROAD_SEEN_LOCAL = 200_000  # canonical URLs a worker remembers as known (skips Redis); 0 = off
BROAD_USER_AGENT = user_agent(DEFAULT_CONTACT)  # sent by the broad spider (BROAD_CONTACT env)
BROAD_WARC_DIR = "warc"  # where WARC files go; "" = no WARC
BROAD_WARC_GZIP_LEVEL = 1  # zlib level of each WARC record's gzip member (warcio uses 9);
# 1 takes 40% of level 6's CPU for files about a quarter larger (docs/cpu-per-page.md)
BROAD_WARC_MAX_SIZE = 1024**3  # bytes; a worker starts a new WARC file past this

# --- The polite frontier: per-domain queue and fetch gate ----------------------------------
BROAD_DELAY_MARGIN = 0.1  # s added to a non-zero delay at the fetch gate (lease-to-wire time)
BROAD_DELAYS_KEY = "%(spider)s:domains:delay"  # hash: domain -> robots.txt Crawl-delay (ms)
BROAD_DOMAIN_CAP = 10_000  # requests queued per domain; more are dropped and counted; 0 = no cap
BROAD_DOMAIN_QUEUE_KEY = "%(spider)s:domain:%(domain)s"  # a queue per domain (zset + fresh lists)
BROAD_DROPPED_KEY = "%(spider)s:domains:dropped"  # hash: domain -> URLs dropped at the cap
BROAD_EXCLUDED_KEY = "%(spider)s:excluded"  # set: excluded domains, effective at once
BROAD_LAST_FETCH_KEY = "%(spider)s:domains:last"  # hash: domain -> last fetch (Redis ms)
BROAD_LEASE_LOOKAHEAD = 0.0  # s; a domain whose turn is this close is leased now (then waits)
BROAD_MIN_DELAY = 1.0  # s between two fetches of one domain, across the whole cluster
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
BROAD_VISITED_KEY = "%(spider)s:visited"  # hash: URL -> JSON (status, type, size, time, WARC)
