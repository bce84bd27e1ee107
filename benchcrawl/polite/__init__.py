"""The broad crawl's politeness in Redis: the polite per-domain queue and its fetch gate.

The lease protocol (scheduler, leases, acks, outbox, dedup, the JSON codec) is the
frontier's (:mod:`benchcrawl.frontier`); this package is what makes a crawl of many domains
polite across any number of workers. Pure rules (robots.txt, scope, the politeness clock)
are in :mod:`benchcrawl.broad`; the spider is :mod:`benchcrawl.spiders.broad`.

Modules: ``queue`` (:class:`~benchcrawl.polite.queue.PoliteQueue`, the frontier's queue
interface, :class:`~benchcrawl.frontier.interface.FrontierQueue`, kept per domain),
``gate`` (the downloader middleware right before each fetch: robots.txt, scope, the
per-domain delay), ``domains`` (per-domain state outside the queue: the gate's clock,
robots.txt entries, seeds, exclusions, the per-page call), ``keys`` (the keys below and
how the scripts are registered), ``lua/`` (the scripts; the frontier's ``_lib.lua``, then
``_polite.lua``, prepended to each).

Key schema (templates in settings, defaults in :mod:`benchcrawl.broad.defaults`;
``%(spider)s`` = spider name, ``%(domain)s`` = a host name)
------------------------------------------------------------------------------------
On a Redis Cluster ``%(spider)s`` is the hash tag ``{name}``, as for the frontier's keys:
the per-domain keys, which the scripts build from their prefixes, share the slot too.

Partitions: the polite queue is partitioned like the frontier (``FRONTIER_PARTITIONS``;
the default gives ``4 x masters`` on a cluster, one on a single Redis, see Partitions in
:mod:`benchcrawl.frontier`). Every key below exists once per partition, with
``%(spider)s`` the partition's scope (``name``, ``name#1``, ... ; ``{name}``, ``{name#1}``,
... on a cluster: :func:`benchcrawl.connection.partition_scopes`). A request's partition is
that of its domain (``PoliteQueue.route_key``: the host its queue is named after,
:func:`~benchcrawl.polite.keys.domain_of`), so a domain's queue, its turn in
``domains:ready``, its politeness clock (``domains:last``), its delay, robots.txt state
and entry, dropped count and the dedup of its URLs are all in ONE partition, and every
script still touches one slot: politeness and dedup stay exact for any number of workers.
Lease ids are the frontier's ``i:<16 hex>@<domain>`` (bare in partition 0).
The seed and exclusion sets are copied into every partition (``scrapy seed`` writes them
to each), so that each partition's lease and gate scripts read them in their own slot; a
domain excluded by hand must be added to every partition's set (``scrapy seed --exclude``
does that). The visited index is kept per partition, a page's record in its domain's
partition; :func:`~benchcrawl.polite.domains.visited_index` reads it whole. A parsed
page's call is one call per partition its links are in (the page's own first, with its
visited record and the exclusion flags); with one partition it is one call, as before.
``domains:queued`` and the rest add up over the partitions in ``scrapy frontier``
reports; ``--purge`` deletes every partition's keys, per-domain keys included.

``FRONTIER_QUEUE_CLASS = "benchcrawl.polite.queue.PoliteQueue"`` replaces
``SCHEDULER_QUEUE_KEY`` by one queue per domain; the data, leases, owners, failed, seq,
workers and dupefilter keys are the frontier's (see :mod:`benchcrawl.frontier`). A leased id
is ``<16 hex>@<domain>``, so every script finds a request's domain without reading it.

``BROAD_READY_KEY``          ``%(spider)s:domains:ready``     zset domain -> its next turn
    (Redis ms). A lease takes the next request of each domain whose turn has come and moves
    the turn on by the domain's delay.
``BROAD_DOMAIN_QUEUE_KEY``   ``%(spider)s:domain:%(domain)s`` the domain's queue, in the
    frontier's shape: zset id -> -priority of requests put back (and those an older version
    queued), ``...:list:<score>`` lists of fresh requests' JSON by score and
    ``...:lists``, the zset of their scores (see ``SCHEDULER_QUEUE_KEY`` there).
``BROAD_QUEUED_KEY``         ``%(spider)s:domains:queued``    counter of queued requests.
``BROAD_DELAYS_KEY``         ``%(spider)s:domains:delay``     hash domain -> robots.txt
    Crawl-delay (ms); the delay is the larger of it and ``BROAD_MIN_DELAY``.
``BROAD_LAST_FETCH_KEY``     ``%(spider)s:domains:last``      hash domain -> when the fetch
    gate last let a fetch go (Redis ms): the cluster-wide guarantee of the delay.
``BROAD_DROPPED_KEY``        ``%(spider)s:domains:dropped``   hash domain -> URLs dropped
    at ``BROAD_DOMAIN_CAP``.
``BROAD_ROBOTS_STATE_KEY``   ``%(spider)s:robots``            hash domain -> +ms until
    which its robots.txt is known, or -ms until which it is being fetched or unreachable.
``BROAD_ROBOTS_KEY``         ``%(spider)s:robots:%(domain)s`` string: the robots.txt entry
    (JSON), expiring with it.
``BROAD_SEEDS_KEY``          ``%(spider)s:seeds``             set of seed domains.
``BROAD_EXCLUDED_KEY``       ``%(spider)s:excluded``          set of excluded domains
    (effective at the next lease, fetch and parsed page).
``BROAD_VISITED_KEY``        ``%(spider)s:visited``           hash URL -> JSON {status,
    type, size, truncated, fetched_at, warc, offset, length}.
"""
