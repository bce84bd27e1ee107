"""The webhook: delivered, retried with a bound, never blocking the caller."""

from __future__ import annotations

import logging
import socket
import time

from benchcrawl.scheduling.notify import Webhook, backoff_delays


def test_backoff_doubles():
    assert backoff_delays(4, 0.5) == [0.5, 1.0, 2.0]
    assert backoff_delays(1, 0.5) == []


def test_the_payload_is_posted_as_json(webhook):
    hook = Webhook(webhook.url, 2, 3, 0.1)
    hook.send({"outcome": "failed", "rows": 0})
    hook.flush(5)
    assert webhook.got() == [{"outcome": "failed", "rows": 0}]


def test_a_dead_webhook_is_retried_then_logged_and_never_blocks(caplog):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    hook = Webhook(url, 1, 3, 0.1)
    caplog.set_level(logging.INFO, "benchcrawl.scheduling.notify")
    begun = time.monotonic()
    hook.send({"outcome": "failed"})
    assert time.monotonic() - begun < 0.5  # send() returns at once
    hook.flush(hook.longest())
    messages = [r.getMessage() for r in caplog.records]
    assert sum("failed" in m and "retrying" in m for m in messages) == 2
    assert any(m.startswith(f"webhook {url}: lost after 3 tries") for m in messages)
