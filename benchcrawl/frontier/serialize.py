"""Requests as JSON: what a worker writes to the shared queue and another reads back.

No pickle: a shared Redis must not be a way to run code on every worker. Callbacks and
errbacks travel as the names of spider methods; bytes (body, unusual header values) as
base64; ``meta`` and ``cb_kwargs`` must hold JSON values (str, int, float, bool, None,
lists, dicts with str keys; tuples arrive as lists).

Meta keys that only mean something inside the process that set them are dropped on the
way out: keys starting with ``_`` (Scrapy and benchcrawl internals such as the lease id or
``_scheme_proxy``) and the keys in ``FRONTIER_TRANSIENT_META_KEYS`` (``playwright_page``,
``download_slot``...). Any other value that JSON cannot hold is refused when the request is
queued, with the key named, instead of failing later on another worker.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable
from typing import Any

from scrapy import Request, Spider
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.misc import load_object

from benchcrawl.exceptions import RequestNotSerializable
from benchcrawl.frontier.lease import unwrap_errback

FORMAT = 1
_NO_CALLBACK = "@NO_CALLBACK"
_ENCODED = {"url", "headers", "body", "meta", "cookies", "cb_kwargs", "callback", "errback"}


class RequestCodec:
    def __init__(self, spider: Spider, transient_meta_keys: Iterable[str] = ()) -> None:
        self.spider = spider
        self.transient = frozenset(transient_meta_keys)

    # --- out ---------------------------------------------------------------------------
    def encode(self, request: Request) -> str:
        """The request as compact JSON; :class:`RequestNotSerializable` names a bad value."""
        what = f"<{request.method} {request.url}>"
        d: dict[str, Any] = {
            "v": FORMAT,
            "url": request.url,
            "headers": [
                [_text(name), [_text(v) for v in values]]
                for name, values in request.headers.items()
            ],
            "body": base64.b64encode(request.body).decode("ascii"),
            "meta": {
                key: _json_safe(value, f"meta[{key!r}]", what)
                for key, value in request.meta.items()
                if not key.startswith("_") and key not in self.transient
            },
            "cookies": _json_safe(request.cookies, "cookies", what),
            "cb_kwargs": _json_safe(request.cb_kwargs, "cb_kwargs", what),
            "callback": self._method_name(request.callback, "callback", what),
            "errback": self._method_name(unwrap_errback(request.errback), "errback", what),
        }
        for attr in type(request).attributes:
            if attr not in _ENCODED:
                d[attr] = _json_safe(getattr(request, attr), attr, what)
        if type(request) is not Request:
            d["class"] = f"{type(request).__module__}.{type(request).__name__}"
        return json.dumps(d, separators=(",", ":"), allow_nan=False)

    def _method_name(self, func: Any, what: str, request: str) -> str | None:
        if func is None:
            return None
        if func is NO_CALLBACK:
            return _NO_CALLBACK
        name = getattr(func, "__name__", None)
        if (
            getattr(func, "__self__", None) is self.spider
            and name
            and getattr(type(self.spider), name, None) is getattr(func, "__func__", None)
        ):
            return name
        raise RequestNotSerializable(
            f"cannot queue {request}: its {what} {func!r} is not a method of spider "
            f"{self.spider.name!r}; a shared queue stores callbacks by method name."
        )

    # --- in ----------------------------------------------------------------------------
    def decode(self, data: str | bytes) -> Request:
        d = json.loads(data)
        if d.get("v") != FORMAT:
            raise ValueError(f"unknown request format {d.get('v')!r}")
        cls = load_object(d["class"]) if "class" in d else Request
        kwargs: dict[str, Any] = {
            "url": d["url"],
            "headers": [(name, [_bytes(v) for v in values]) for name, values in d["headers"]],
            "body": base64.b64decode(d["body"]),
            "meta": d["meta"],
            "cookies": d["cookies"],
            "cb_kwargs": d["cb_kwargs"],
            "callback": self._method(d["callback"]),
            "errback": self._method(d["errback"]),
        }
        for attr in cls.attributes:
            if attr not in _ENCODED and attr in d:
                kwargs[attr] = d[attr]
        headers = kwargs.pop("headers")
        request = cls(**kwargs)
        request.headers.clear()
        for name, values in headers:
            request.headers.setlist(_bytes(name), values)
        return request

    def _method(self, name: str | None) -> Any:
        if name is None:
            return None
        if name == _NO_CALLBACK:
            return NO_CALLBACK
        method = getattr(self.spider, name, None)
        if not callable(method):
            raise ValueError(f"spider {self.spider.name!r} has no method {name!r}")
        return method


def _text(value: bytes) -> str | dict[str, str]:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(value).decode("ascii")}


def _bytes(value: str | dict[str, str]) -> bytes:
    if isinstance(value, dict):
        return base64.b64decode(value["base64"])
    return value.encode("utf-8")


def _json_safe(value: Any, where: str, request: str) -> Any:
    """*value* if JSON holds it faithfully (tuples become lists); else a clear error."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
    elif isinstance(value, list | tuple):
        return [_json_safe(v, f"{where}[{i}]", request) for i, v in enumerate(value)]
    elif isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise RequestNotSerializable(
                    f"cannot queue {request}: {where} has a {type(k).__name__} key {k!r}; "
                    f"JSON object keys are strings."
                )
            out[k] = _json_safe(v, f"{where}[{k!r}]", request)
        return out
    raise RequestNotSerializable(
        f"cannot queue {request}: {where} holds a {type(value).__name__} ({_short(value)}), "
        f"which is not JSON; store str/int/float/bool/None/list/dict values there, or list "
        f"the meta key in FRONTIER_TRANSIENT_META_KEYS if it only matters in this process."
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
