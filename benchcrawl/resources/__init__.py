"""Resource-aware scheduling: work flows to the nodes with headroom.

Each worker samples its node's load about once a second (``sampler``: CPU within its
affinity and cgroup quota, memory against the cgroup limit or the host's, network against
the configured link; the worker's child processes, such as scrapy-playwright's browsers,
count with it). A node whose load reaches a limit (default 90%) stops leasing new requests
from the shared frontier until every load is back under its resume mark (default 80%)
(``throttle``); what it already holds finishes. Nodes publish heartbeats to Redis, rank each
other by average load and cap how many requests each may hold (``ranking``, ``board``).
When every live node is over a limit, the least-loaded one leases all the same (the method
serves the least-loaded node first; a cluster must not stop), so a lone node never throttles.
The CPU figure throttled on is *contention*, the share of the CPU the worker leaves unused
that others take (see ``cpu``): a crawler keeping its own core busy is working, not
overloaded. The throttle only stops new leases, so a crawling worker also runs at nice 19
(``nice``, ``RESOURCES_NICE``; the monitor and the scheduler keep their own): between two
samples the kernel already gives the node's other work the CPU first (a co-located job
kept 92-95% of its solo speed, ``bench/resource_aware.py --section colocated``).
The Scrapy side is :mod:`benchcrawl.middlewares.resource_aware`; it tells the frontier
scheduler through :mod:`benchcrawl.signals` (``leasing_paused``, ``leasing_resumed``,
``lease_limit_changed``).

Modules: ``cgroup`` (v1/v2 limits), ``cpu`` (CPU maths), ``sampler`` (psutil), ``nice``
(renice every thread), ``policy`` (whether it is on, and the niceness a crawling worker
takes), ``throttle`` (hysteresis, pause; the fetch gate of the broad crawl is another
thing, :mod:`benchcrawl.polite.gate`), ``ranking`` (heartbeat records, ranking, lease
limits), ``board`` (the Redis side, for workers and for the monitor). Everything but
``board`` is free of Redis, and the whole package is free of Scrapy.

Key schema (templates in settings, defaults in ``defaults.py``; ``%(spider)s`` = spider
name, ``%(node)s`` = node id)
--------------------------------------------------------------------------------------
``RESOURCES_NODE_KEY``           ``%(spider)s:nodes:%(node)s``  hash, one node's heartbeat:
    node, host, pid, state (running/throttled/paused), reason, cpu, cpu_own, cpu_load,
    memory, network (all %), load (the ranking key), in_flight, pages_per_minute, limit,
    at (unix time), leasing; and what the worker does (``activity.py``): mode
    (serve/job), activity (busy/idle), doing (a combination or URL, <= 200 chars), since
    (unix time), sweep and taken (combinations of that sweep it started). Readers accept
    a hash without the fields that have defaults (an older worker's). Expires
    ``RESOURCES_HEARTBEAT_TTL`` s after the last heartbeat.
``RESOURCES_NODES_KEY``          ``%(spider)s:nodes``           zset node id -> last
    heartbeat (ms); an entry whose hash has expired is pruned by the next reader.
``RESOURCES_PAUSE_KEY``          ``%(spider)s:pause:%(node)s``  string; while it exists,
    that node leases nothing (value: a free-form note, e.g. who paused it and why).
``RESOURCES_CLUSTER_PAUSE_KEY``  ``%(spider)s:pause``           string; while it exists,
    no node leases anything.

Flags are read with every heartbeat (``RESOURCES_HEARTBEAT_INTERVAL``, 2 s by default).
A node id is ``RESOURCES_NODE_ID`` or, unset, ``host:pid``. Set a stable id to pause a
machine across restarts. The monitor reads ``NodeBoard(client, BoardKeys(spider)).ranking()``
and sets flags with ``NodeBoard.pause(node)`` / ``resume(node)`` (``node=None``: all).
"""
