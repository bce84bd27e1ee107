"""The results table of the 2026 generation: one row per result the page received, each once.

Columns, in this order (stable across runs, so equal data writes equal bytes):

* ``model`` (the row's own key, e.g. ``dsr1``) and ``model_name`` (the Model control's label
  the answer was loaded for, e.g. ``DeepSeek-R1-0528``);
* every field of the row under its served name: first the fields known in August 2026 in the
  order the API serves them (``FIELDS``), then any other field in name order;
* one column per metric, named exactly as served (``tput_per_gpu``, ``p99.9_ttft``), in name
  order, empty where a row lacks it. A metric whose name is also a field's is written
  ``metrics.<name>``.

Lists and objects (``workers``) are JSON text. A column's type follows its values: booleans,
integers (nullable), floats, text; a column whose values mix kinds is JSON text throughout.

The key of a result (``result_key``) is its model key, its configuration (``CONFIG_FIELDS``,
which include ``benchmark_type`` and ``offload_mode``), ``isl``, ``osl``, ``conc``, ``date``
and ``run_url``. An as-of answer repeats rows of older runs; they share a key and are kept
once. Two normalisations keep the key stable while the site adds fields: a row without
``benchmark_type`` is ``single_turn`` when it has an ``isl`` (agentic traces came with the
field) and an absent, null, empty or ``none`` ``offload_mode`` is one value. The table's
index is ``result_id``, a hash of the key (never written to ``results.csv``).

``current_view`` is what the dashboard shows today under the README's as-of rule: per model
and *line* (configuration at one sequence), the rows of its newest run only.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = [
    "CONFIG_FIELDS",
    "FIELDS",
    "LINE_FIELDS",
    "build",
    "build_table",
    "current_view",
    "flat_row",
    "flatten",
    "metric_columns",
    "result_key",
]

#: the row fields known in August 2026, in the order the API serves them (``metrics`` aside)
FIELDS: tuple[str, ...] = (
    "hardware",
    "framework",
    "precision",
    "spec_method",
    "disagg",
    "is_multinode",
    "prefill_tp",
    "prefill_ep",
    "prefill_dp_attention",
    "prefill_num_workers",
    "decode_tp",
    "decode_ep",
    "decode_dp_attention",
    "decode_num_workers",
    "num_prefill_gpu",
    "num_decode_gpu",
    "isl",
    "osl",
    "conc",
    "image",
    "workers",
    "date",
    "run_url",
    "id",
    "benchmark_type",
    "offload_mode",
    "workflow_run_id",
    "run_started_at",
)
#: what makes a configuration (the model key aside)
CONFIG_FIELDS: tuple[str, ...] = (
    "hardware",
    "framework",
    "precision",
    "spec_method",
    "disagg",
    "is_multinode",
    "prefill_tp",
    "prefill_ep",
    "prefill_dp_attention",
    "prefill_num_workers",
    "decode_tp",
    "decode_ep",
    "decode_dp_attention",
    "decode_num_workers",
    "num_prefill_gpu",
    "num_decode_gpu",
    "benchmark_type",
    "offload_mode",
)
#: a line of the dashboard: one configuration at one sequence (the model key included)
LINE_FIELDS: tuple[str, ...] = ("model", *CONFIG_FIELDS, "isl", "osl")
_FIRST = ("model", "model_name")
_FIELD_SET = frozenset((*FIELDS, *_FIRST))
_NO_OFFLOAD = (None, "", "none")


def _plain(value: Any) -> Any:
    """A key value in one spelling: 1024.0 is 1024, a missing value is None."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _key_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """The key fields of a served row (or a flat table row), normalised."""
    out = {f: _plain(row.get(f)) for f in ("model", *CONFIG_FIELDS, "isl", "osl", "conc")}
    if out["benchmark_type"] is None and out["isl"] is not None:
        out["benchmark_type"] = "single_turn"
    if out["offload_mode"] in _NO_OFFLOAD:
        out["offload_mode"] = None
    out["date"] = row.get("date")
    out["run_url"] = row.get("run_url")
    return out


def result_key(row: Mapping[str, Any]) -> str:
    """``result_id``: a hex digest of the row's key (see the module docstring): the repr of
    the key's values in ``_KEY_ORDER`` (str, int, float, bool or None: a stable spelling)."""
    values = _key_values(row)
    text = repr(tuple(_scalar_key(values[f]) for f in _KEY_ORDER))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_KEY_ORDER = ("model", *CONFIG_FIELDS, "isl", "osl", "conc", "date", "run_url")


def _scalar_key(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def flat_row(rec: Mapping[str, Any], model_name: str, rid: str) -> dict[str, Any]:
    """One served row -> a flat row: ``model``, ``model_name``, the fields, then the metrics
    under their own names (``metrics.<name>`` when a field has that name), ``result_id``."""
    row: dict[str, Any] = {"model": rec.get("model"), "model_name": model_name}
    row.update(rec)
    row["model_name"] = model_name
    row.pop("metrics", None)
    metrics = rec.get("metrics")
    if isinstance(metrics, Mapping):
        for name, value in metrics.items():
            row[f"metrics.{name}" if name in row or name in _FIELD_SET else name] = value
    row["result_id"] = rid
    return row


def flatten(records: Iterable[Mapping[str, Any]], model_name: str) -> list[dict[str, Any]]:
    """Served rows -> flat rows (:func:`flat_row`)."""
    return [flat_row(rec, model_name, result_key(rec)) for rec in records]


def metric_columns(table: pd.DataFrame) -> list[str]:
    """The table's metric columns (every column that is not a field)."""
    return [c for c in table.columns if c not in _FIRST and c not in _field_set(table)]


def _field_set(table: pd.DataFrame) -> set[str]:
    return set(table.attrs.get("fields", ()))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return "json"


def _column(values: list[Any]) -> Any:
    """Typed values of one column (see the module docstring)."""
    kinds = {_kind(v) for v in values if v is not None}
    if not kinds:
        return pd.array([None] * len(values), dtype="object")
    if kinds == {"bool"}:
        return pd.array(values, dtype="boolean")
    if kinds == {"int"}:
        return pd.array(values, dtype="Int64")
    if kinds <= {"int", "float"}:
        return pd.array([math.nan if v is None else float(v) for v in values], dtype="float64")
    if kinds == {"str"}:
        return pd.array(values, dtype="object")
    return pd.array(
        [None if v is None else json.dumps(v, sort_keys=True) for v in values], dtype="object"
    )


def order_columns(fields: Iterable[str], metrics: Iterable[str]) -> list[str]:
    """``model``, ``model_name``, the known fields in served order, other fields by name,
    then the metrics by name."""
    have = set(fields)
    known = [f for f in FIELDS if f in have]
    other = sorted(have - set(FIELDS) - set(_FIRST))
    return [*_FIRST, *known, *other, *sorted(set(metrics) - have - set(_FIRST))]


def from_rows(rows: list[dict[str, Any]], fields: set[str]) -> pd.DataFrame:
    """A typed, sorted table from flat rows; *fields* names the columns that are fields.
    Rows sharing a ``result_id`` are kept once (the last one)."""
    unique: dict[str, dict[str, Any]] = {}
    for row in rows:
        unique[row["result_id"]] = row
    names: set[str] = set()
    for row in unique.values():
        names.update(row)
    names.discard("result_id")
    columns = order_columns(fields & names, names - fields)
    data = list(unique.values())
    table = pd.DataFrame(
        {c: _column([r.get(c) for r in data]) for c in columns},
        index=pd.Index([r["result_id"] for r in data], name="result_id", dtype="object"),
    )
    table.attrs["fields"] = sorted(fields & names)
    return sort_table(table)


def sort_table(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in a stable order: model, configuration, sequence, concurrency, run, id."""
    by = [c for c in ("model_name", "model", *CONFIG_FIELDS, "isl", "osl", "conc", "date")]
    by = [c for c in by if c in table.columns]
    ordered = table.sort_values(by=[*by, "result_id"], kind="mergesort", na_position="first")
    ordered.attrs = dict(table.attrs)
    return ordered


def build_table(results: Iterable[Any]) -> pd.DataFrame:
    """The results table of ``CombinationResult``s (their validated ``records``); a result
    received in several answers is one row (the last fetched)."""
    return build(results)[0]


def build(results: Iterable[Any]) -> tuple[pd.DataFrame, list[list[str]]]:
    """:func:`build_table`, and the ``result_id``s of each result's records, in the order
    of *results* (what the history records per combination)."""
    results = list(results)
    ids: list[list[str]] = [[] for _ in results]
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    fields: set[str] = set()
    # the latest fetched first: its row of a result is the one kept
    for i in sorted(range(len(results)), key=lambda i: results[i].fetched_at, reverse=True):
        for rec in results[i].records or []:
            rid = result_key(rec)
            ids[i].append(rid)
            if rid not in seen:
                seen.add(rid)
                fields.update(rec)
                rows.append(flat_row(rec, results[i].model, rid))
    fields -= {"model", "metrics", "model_name"}
    return from_rows(rows, fields), ids


def _run_order(table: pd.DataFrame) -> pd.DataFrame:
    """Sortable columns that order runs: date, then run_started_at, workflow_run_id and the
    run id and attempt read from run_url (``.../runs/<id>/attempts/<n>``)."""

    def parts(url: Any) -> tuple[int, int]:
        bits = str(url).split("/") if isinstance(url, str) else []
        run = attempt = -1
        for i, bit in enumerate(bits[:-1]):
            if bit == "runs" and bits[i + 1].isdigit():
                run = int(bits[i + 1])
            if bit == "attempts" and bits[i + 1].isdigit():
                attempt = int(bits[i + 1])
        return run, attempt

    urls = table["run_url"] if "run_url" in table else pd.Series([None] * len(table))
    parsed = [parts(u) for u in urls]
    out = pd.DataFrame(index=table.index)
    out["_date"] = table["date"].fillna("").astype(str) if "date" in table else ""
    out["_started"] = (
        table["run_started_at"].fillna("").astype(str) if "run_started_at" in table else ""
    )
    if "workflow_run_id" in table:
        wf = pd.to_numeric(table["workflow_run_id"], errors="coerce").fillna(-1)
        out["_wf"] = wf.astype("float64")
    else:
        out["_wf"] = -1.0
    out["_run"] = [p[0] for p in parsed]
    out["_attempt"] = [p[1] for p in parsed]
    out["_url"] = urls.fillna("").astype(str).to_numpy() if len(table) else []
    return out


def line_ids(table: pd.DataFrame) -> pd.Series:
    """One text per line (model_name plus ``LINE_FIELDS``, normalised as in the key)."""
    keys = []
    for row in table.to_dict("records"):
        plain = {str(k): (None if pd.isna(v) else v) for k, v in row.items() if not _is_list(v)}
        values = _key_values(plain)
        line = [row.get("model_name")] + [values.get(f) for f in LINE_FIELDS]
        keys.append(json.dumps(line, default=str))
    return pd.Series(keys, index=table.index, dtype="object")


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, dict))


def current_view(table: pd.DataFrame) -> pd.DataFrame:
    """What the dashboard shows today (as-of rule): per model name and line, every row of
    the line's newest run (newest ``date``, then the latest run: ``run_started_at``,
    ``workflow_run_id``, the run id and attempt in ``run_url``)."""
    if table.empty:
        return table
    order = _run_order(table)
    order["_line"] = line_ids(table)
    order["_runkey"] = order["_date"] + " " + order["_url"]
    ranked = order.sort_values(
        ["_line", "_date", "_started", "_wf", "_run", "_attempt", "_url"], kind="mergesort"
    )
    newest = ranked.groupby("_line", sort=False)["_runkey"].last()
    keep = order["_runkey"].to_numpy() == order["_line"].map(newest).to_numpy()
    view = table[keep]
    view.attrs = dict(table.attrs)
    return view


_FIELDS_META = b"benchcrawl.fields"


def write_parquet(table: pd.DataFrame, path: Any, *, index: bool) -> None:
    """*table* as Parquet (zstd) at *path* (the caller renames it into place); which columns
    are fields travels in the file's metadata. With *index*, ``result_id`` is kept."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = table.copy()
    frame.attrs = {}
    arrow = pa.Table.from_pandas(frame, preserve_index=index)
    meta = dict(arrow.schema.metadata or {})
    meta[_FIELDS_META] = json.dumps(sorted(_field_set(table))).encode()
    pq.write_table(arrow.replace_schema_metadata(meta), path, compression="zstd")


def read_parquet(path: Any) -> pd.DataFrame:
    """A table written by :func:`write_parquet`, with its fields known again."""
    import pyarrow.parquet as pq

    arrow = pq.read_table(path)
    fields = json.loads((arrow.schema.metadata or {}).get(_FIELDS_META, b"[]"))
    table = arrow.to_pandas()
    table.attrs["fields"] = list(fields)
    return table


def _values(table: pd.DataFrame, column: str) -> list[Any]:
    if column not in table.columns:
        return [None] * len(table)
    return [None if v is None or v is pd.NA or v != v else v for v in table[column].tolist()]


def combine(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """*old* and *new* as one table, each result once (*new*'s row wins: it was fetched
    later and may carry fields the old answer lacked)."""
    if old.empty and not len(old.columns):
        return new
    fields = _field_set(old) | _field_set(new)
    names = [c for c in dict.fromkeys([*old.columns, *new.columns])]
    columns = order_columns(fields & set(names), set(names) - fields)
    data: dict[str, Any] = {}
    for c in columns:
        same = c in old.columns and c in new.columns and old[c].dtype == new[c].dtype
        if same:
            data[c] = pd.concat([old[c], new[c]], ignore_index=True).array
        else:
            data[c] = _column(_values(old, c) + _values(new, c))
    index = pd.Index([*old.index, *new.index], name="result_id", dtype="object")
    table = pd.DataFrame(data, index=index)
    table = table[~table.index.duplicated(keep="last")]
    table.attrs["fields"] = sorted(fields)
    return sort_table(table)
