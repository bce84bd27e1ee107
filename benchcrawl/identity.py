"""Who is talking to the shared Redis: the one worker-id format, and the node id.

A **worker id** is ``host:pid:random`` (6 hex digits), made once per component that holds
work in Redis: the frontier's queue (lease owner, ``%(spider)s:workers`` member), the sweep
record (who recorded a file, who finalizes) and, colons turned into dashes by
:func:`file_tag`, the names of a broad worker's WARC files. The random part tells a
restarted worker (same host, and in a container often the same pid) from the one before
it, whose leases must not be renewed by the newcomer.

A **node id** is another concept: the machine (or container) whose CPU, memory and network
the resource-aware middleware watches, on the node board (:mod:`benchcrawl.resources`). It
is ``RESOURCES_NODE_ID`` when set, a stable name that outlives restarts so that a pause
flag still applies; unset, ``host:pid``, the worker id without its random part.
"""

from __future__ import annotations

import os
import secrets
import socket

from scrapy.settings import BaseSettings


def process_id() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_id() -> str:
    """A new worker id, ``host:pid:random``."""
    return f"{process_id()}:{secrets.token_hex(3)}"


def file_tag(worker: str) -> str:
    """*worker* as a file-name part: ``host-pid-random``."""
    return worker.replace(":", "-").replace("/", "-")


def node_id(settings: BaseSettings) -> str:
    """This node's id on the resource board: ``RESOURCES_NODE_ID``, else ``host:pid``."""
    return settings.get("RESOURCES_NODE_ID") or process_id()
