"""The one worker-id format, and the node id."""

from __future__ import annotations

import os
import socket

from scrapy.settings import Settings

from benchcrawl.identity import file_tag, node_id, worker_id


def test_worker_id_is_host_pid_random_and_new_each_time():
    a, b = worker_id(), worker_id()
    host, pid, rand = a.rsplit(":", 2)
    assert (host, pid) == (socket.gethostname(), str(os.getpid()))
    assert len(rand) == 6 and set(rand) <= set("0123456789abcdef"), rand
    assert a != b  # a restarted worker (same host, same pid) is told from the one before


def test_file_tag_has_no_colon():
    assert ":" not in file_tag(worker_id())


def test_node_id_is_the_setting_else_host_pid():
    assert node_id(Settings({"RESOURCES_NODE_ID": "gpu-1"})) == "gpu-1"
    assert node_id(Settings()) == f"{socket.gethostname()}:{os.getpid()}"
