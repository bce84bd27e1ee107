"""The scheduler: ``scrapy schedule SPIDER`` runs the job on the config's cron schedule.

Pieces, each in its own module:

* ``cron.py`` (pure): the schedule, parsed by croniter, and :func:`~.cron.decide`, which
  says which tick, if any, is due now (a normal tick, a catch-up, or nothing).
* ``lock.py``: the run lock (Redis, or ``fcntl.flock`` on a file in ``DATA_DIR``) and the
  renewal timing (pure).
* ``state.py``: the record of the last run (a Redis hash, or a JSON file in ``DATA_DIR``).
* ``runner.py``: a run as a child ``scrapy crawl`` in its own process group, supervised:
  timeout, lock renewal, stop. A launcher is anything with ``start() -> Run``, so a
  scrapyd submitter plugs in next to :class:`~.runner.ProcessLauncher`.
* ``outcome.py`` (pure but for reading manifests): what a run gave (outcome, rows, version,
  changed) and its one log line.
* ``notify.py``: the webhook, posted from a thread, retried with a bound.
* ``draw_charts.py``: after a run that wrote a new version, its charts, drawn by a child
  ``scrapy versions charts``.
* ``cron_loop.py``: the loop that ties them (not Scrapy's request scheduler, which is
  :mod:`benchcrawl.frontier.scheduler`).

Protocol (any number of schedulers, on one machine or many):

1. Each scheduler looks at the clock at each tick (and every ``SCHEDULE_POLL_INTERVAL``
   while a tick waits). :func:`~.cron.decide` compares the latest tick at or before now
   with the last run's tick in the state: newer means due.
2. A scheduler with a due tick takes the run lock without waiting. Whoever fails leaves
   it to the holder and looks again later.
3. Under the lock, the holder reads the state again and decides again: a tick another
   scheduler ran meanwhile is no longer due. So each tick runs once, whatever the number
   of schedulers and however their clocks wake, with no per-tick claim key: the lock
   serializes the check-and-run, the state records it. Runs never overlap because the
   lock is held for the whole run.
4. The holder marks the tick as running, runs it, records it (tick, outcome, rows,
   version, seconds) and releases the lock.
5. The Redis lock is ``SET key token NX PX ttl``; the holder renews it every ttl/3 with a
   compare-and-renew script (``lock_renew.lua``) and releases it with compare-and-delete
   (``lock_release.lua``), so it never touches a lock that expired and was taken by
   another. A holder that cannot renew for 2/3 of the ttl stops its run before the lock
   can expire elsewhere. A scheduler ``kill -9``-ed stops renewing: its lock expires and
   another takes over; its child ``scrapy crawl`` dies with it (``PR_SET_PDEATHSIG``).
   The tick it was running is recorded as running but never finished, so it is still due
   and runs again (within ``catch_up``). Without Redis, the lock is ``fcntl.flock`` on
   ``DATA_DIR/schedule-<spider>.lock``, which the kernel releases when its holder dies.

Catch-up: at start, a tick older than the scheduler that is newer than the last recorded
run (it was missed while no scheduler ran) is run once if it is less than ``catch_up``
old (config, default 6 h); older, it is skipped with one log line. With no run recorded
at all, nothing was missed. Only the newest missed tick runs, once.

Redis key schema (templates in ``defaults.py``; ``%(spider)s`` is the spider's name)::

    <spider>:schedule:lock   string  holder token, expiring (SCHEDULE_LOCK_TTL)
    <spider>:schedule:last   hash    tick, running, holder, outcome, exit_code, rows,
                                     version, seconds, finished_at
    <spider>:schedule:runs   list    JSON of each finished run (those fields), newest
                                     first, SCHEDULE_RUNS_KEPT of them
    <spider>:schedule:next   string  JSON {tick, cron, spider, holder}: the tick a live
                                     scheduler waits for, expiring a nap plus
                                     SCHEDULE_MAX_SLEEP after it was written (the monitor
                                     shows it; gone = no scheduler running)

Without Redis: ``DATA_DIR/schedule-<spider>.lock`` (the flock) and
``DATA_DIR/schedule-<spider>.json`` (the same fields as the hash). Clocks of the machines
running schedulers are assumed to agree (NTP); ticks are UTC.
"""
