"""Parse and validate InferenceMAX data files (``*-interactivity.json`` / ``*-e2e.json``).

Two layouts are accepted:

* plain (October 2025): a JSON array of records;
* wrapped (from about December 2025): ``[{"data": [...records...], "gpus": [...]}, ...]``;
  the ``data`` lists of all wrapper objects are concatenated.

Every record must carry the 11 known keys with the right types; extra keys are
allowed and dropped. Anything else (an HTML page, broken JSON, no records, a wrong
type) raises :class:`RecordError` whose message names the URL and the first bad field.
Validation is plain Python loops over dicts so a whole snapshot checks in a few ms.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

__all__ = [
    "METRIC_KEYS",
    "RECORD_KEYS",
    "RecordError",
    "parse_records",
    "validate_records",
    "sequence_length",
]

RECORD_KEYS: tuple[str, ...] = (
    "x", "y", "conc", "tp", "hwKey", "precision",
    "tpPerGpu", "tpPerMw", "costh", "costn", "costr",
)
METRIC_KEYS: tuple[str, ...] = ("tpPerGpu", "tpPerMw", "costh", "costn", "costr")
_NUMBER_KEYS = ("x", "y")
_INT_KEYS = ("conc", "tp")
_STR_KEYS = ("hwKey", "precision")


class RecordError(ValueError):
    """A data file could not be turned into records.

    ``url`` is the file's address; ``field`` is the path of the first bad field
    (e.g. ``[12].tpPerMw.roof``) or None when the document as a whole is wrong.
    """

    def __init__(self, url: str, message: str, field: str | None = None) -> None:
        self.url = url
        self.field = field
        self.detail = message
        super().__init__(f"{url}: {message}")


def _type_name(value: Any) -> str:
    """Short name of a JSON value's type for messages."""
    if value is None:
        return "null"
    return type(value).__name__


class _Bad(Exception):
    """Internal: a field failed validation (path relative to the record)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def _number(value: Any, path: str) -> float | int:
    t = type(value)
    if t is float:
        if not math.isfinite(value):
            raise _Bad(path, f"is {value!r}, expected a finite number")
        return value
    if t is int:
        if not -_FLOAT_MAX <= value <= _FLOAT_MAX:
            raise _Bad(path, "is an int too large for a float, expected a finite number")
        return value
    raise _Bad(path, f"is {_type_name(value)}, expected a number")


_FLOAT_MAX = sys.float_info.max
_NUM = frozenset((int, float))


def _utf8(text: str) -> bool:
    """False when *text* holds a lone surrogate (JSON allows ``"\\ud800"``; no CSV does)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fast_record(rec: Any) -> dict[str, Any] | None:
    """Check a record in one pass; None when anything is off (then :func:`_explain`)."""
    try:
        x, y, conc = rec["x"], rec["y"], rec["conc"]
        tp, hw, pr = rec["tp"], rec["hwKey"], rec["precision"]
        a, b, c = rec["tpPerGpu"], rec["tpPerMw"], rec["costh"]
        d, e = rec["costn"], rec["costr"]
        ay, by, cy = a["y"], b["y"], c["y"]
        dy, ey = d["y"], e["y"]
        ar, br, cr = a["roof"], b["roof"], c["roof"]
        dr, er = d["roof"], e["roof"]
        if not (
            type(rec) is dict and type(conc) is int and type(tp) is int
            and type(hw) is str and type(pr) is str and hw.strip() and pr.strip()
            and _utf8(hw) and _utf8(pr)
            and type(a) is dict and type(b) is dict and type(c) is dict
            and type(d) is dict and type(e) is dict
            and type(ar) is bool and type(br) is bool and type(cr) is bool
            and type(dr) is bool and type(er) is bool
            and type(x) in _NUM and type(y) in _NUM and type(ay) in _NUM
            and type(by) in _NUM and type(cy) in _NUM and type(dy) in _NUM
            and type(ey) in _NUM
            # nan/inf make the sum nan; ints beyond float range raise OverflowError
            and x * 0.0 + y * 0.0 + ay * 0.0 + by * 0.0 + cy * 0.0 + dy * 0.0
            + ey * 0.0 == 0.0
        ):
            return None
    except (KeyError, TypeError, IndexError, OverflowError):
        return None
    return {
        "x": x, "y": y, "conc": conc, "tp": tp, "hwKey": hw, "precision": pr,
        "tpPerGpu": {"y": ay, "roof": ar}, "tpPerMw": {"y": by, "roof": br},
        "costh": {"y": cy, "roof": cr}, "costn": {"y": dy, "roof": dr},
        "costr": {"y": ey, "roof": er},
    }


def _explain(rec: Any) -> dict[str, Any]:
    """Check a record field by field, raising :class:`_Bad` at the first bad field."""
    if type(rec) is not dict:
        raise _Bad("", f"is {_type_name(rec)}, expected an object")
    for key in RECORD_KEYS:
        if key not in rec:
            raise _Bad(key, "is missing")
    out: dict[str, Any] = {}
    for key in _NUMBER_KEYS:
        out[key] = _number(rec[key], key)
    for key in _INT_KEYS:
        value = rec[key]
        if type(value) is not int:
            raise _Bad(key, f"is {_type_name(value)}, expected int")
        out[key] = value
    for key in _STR_KEYS:
        value = rec[key]
        if type(value) is not str:
            raise _Bad(key, f"is {_type_name(value)}, expected str")
        if not value.strip():
            raise _Bad(key, "is an empty string, expected a non-empty str")
        if not _utf8(value):
            raise _Bad(key, "holds a lone surrogate (a \\ud800-\\udfff escape), not text")
        out[key] = value
    for key in METRIC_KEYS:
        obj = rec[key]
        if type(obj) is not dict:
            raise _Bad(key, f"is {_type_name(obj)}, expected an object with y and roof")
        for sub in ("y", "roof"):
            if sub not in obj:
                raise _Bad(f"{key}.{sub}", "is missing")
        y = _number(obj["y"], f"{key}.y")
        roof = obj["roof"]
        if type(roof) is not bool:
            raise _Bad(f"{key}.roof", f"is {_type_name(roof)}, expected bool")
        out[key] = {"y": y, "roof": roof}
    return out


def _is_wrapped(top: list[Any]) -> bool:
    first = top[0]
    return type(first) is dict and "data" in first and "x" not in first


def _record_lists(top: list[Any], url: str) -> list[tuple[str, str, list[Any]]]:
    """Return (path prefix, message prefix, records) for each block of records."""
    if not _is_wrapped(top):
        return [("", "record", top)]
    blocks = []
    for w, wrapper in enumerate(top):
        if type(wrapper) is not dict or "data" not in wrapper:
            raise RecordError(
                url, f"wrapper {w} is not an object with a data list "
                "(wrapped form expects [{\"data\": [...]}])", f"[{w}].data")
        data = wrapper["data"]
        if type(data) is not list:
            raise RecordError(
                url, f"wrapper {w} field data is {_type_name(data)}, expected a list",
                f"[{w}].data")
        blocks.append((f"[{w}].data", f"wrapper {w} record", data))
    return blocks


def _looks_like_html(text: str, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    return text.lstrip().startswith("<")


def parse_records(body: bytes | str, url: str,
                  content_type: str | None = None) -> list[dict[str, Any]]:
    """Parse a data file's body and return its validated records.

    Each returned record holds exactly the 11 keys of :data:`RECORD_KEYS`
    (metric objects reduced to ``{"y", "roof"}``). Raises :class:`RecordError`.
    """
    if isinstance(body, (bytes, bytearray)):
        try:
            text = bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RecordError(url, f"body is not UTF-8 text ({exc.reason} at byte "
                              f"{exc.start})") from None
    else:
        text = body.lstrip("\ufeff")
    if _looks_like_html(text, content_type):
        start = " ".join(text.split())[:60]
        raise RecordError(url, "got an HTML page, not JSON "
                          f"(content-type {content_type or 'unknown'}, starts {start!r})")
    if not text.strip():
        raise RecordError(url, "empty body, expected a JSON array of records")
    try:
        top = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno} (char {exc.pos} of {len(text)})"
        cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated")
        hint = "truncated" if cut else "invalid"
        raise RecordError(url, f"{hint} JSON at {where}: {exc.msg}") from None
    except ValueError as exc:  # an integer of more than sys.get_int_max_str_digits()
        raise RecordError(url, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise RecordError(url, "invalid JSON: nested too deeply") from None
    return validate_records(top, url)


def validate_records(top: Any, url: str) -> list[dict[str, Any]]:
    """Validate already-decoded JSON (plain or wrapped form); see :func:`parse_records`."""
    if type(top) is not list:
        raise RecordError(url, f"top-level JSON is {_type_name(top)}, "
                          "expected a list of records")
    if not top:
        raise RecordError(url, "no records (the JSON array is empty)")
    out: list[dict[str, Any]] = []
    append = out.append
    for prefix, label, records in _record_lists(top, url):
        for i, rec in enumerate(records):
            row = _fast_record(rec)
            if row is None:
                try:
                    row = _explain(rec)
                except _Bad as bad:
                    field = f"{prefix}[{i}]" + (f".{bad.path}" if bad.path else "")
                    what = f"{label} {i}" + (f" field {bad.path}" if bad.path else "")
                    raise RecordError(url, f"{what} {bad.problem}", field) from None
            append(row)
    if not out:
        raise RecordError(url, "no records (every wrapper's data list is empty)")
    return out


def sequence_length(label: str) -> str:
    """Turn an ISL / OSL dropdown label into the table value: ``"1K / 8K"`` -> ``"1k-8k"``."""
    value = "".join(label.split()).lower().replace("/", "-")
    if not value:
        raise ValueError(f"empty ISL / OSL label: {label!r}")
    return value
