"""Requests as compact JSON: what a worker writes to the shared queue and another reads back.

No pickle: a shared Redis must not be a way to run code on every worker. A request is a
JSON array ``[url, callback, errback, {other fields}]`` (format 2) that leaves out every
field equal to :class:`scrapy.Request`'s default: trailing nulls and an empty object are
dropped. A request with nothing else to say (the usual link) is written in the plain form,
its URL and callback names separated by spaces, ``https://example.com/a parse on_error``
(a request URL never holds a space: Scrapy percent-encodes it; a value that starts with
``[`` or ``{`` is JSON). The object holds only what differs, under one-letter names: ``m``
method, ``h`` headers, ``b`` body, ``d`` meta, ``k`` cookies, ``a`` cb_kwargs, ``p``
priority, ``f`` dont_filter, ``e`` encoding, ``F`` flags, ``c`` the class of a
:class:`scrapy.Request` subclass and ``x`` its own attributes (all of them: a subclass's
defaults are its own). Callbacks and errbacks travel as the names of spider methods; bytes
(body, header names and values) as text when they are UTF-8, else as ``{"base64": ...}``;
``meta`` and ``cb_kwargs`` must hold JSON values (str, int, float, bool, None, lists, dicts
with str keys; tuples arrive as lists). Requests an older version queued, in format 1 (a
JSON object with every field), are still read
(:mod:`~benchcrawl.frontier.serialize_v1`).

Meta keys that only mean something inside the process that set them are dropped on the
way out: keys starting with ``_`` (Scrapy and benchcrawl internals such as the lease id or
``_scheme_proxy``) and the keys in ``FRONTIER_TRANSIENT_META_KEYS`` (``playwright_page``,
``download_slot``...). Any other value that JSON cannot hold is refused when the request is
queued, with the key named, instead of failing later on another worker.

Reading back is reading untrusted input: anyone who can write to the shared Redis can put
any value in the queue. :meth:`RequestCodec.decode` raises ValueError, and nothing else,
for a value it did not write (not JSON, the wrong shape or types, an unknown callback, a
URL whose host would take quadratic time to IDNA-encode), in time linear in the value. The
``c`` field (``class`` in format 1) never imports anything: it names a
:class:`scrapy.Request` subclass in a module the worker has already loaded
(``scrapy.http``, the spider's own module...).
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from scrapy import Request, Spider
from scrapy.http.request import NO_CALLBACK

from benchcrawl.exceptions import RequestNotSerializable
from benchcrawl.frontier.jsonvalues import (
    as_,
    finite,
    headers_in,
    no_constant,
    safe,
    short,
    to_bytes,
    to_text,
)
from benchcrawl.frontier.lease import unwrap_errback
from benchcrawl.frontier.serialize_v1 import read_v1
from benchcrawl.urls import host_too_long

FORMAT = 2
_NO_CALLBACK = "@NO_CALLBACK"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # one character class: linear
#: format 2's one-letter names of the fields kept in the object when not their default
_SHORT = {
    "m": "method",
    "h": "headers",
    "b": "body",
    "d": "meta",
    "k": "cookies",
    "a": "cb_kwargs",
    "p": "priority",
    "f": "dont_filter",
    "e": "encoding",
    "F": "flags",
}
_KNOWN = {"url", "callback", "errback", *_SHORT.values()}
_TYPES = {"m": str, "p": int, "f": bool, "e": str, "F": list}  # the constructor takes others


class RequestCodec:
    def __init__(self, spider: Spider, transient_meta_keys: Iterable[str] = ()) -> None:
        self.spider = spider
        self.transient = frozenset(transient_meta_keys)

    # --- out ---------------------------------------------------------------------------
    def encode(self, request: Request) -> str:
        """The request as compact JSON; :class:`RequestNotSerializable` names a bad value."""
        what = f"<{request.method} {request.url}>"
        x: dict[str, Any] = {}
        if request.method != "GET":
            x["m"] = request.method
        if request.headers:
            x["h"] = [
                [to_text(name), [to_text(v) for v in values]]
                for name, values in request.headers.items()
            ]
        if request.body:
            x["b"] = to_text(request.body)
        meta = {
            key: safe(value, f"meta[{key!r}]", what)
            for key, value in request.meta.items()
            if not key.startswith("_") and key not in self.transient
        }
        if meta:
            x["d"] = meta
        if request.cookies:
            x["k"] = safe(request.cookies, "cookies", what)
        if request.cb_kwargs:
            x["a"] = safe(request.cb_kwargs, "cb_kwargs", what)
        if request.priority != 0:
            x["p"] = safe(request.priority, "priority", what)
        if request.dont_filter:
            x["f"] = True
        if request.encoding != "utf-8":
            x["e"] = safe(request.encoding, "encoding", what)
        if request.flags:
            x["F"] = safe(request.flags, "flags", what)
        cls = type(request)
        if cls is not Request:
            x["c"] = f"{cls.__module__}.{cls.__name__}"
            own = {
                attr: safe(getattr(request, attr), attr, what)
                for attr in cls.attributes
                if attr not in _KNOWN
            }
            if own:
                x["x"] = own
        out: list[Any] = [
            request.url,
            self._method_name(request.callback, "callback", what),
            self._method_name(unwrap_errback(request.errback), "errback", what),
            x,
        ]
        while len(out) > 1 and (out[-1] is None or out[-1] == {}):
            out.pop()
        if len(out) < 4 and None not in out and " " not in request.url:
            return " ".join(out)  # the plain form
        return json.dumps(out, separators=(",", ":"), allow_nan=False)

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
        """The request :meth:`encode` wrote (or an older version's format 1); ValueError for
        anything else (see the module docstring)."""
        if data[:1] not in ("[", "{", b"[", b"{"):
            d: Any = _plain(data)
        else:
            try:
                d = json.loads(data, parse_constant=no_constant, parse_float=finite)
            except (ValueError, RecursionError) as e:  # bad JSON or UTF-8, huge int, nesting
                raise ValueError(f"not JSON ({short(str(e))})") from None
        if isinstance(d, list):
            fields = _read_v2(d)
        elif isinstance(d, dict):
            fields = read_v1(d)
        else:
            raise ValueError(f"a JSON {type(d).__name__}, not a request")
        cls = _request_class(fields["class"])
        url = fields["url"]
        if host_too_long(url):
            raise ValueError("its URL's host is longer than DNS allows")
        if _CONTROL.search(url):  # Scrapy's URL clean-up is not idempotent on them
            raise ValueError("its URL holds a control character")
        kwargs: dict[str, Any] = {
            "url": url,
            "body": fields["body"],
            "meta": fields["meta"],
            "cookies": fields["cookies"],
            "cb_kwargs": fields["cb_kwargs"],
            "callback": self._method(fields["callback"]),
            "errback": self._method(fields["errback"]),
        }
        other = fields["other"]
        for attr in cls.attributes:
            if attr not in kwargs and attr != "headers" and attr in other:
                kwargs[attr] = other[attr]
        try:  # the constructor checks the remaining attributes (priority, method, flags...)
            request = cls(**kwargs)
            request.headers.clear()
            for name, values in fields["headers"]:
                request.headers.setlist(name, values)
        except (TypeError, ValueError, LookupError, AttributeError) as e:  # e.g. encoding
            raise ValueError(f"not a valid {cls.__name__}: {short(str(e))}") from None
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
            raise ValueError(f"spider {self.spider.name!r} has no method {short(name)}")
        return getattr(self.spider, name)


def _plain(data: str | bytes) -> list[str]:
    """The plain form's items: ``url[ callback[ errback]]``."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("neither JSON nor UTF-8 text") from None
    items = data.split(" ", 3)
    if len(items) > 3 or "" in items:
        raise ValueError("text that is not 'url[ callback[ errback]]'")
    return items


def _read_v2(d: list[Any]) -> dict[str, Any]:
    """The fields of a format-2 array; ValueError for a wrong shape."""
    if not 1 <= len(d) <= 4:
        raise ValueError(f"a request array of {len(d)} items, not 1 to 4")
    x = as_(d[3], dict, "the request's fields") if len(d) > 3 else {}
    unknown = x.keys() - _SHORT.keys() - {"c", "x"}
    if unknown:
        raise ValueError(f"unknown request fields {short(sorted(unknown))}")
    own = as_(x.get("x", {}), dict, "'x'")
    if own.keys() & _KNOWN:
        raise ValueError(f"'x' holds standard fields {short(sorted(own.keys() & _KNOWN))}")
    for key, types in _TYPES.items():
        if key in x:
            as_(x[key], types, f"{key!r} ({_SHORT[key]})")
    other = {_SHORT[k]: v for k, v in x.items() if k in _SHORT} | own
    return {
        "class": x.get("c"),
        "url": as_(d[0], str, "the URL"),
        "headers": headers_in(x.get("h", [])),
        "body": to_bytes(x.get("b", "")),
        "meta": as_(x.get("d", {}), dict, "'d' (meta)"),
        "cookies": as_(x.get("k", {}), dict | list, "'k' (cookies)"),
        "cb_kwargs": as_(x.get("a", {}), dict, "'a' (cb_kwargs)"),
        "callback": d[1] if len(d) > 1 else None,
        "errback": d[2] if len(d) > 2 else None,
        "other": other,
    }


def url_of(data: str | bytes) -> str:
    """The URL of a queued request (either format), without building the request;
    ValueError for a value that is not one."""
    if data[:1] not in ("[", "{", b"[", b"{"):
        url: Any = _plain(data)[0]
    else:
        d = json.loads(data)
        url = d[0] if isinstance(d, list) and d else d.get("url") if isinstance(d, dict) else None
    if not isinstance(url, str):
        raise ValueError("not a queued request")
    return url


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
    raise ValueError(f"class {short(path)} is not a Request subclass of a loaded module")
