"""The webhook: delivered, retried with a bound, never blocking the caller."""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
    hook.send({"outcome": "failed"})
    hook.flush(hook.longest())
    messages = [r.getMessage() for r in caplog.records]
    assert sum("failed" in m and "retrying" in m for m in messages) == 2
    assert any(m.startswith(f"webhook {url}: lost after 3 tries") for m in messages)


def test_send_returns_while_the_webhook_still_holds_the_request(caplog):
    # the receiver answers only once send() has returned: a send() that waited for the
    # answer would end its try first (a timeout, logged) and the check below would see it
    received, answer = threading.Event(), threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            received.set()
            answer.wait(30)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        hook = Webhook(f"http://127.0.0.1:{server.server_port}/hook", 20, 1, 0.1)
        caplog.set_level(logging.INFO, "benchcrawl.scheduling.notify")
        hook.send({"outcome": "ok"})
        assert caplog.messages == []  # no try has ended: the request is still unanswered
        assert received.wait(20)
        answer.set()
        hook.flush(hook.longest())
        assert [m.split(": ", 1)[1] for m in caplog.messages] == ["delivered (HTTP 204)"]
    finally:
        answer.set()
        server.shutdown()
        server.server_close()
