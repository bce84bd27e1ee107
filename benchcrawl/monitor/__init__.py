"""The monitor: the cluster at a glance, with control, behind a token (``scrapy monitor``).

A FastAPI app (``app``) that reads only Redis (``cluster``: the node board, frontier keys,
sweep records, pages/min series) and ``DATA_DIR`` (``data``: versions and the latest merged
table), with a server-rendered page (``templates/``, ``static/``), a JSON API under
``/api/`` and its OpenAPI document at ``/openapi.json``, and cluster-level ``/metrics``.
``auth`` holds the token check, sessions, CSRF and the sign-in slow-down; ``views`` the
pure logic (node state with "lost", the SVG chart). The worker side (pages/min series and
``/metrics`` per worker) is in :mod:`benchcrawl.extensions`.

Key schema (templates in settings, defaults in ``defaults.py``)
----------------------------------------------------------------
``MONITOR_SERIES_KEY``  ``%(spider)s:series:%(node)s``  zset, member ``"<unix s>:<pages/min>"``
    scored by unix s: one node's pages/min every ``MONITOR_SERIES_INTERVAL`` s, trimmed to
    the last ``MONITOR_SERIES_WINDOW`` s and expiring that long after the last sample.
"""
