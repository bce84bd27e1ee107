"""JSON values of the request codec (:mod:`benchcrawl.frontier.serialize`): checks for what
is written (``safe``: JSON holds it faithfully, or a clear error) and for what is read back
from a shared Redis (``field``, ``as_``, ``b64``, ``to_bytes``: ValueError for anything
else). Pure functions, linear in the value."""

from __future__ import annotations

import base64
import math
from typing import Any

from benchcrawl.exceptions import RequestNotSerializable


def no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON value encode writes")


def finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{short(text)} overflows a float")
    return value


def field(d: dict[str, Any], key: str, types: Any) -> Any:
    if key not in d:
        raise ValueError(f"no {key!r} field")
    return as_(d[key], types, repr(key))


def as_(value: Any, types: Any, what: str) -> Any:
    if not isinstance(value, types):
        raise ValueError(f"{what} is a JSON {type(value).__name__}")
    return value


def pair(header: Any) -> tuple[Any, Any]:
    if not isinstance(header, list) or len(header) != 2:
        raise ValueError("a header is not a [name, values] pair")
    return header[0], header[1]


def b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)  # what b64encode writes, nothing else
    except ValueError as e:  # binascii.Error; a non-ASCII str
        raise ValueError(f"not base64 ({e})") from None


def to_text(value: bytes) -> str | dict[str, str]:
    """Bytes as text when they are UTF-8, else ``{"base64": ...}``."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(value).decode("ascii")}


def to_bytes(value: Any) -> bytes:
    """Bytes as :func:`to_text` wrote them (a header name or value, a body)."""
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, from a \\ud800 escape
            raise ValueError("a text value holds a lone surrogate") from None
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("base64"), str):
        return b64(value["base64"])
    raise ValueError('a bytes value is neither text nor {"base64": ...}')


def headers_in(value: Any) -> list[tuple[bytes, list[bytes]]]:
    """Headers as ``[[name, [values]], ...]`` of :func:`to_text` values."""
    return [
        (to_bytes(name), [to_bytes(v) for v in as_(values, list, "a header's values")])
        for name, values in (pair(h) for h in as_(value, list, "'headers'"))
    ]


def safe(value: Any, where: str, request: str) -> Any:
    """*value* if JSON holds it faithfully (tuples become lists); else a clear error."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
    elif isinstance(value, list | tuple):
        return [safe(v, f"{where}[{i}]", request) for i, v in enumerate(value)]
    elif isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise RequestNotSerializable(
                    f"cannot queue {request}: {where} has a {type(k).__name__} key {k!r}; "
                    f"JSON object keys are strings."
                )
            out[k] = safe(v, f"{where}[{k!r}]", request)
        return out
    raise RequestNotSerializable(
        f"cannot queue {request}: {where} holds a {type(value).__name__} ({short(value)}), "
        f"which is not JSON; store str/int/float/bool/None/list/dict values there, or list "
        f"the meta key in FRONTIER_TRANSIENT_META_KEYS if it only matters in this process."
    )


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
