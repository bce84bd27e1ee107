"""Reading the first request format: a JSON object that spells out every field
(``{"v": 1, "url": ..., "headers": [...], "body": base64, "meta": ..., ...}``).

benchcrawl no longer writes it (:mod:`benchcrawl.frontier.serialize` writes the compact
format), but requests an older version queued stay in a user's Redis across an upgrade:
they are read here, with the same checks, so an upgrade mid-crawl loses none of them.
"""

from __future__ import annotations

from typing import Any

from benchcrawl.frontier.jsonvalues import b64, field, headers_in, short

FORMAT = 1
_FIELDS = {"url", "headers", "body", "meta", "cookies", "cb_kwargs", "callback", "errback"}


def read_v1(d: dict[str, Any]) -> dict[str, Any]:
    """The fields of a format-1 object, in the shape :class:`~benchcrawl.frontier.
    serialize.RequestCodec` builds a request from; ValueError for a wrong shape."""
    if d.get("v") != FORMAT:
        raise ValueError(f"unknown request format {short(d.get('v'))}")
    return {
        "class": d.get("class"),
        "url": field(d, "url", str),
        "headers": headers_in(field(d, "headers", list)),
        "body": b64(field(d, "body", str)),
        "meta": field(d, "meta", dict),
        "cookies": field(d, "cookies", dict | list),
        "cb_kwargs": field(d, "cb_kwargs", dict),
        "callback": d.get("callback"),
        "errback": d.get("errback"),
        "other": {k: v for k, v in d.items() if k not in _FIELDS and k not in ("v", "class")},
    }
