"""Resource-aware scheduling's settings and their defaults, applied at add-on priority by
``benchcrawl.addons.ResourceAwareAddon``: a project's own settings and ``-s`` still win.

Figures, decision and Redis key schema: see the docstring of ``benchcrawl/resources/__init__.py``.
"""

from __future__ import annotations

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
RESOURCES_NICE = 19  # niceness a worker takes at start, so co-located work gets the CPU first
#                      (0 = keep the process's own); Chromium pages inherit it. 19, not 10:
#                      a co-located job kept 92-95% of its solo speed, 76-88% at 10
#                      (bench/resource_aware.py --section colocated)
RESOURCES_NETWORK_INTERFACES: list[str] = []  # interfaces counted; empty = all but loopback
RESOURCES_NETWORK_LIMIT = 90.0  # %; link use that stops leasing
RESOURCES_NETWORK_RESUME = 80.0  # %
RESOURCES_NODE_ID = ""  # this node's id; empty = host:pid
RESOURCES_NODE_KEY = "%(spider)s:nodes:%(node)s"  # hash: one node's heartbeat (expiring)
RESOURCES_NODES_KEY = "%(spider)s:nodes"  # zset: node id -> last heartbeat (ms)
RESOURCES_PAUSE_KEY = "%(spider)s:pause:%(node)s"  # string: while set, that node leases nothing
RESOURCES_SAMPLE_INTERVAL = 1.0  # s between load samples (and throttle decisions)
