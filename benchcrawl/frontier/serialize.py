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

Reading back is reading untrusted input: anyone who can write to the shared Redis can put
any value in the queue. :meth:`RequestCodec.decode` raises ValueError, and nothing else,
for a value it did not write (not JSON, the wrong shape or types, an unknown callback, a
URL whose host would take quadratic time to IDNA-encode), in time linear in the value. The
``class`` field never imports anything: it names a :class:`scrapy.Request` subclass in a
module the worker has already loaded (``scrapy.http``, the spider's own module...).
"""

from __future__ import annotations

import base64
import inspect
import json
import math
import sys
from collections.abc import Iterable
from typing import Any

from scrapy import Request, Spider
from scrapy.http.request import NO_CALLBACK

from benchcrawl.exceptions import RequestNotSerializable
from benchcrawl.frontier.lease import unwrap_errback
from benchcrawl.urls import host_too_long

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
        """The request :meth:`encode` wrote; ValueError for anything else (see the module
        docstring)."""
        try:
            d = json.loads(data, parse_constant=_no_constant, parse_float=_finite)
        except (ValueError, RecursionError) as e:  # bad JSON or UTF-8, huge int, deep nesting
            raise ValueError(f"not JSON ({_short(str(e))})") from None
        if not isinstance(d, dict):
            raise ValueError(f"a JSON {type(d).__name__}, not a request object")
        if d.get("v") != FORMAT:
            raise ValueError(f"unknown request format {_short(d.get('v'))}")
        cls = _request_class(d.get("class", None))
        url = _field(d, "url", str)
        if host_too_long(url):
            raise ValueError("its URL's host is longer than DNS allows")
        headers = [
            (_bytes(name), [_bytes(v) for v in _as(values, list, "a header's values")])
            for name, values in (_pair(h) for h in _field(d, "headers", list))
        ]
        kwargs: dict[str, Any] = {
            "url": url,
            "body": _b64(_field(d, "body", str)),
            "meta": _field(d, "meta", dict),
            "cookies": _field(d, "cookies", dict | list),
            "cb_kwargs": _field(d, "cb_kwargs", dict),
            "callback": self._method(d.get("callback")),
            "errback": self._method(d.get("errback")),
        }
        for attr in cls.attributes:
            if attr not in _ENCODED and attr in d:
                kwargs[attr] = d[attr]
        try:  # the constructor checks the remaining attributes (priority, method, flags...)
            request = cls(**kwargs)
            request.headers.clear()
            for name, values in headers:
                request.headers.setlist(name, values)
        except (TypeError, ValueError, LookupError, AttributeError) as e:  # e.g. encoding
            raise ValueError(f"not a valid {cls.__name__}: {_short(str(e))}") from None
        return request

    def _method(self, name: Any) -> Any:
        """The spider's method *name*: only a plain function of its class, as encoded."""
        if name is None:
            return None
        if name == _NO_CALLBACK:
            return NO_CALLBACK
        if (
            not isinstance(name, str)
            or name.startswith("__")
            or not inspect.isfunction(getattr(type(self.spider), name, None))
        ):
            raise ValueError(f"spider {self.spider.name!r} has no method {_short(name)}")
        return getattr(self.spider, name)


def _request_class(path: Any) -> type[Request]:
    """The Request subclass named ``module.Name``, looked up in loaded modules only: an
    untrusted value must not make a worker import (and run) a module."""
    if path is None:
        return Request
    if isinstance(path, str):
        module, _, name = path.rpartition(".")
        loaded = sys.modules.get(module)
        # vars(), not getattr: a module's __getattr__ may import things
        cls = vars(loaded).get(name) if loaded is not None else None
        if isinstance(cls, type) and issubclass(cls, Request):
            return cls
    raise ValueError(f"class {_short(path)} is not a Request subclass of a loaded module")


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON value encode writes")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{_short(text)} overflows a float")
    return value


def _field(d: dict[str, Any], key: str, types: Any) -> Any:
    if key not in d:
        raise ValueError(f"no {key!r} field")
    return _as(d[key], types, repr(key))


def _as(value: Any, types: Any, what: str) -> Any:
    if not isinstance(value, types):
        raise ValueError(f"{what} is a JSON {type(value).__name__}")
    return value


def _pair(header: Any) -> tuple[Any, Any]:
    if not isinstance(header, list) or len(header) != 2:
        raise ValueError("a header is not a [name, values] pair")
    return header[0], header[1]


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)  # what b64encode writes, nothing else
    except ValueError as e:  # binascii.Error; a non-ASCII str
        raise ValueError(f"not base64 ({e})") from None


def _text(value: bytes) -> str | dict[str, str]:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(value).decode("ascii")}


def _bytes(value: Any) -> bytes:
    """A header name or value as :func:`_text` wrote it."""
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, from a \\ud800 escape
            raise ValueError("a header holds a lone surrogate") from None
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("base64"), str):
        return _b64(value["base64"])
    raise ValueError('a header is neither text nor {"base64": ...}')


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
