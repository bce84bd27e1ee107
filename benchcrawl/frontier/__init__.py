"""benchcrawl's Redis frontier: a leased queue shared by every worker of a crawl.

Switched on by ``REDIS_URL`` (see :mod:`benchcrawl.addons`); replaces scrapy-redis's
scheduler, queue and dupefilter and keeps its setting names where they mean the same.

Modules: ``scheduler`` (Scrapy's scheduler interface), ``ack`` (the spider middleware that
ends a lease when its response is handled), ``lease`` (lease ids on requests, the failure
path), ``queue`` (the Redis operations), ``dupefilter`` and ``bloom`` (seen requests),
``serialize`` (requests as compact JSON; ``serialize_v1`` reads the older format,
``jsonvalues`` checks the values), ``replication`` (``WAIT`` for replicas after each lease
and commit, ``FRONTIER_WAIT_REPLICAS``), ``interface`` (the queue interface), ``partitions``
(a frontier in N partitions) and ``factory`` (builds a crawl's queue, decides N), ``outbox``,
``recent`` and ``timing`` (pure logic), ``lua/`` (the scripts; ``_lib.lua``, the lease
protocol's Lua library, is prepended to each, and to the polite queue's).

Key schema (templates in settings, defaults in ``defaults.py``; ``%(spider)s`` = spider name)
--------------------------------------------------------------------------------------------
On a Redis Cluster (``REDIS_URL`` naming any of its nodes) ``%(spider)s`` is ``{name}``
instead, a hash tag (:func:`benchcrawl.connection.key_scope`): every key below then hashes
to one slot, so each script, which touches many of them, runs on one master; a template
that would leave that slot is refused at start, in one sentence. On one Redis the names are
as written here.

``SCHEDULER_QUEUE_KEY``       ``%(spider)s:requests``           zset id -> -priority of
    requests put back (an expired lease, a release, a re-queued failure), start entries,
    and requests an older version queued. Equal scores pop in id order and ids are
    zero-padded hex of a counter, so it is FIFO within one priority.
``<queue>:list:<score>``      ``%(spider)s:requests:list:0``    list of fresh requests
    (queued, never leased) of one score (-priority), FIFO, as their JSON alone: no id, no
    data hash entry, so a queued URL costs its JSON and a few bytes (see ``fresh_push`` in
    ``lua/_lib.lua``). The queue's head is the lower score of the zset and the lists; at
    equal scores the zset's (its requests are the older).
``<queue>:lists``             ``%(spider)s:requests:lists``     zset of the scores whose
    list may be non-empty (member: the score's text).
``FRONTIER_DATA_KEY``         ``%(spider)s:requests:data``      hash id -> request JSON
    (leased and failed requests, and those in the queue zset; deleted on ack). A fresh
    request gets its id when it is leased.
``FRONTIER_SEQUENCE_KEY``     ``%(spider)s:requests:seq``       counter behind the ids
    (advanced by every queued request too).
``FRONTIER_LEASES_KEY``       ``%(spider)s:requests:leases``    zset id -> lease deadline,
    ms of Redis's clock (``TIME``), so workers' clocks do not matter.
``FRONTIER_OWNERS_KEY``       ``%(spider)s:requests:owners``    hash id -> worker id.
``FRONTIER_FAILED_KEY``       ``%(spider)s:requests:failed``    hash id -> JSON
    ``{"reason", "worker", "at"}``; the request stays in the data hash to be re-queued.
``FRONTIER_WORKERS_KEY``      ``%(spider)s:workers``            zset worker -> heartbeat (ms).
``SCHEDULER_DUPEFILTER_KEY``  ``%(spider)s:dupefilter``         set of 12-byte digests of
    request fingerprints (``FRONTIER_DEDUP = "exact"``; a set of whole 20-byte fingerprints
    an older version made is kept as it is) or a Bloom bitmap (``"bloom"``), whose shape
    is pinned in ``%(spider)s:dupefilter:bloom`` (hash: bits, hashes).

``FRONTIER_PARTITIONS_KEY``   ``%(spider)s:partitions``         string: the crawl's number of
    partitions N, written once at its first start (see Partitions below); absent on one
    Redis for a crawl of one partition.

``redis_key`` of a scrapy-redis spider (``REDIS_START_URLS_KEY``, ``%(name)s:start_urls``)
    list (or set, zset) of start URLs or JSON entries, pushed by users (on a cluster the
    default is ``{name}:start_urls``, in the queue's slot); ``start_urls.lua``
    moves them into the queue as start entries (id ``s`` + 15 hex, data ``{"start",
    "priority"}``), see :mod:`~benchcrawl.frontier.start_urls`.

Partitions
----------
``FRONTIER_PARTITIONS`` = N > 1 splits the crawl's frontier into N complete copies of the
keys above (but ``%(spider)s:partitions`` and the start key, which stay in partition 0),
each a leased queue with its own queue, data, leases, owners, failed, seq, workers and
dedup keys (:mod:`~benchcrawl.frontier.partitions`). In partition *i*, ``%(spider)s`` is
``name#i``; on a Redis Cluster a hash tag of a slot of its own, ``{name#i}`` or
``{name#i.k}``, picked so that the N slots are evenly spaced and every master holds as many
partitions (:func:`benchcrawl.connection.spread_tags`). Partition 0 keeps ``name`` /
``{name}``, so one partition is the schema above, key for key:

    partition 0  ``farm:requests``    ``farm:dupefilter``    ...   (``{farm}:...`` on a cluster)
    partition 1  ``farm#1:requests``  ``farm#1:dupefilter``  ...   (``{farm#1.22}:...``)
    partition 2  ``farm#2:requests``  ``farm#2:dupefilter``  ...   (``{farm#2.63}:...``)

A request lives in partition ``crc32(route key) % N``, the route key being what the queue
class's ``route_key`` returns (the plain leased queue: the request fingerprint; the polite
queue: the request's domain, see :mod:`benchcrawl.polite`), so its dedup is in one
partition and stays exact. Lease ids carry their partition: ``i:id`` (bare
in partition 0, where start entries live). Every script still touches one partition, so
one slot. N is 0 (auto) by default: the stored N, else 1 on one Redis (nothing stored,
the names as above) and ``4 x masters`` on a cluster (stored); a worker set to another N
than the stored one is refused. ``scrapy frontier --purge`` deletes every partition and N.

A worker id is ``host:pid:random``. Nothing is deleted when a worker closes; ``scrapy
frontier SPIDER --purge`` deletes all of the above (and ``SCHEDULER_PERSIST = False`` lets
the last worker of a *finished* crawl, with nothing queued or leased, do it).

Life of a request
-----------------
1. Enqueue: fingerprinted (``crawler.request_fingerprinter``); a fingerprint this worker
   already sent to Redis (``FRONTIER_LOCAL_SEEN`` most recent) is a duplicate at once.
   Otherwise serialized to compact JSON, defaults left out (a bad meta value is an error
   naming the key, see :mod:`~benchcrawl.frontier.serialize` for which per-process meta
   keys are dropped, and why) and appended to the worker's outbox with its fingerprint.
2. Commit (``commit.lua``, every ``FRONTIER_FLUSH_INTERVAL`` and whenever the worker runs
   dry): in one call, the batch's fingerprints are marked seen and the new ones queued
   (appended to the fresh list of their score), then the batch's acks and failures are
   applied. A page's new requests always precede
   its ack, in the same or an earlier commit, so a crash cannot lose them. With
   partitions, one call per partition written to: every partition's pushes first, acks
   and failures after (riding with the last push call where they can).
3. Lease (``lease.lua``): up to ``FRONTIER_LEASE_BATCH`` requests move from the queue to
   the leases with this worker and a deadline ``FRONTIER_LEASE_TIME`` ahead (a fresh one
   gets its id and its data hash entry here). With partitions, round the partitions from
   one further each time, skipping those last seen empty. Unstarted
   requests in the local buffer are leases too.
4. Maintain (``maintain.lua``, every lease time / 3, and every
   ``FRONTIER_IDLE_POLL_INTERVAL`` while idle): heartbeat, renew this worker's leases,
   put any expired lease back in the queue at its priority, read queue and lease counts.
5. End: ack when the response's callback output is handled (``ack``), when a successor
   (retry, redirect) is enqueued, or when a download failure was deliberately ignored
   (``IgnoreRequest``); a failure for good (retries spent, HTTP error, callback
   exception) is recorded in the failed hash with its reason.
6. A clean close commits the outbox and gives held leases back to the queue at once.

Idle close: a worker closes once the cluster has had nothing queued and nothing leased, by
anyone, for ``SCHEDULER_IDLE_BEFORE_CLOSE`` seconds (the clock starts at the first idle
observation). While Redis is unreachable, requests, acks and leases are kept in the worker
and retried with backoff (logged once per outage); the worker does not close meanwhile.

Other queues
------------
``FRONTIER_QUEUE_CLASS`` names the queue; any class with the interface of
:class:`~benchcrawl.frontier.interface.FrontierQueue` will do. The broad crawl's polite
per-domain queue, its fetch gate and their keys are in :mod:`benchcrawl.polite`: it keeps
the data, leases, owners, failed, seq, workers and dupefilter keys above and replaces
``SCHEDULER_QUEUE_KEY``.
"""
