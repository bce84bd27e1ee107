"""The scheduler's settings and their defaults (``scrapy schedule SPIDER``), applied at
add-on priority by the command (``benchcrawl.components.apply_defaults``): a project's own
settings and ``-s`` still win. ``SCHEDULER_*`` is Scrapy's (and scrapy-redis's) own
namespace, hence ``SCHEDULE_*``.

Lock, state and protocol: see the docstring of ``benchcrawl/scheduling/__init__.py``.
"""

from __future__ import annotations

SCHEDULE_CHARTS = True  # draw each new version's charts after its run (scrapy versions charts)
SCHEDULE_CHARTS_TIMEOUT = 300.0  # s for drawing one version's charts
SCHEDULE_KILL_GRACE = 5.0  # s between SIGTERM and SIGKILL to a run's process group
SCHEDULE_LOCK_FILE = "schedule-%(spider)s.lock"  # in DATA_DIR: the run lock without Redis
SCHEDULE_LOCK_KEY = "%(spider)s:schedule:lock"  # string: the run lock's holder token (expiring)
SCHEDULE_LOCK_TTL = 30.0  # s; the Redis lock expires this long after its holder last renewed it
SCHEDULE_MAX_SLEEP = 60.0  # s; the longest nap between two looks at the clock
SCHEDULE_NEXT_KEY = "%(spider)s:schedule:next"  # string (expiring): the tick a scheduler waits for
SCHEDULE_POLL_INTERVAL = 2.0  # s between tries while a due tick waits for another's run
SCHEDULE_RUNS_KEPT = 50  # finished runs kept in SCHEDULE_RUNS_KEY, newest first
SCHEDULE_RUNS_KEY = "%(spider)s:schedule:runs"  # list: JSON of each finished run, newest first
SCHEDULE_RUN_TIMEOUT = 0.0  # s; a run still going is killed; 0 = INFERENCEMAX_SWEEP_TIMEOUT
SCHEDULE_SCRAPYD_PROJECT = "benchcrawl"  # scrapyd project that --scrapyd submits runs to
SCHEDULE_STATE_FILE = "schedule-%(spider)s.json"  # in DATA_DIR: the last run without Redis
SCHEDULE_STATE_KEY = "%(spider)s:schedule:last"  # hash: the last run (tick, outcome, ...)
SCHEDULE_WEBHOOK_ATTEMPTS = 3  # tries of one webhook POST before it is logged as lost
SCHEDULE_WEBHOOK_BACKOFF = 2.0  # s before the second try, doubled for each one after
SCHEDULE_WEBHOOK_TIMEOUT = 5.0  # s for one webhook POST
