"""The job config: a small YAML file checked strictly at start.

Example (``ops/pipeline_config.yaml``)::

    source:
      base_url: https://inferencemax.semianalysis.com/
      timeout: 30          # seconds to wait for the page and each data file
      retry_attempts: 2    # extra tries for a combination that failed transiently
    targets:
      models: []           # dropdown labels; empty = every option the page offers
      sequences: []        # e.g. ["1K / 1K"]; empty = all
    data_dir: data
    schedule: "0 1 * * *"  # cron, UTC
    catch_up: 6h           # a tick missed while no scheduler ran is run at start if younger
    notify:
      webhook_url: ""      # JSON POST for every failed run; empty = no webhook
      on_change: false     # true: also for every run whose data changed

An unknown key, a wrong type or a missing required value raises :class:`ConfigError`
with one sentence naming the file and the key. So does any text that is not such a YAML
document (not UTF-8, too deeply nested, an integer too long to convert, a bad timestamp):
:class:`ConfigError` is the only exception :func:`loads_config` and :func:`load_config` raise.
"""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchcrawl.data import CONFIG_NAME, packaged_config
from benchcrawl.exceptions import ConfigError

DEFAULT_BASE_URL = "https://inferencemax.semianalysis.com/"
# A config is a few hundred bytes; the cap bounds PyYAML's pure-Python loader (about 20 us a
# character: 0.6 s at the cap). Not libyaml's CSafeLoader: its composer recurses in C and
# segfaults on 60,000 nested brackets, where SafeLoader raises RecursionError.
MAX_BYTES = 32 * 1024
DEFAULT_CATCH_UP = 6 * 3600.0  # s
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class SourceConfig:
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 30.0
    retry_attempts: int = 2


@dataclass(frozen=True)
class TargetsConfig:
    models: tuple[str, ...] = ()
    sequences: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotifyConfig:
    webhook_url: str = ""
    on_change: bool = False


@dataclass(frozen=True)
class JobConfig:
    source: SourceConfig = field(default_factory=SourceConfig)
    targets: TargetsConfig = field(default_factory=TargetsConfig)
    data_dir: str = "data"
    schedule: str = "0 1 * * *"
    catch_up: float = DEFAULT_CATCH_UP
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    path: str = "<defaults>"


# key -> (expected python types, human type name)
_SOURCE = {
    "base_url": ((str,), "a URL string"),
    "timeout": ((int, float), "a number of seconds"),
    "retry_attempts": ((int,), "an integer"),
}
_TARGETS = {"models": ((list,), "a list of labels"), "sequences": ((list,), "a list of labels")}
_TOP = {
    "source": ((dict,), "a mapping"),
    "targets": ((dict,), "a mapping"),
    "data_dir": ((str,), "a path string"),
    "schedule": ((str,), "a cron string"),
    "catch_up": ((int, float, str), "a duration like 6h, 30m or 90 (seconds)"),
    "notify": ((dict,), "a mapping"),
}
_NOTIFY = {
    "webhook_url": ((str, type(None)), "a URL string"),
    "on_change": ((bool,), "true or false"),
}


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 2, 60, 60


def _short(value: Any) -> str:
    """A bounded repr: YAML aliases can make a value whose full repr is exponential."""
    return _REPR.repr(value)


def _check(mapping: dict[str, Any], spec: dict, where: str, path: str) -> None:
    for key, value in mapping.items():
        if key not in spec:
            known = ", ".join(sorted(spec))
            name = key if isinstance(key, str) and len(key) <= 60 else _short(key)
            raise ConfigError(f"{path}: unknown key '{where}{name}' (known keys: {known}).")
        types, name = spec[key]
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise ConfigError(
                f"{path}: '{where}{key}' must be {name}, "
                f"got {type(value).__name__} {_short(value)}."
            )


def _labels(values: list, key: str, path: str) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"{path}: 'targets.{key}' must hold label strings, got {_short(value)}."
            )
    return tuple(values)


def _check_cron(expr: str, path: str) -> None:
    fields = expr.split()
    allowed = set("0123456789*/,-")
    if len(fields) != 5 or any(not f or set(f) - allowed for f in fields):
        raise ConfigError(
            f"{path}: 'schedule' must be a 5-field cron expression like '0 1 * * *', "
            f"got {_short(expr)}."
        )


def _duration(value: Any, key: str, path: str) -> float:
    """Seconds from ``90``, ``90s``, ``30m``, ``6h`` or ``1d``."""
    seconds = math.nan
    if isinstance(value, str):
        text = value.strip().lower()
        unit = _UNITS.get(text[-1:], 0) if text else 0
        try:
            seconds = float(text[:-1] if unit else text) * (unit or 1)
        except (ValueError, OverflowError):
            pass
    else:
        try:
            seconds = float(value)
        except OverflowError:
            seconds = math.inf
    if not 0 <= seconds < math.inf:
        raise ConfigError(
            f"{path}: '{key}' must be a duration of 0 or more like 6h, 30m, 1d or 90 "
            f"(seconds), got {_short(value)}."
        )
    return seconds


def _notify(raw: dict[str, Any], path: str) -> NotifyConfig:
    _check(raw, _NOTIFY, "notify.", path)
    url = (raw.get("webhook_url") or "").strip()
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{path}: 'notify.webhook_url' must start with http:// or https:// "
            f"(or be empty for no webhook), got {_short(url)}."
        )
    return NotifyConfig(webhook_url=url, on_change=raw.get("on_change", False))


def parse_config(data: Any, path: str = "<string>") -> JobConfig:
    """Check a loaded YAML document and build the :class:`JobConfig`."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping, got {type(data).__name__}.")
    _check(data, _TOP, "", path)
    source_raw = data.get("source") or {}
    _check(source_raw, _SOURCE, "source.", path)
    targets_raw = data.get("targets") or {}
    _check(targets_raw, _TARGETS, "targets.", path)
    try:
        timeout = float(source_raw.get("timeout", 30.0))
    except OverflowError:
        timeout = math.inf
    source = SourceConfig(
        base_url=source_raw.get("base_url", DEFAULT_BASE_URL),
        timeout=timeout,
        retry_attempts=source_raw.get("retry_attempts", 2),
    )
    if not source.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{path}: 'source.base_url' must start with http:// or https://.")
    if not 0 < source.timeout < math.inf:
        raise ConfigError(
            f"{path}: 'source.timeout' must be positive and finite (seconds), "
            f"got {_short(source_raw.get('timeout'))}."
        )
    if source.retry_attempts < 0:
        raise ConfigError(f"{path}: 'source.retry_attempts' must be 0 or more.")
    targets = TargetsConfig(
        models=_labels(targets_raw.get("models") or [], "models", path),
        sequences=_labels(targets_raw.get("sequences") or [], "sequences", path),
    )
    schedule = data.get("schedule", "0 1 * * *")
    _check_cron(schedule, path)
    catch_up = _duration(data.get("catch_up", DEFAULT_CATCH_UP), "catch_up", path)
    notify = _notify(data.get("notify") or {}, path)
    return JobConfig(
        source=source,
        targets=targets,
        data_dir=data.get("data_dir", "data"),
        schedule=schedule,
        catch_up=catch_up,
        notify=notify,
        path=path,
    )


def loads_config(text: str | bytes, path: str = "<string>") -> JobConfig:
    """Parse and check a config's text (*path* names it in messages)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ConfigError(f"{path}: the config file is not UTF-8 text (byte {e.start}).") from e
    if len(text) > MAX_BYTES:
        raise ConfigError(f"{path}: the config is larger than {MAX_BYTES // 1024} KiB.")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}.") from e
    except RecursionError as e:
        raise ConfigError(f"{path}: not valid YAML (nested too deeply).") from e
    except ValueError as e:  # e.g. an int too long to convert, a timestamp's month 13
        raise ConfigError(f"{path}: not valid YAML ({_short(str(e))}).") from e
    return parse_config(data, path)


def load_config(path: str | Path) -> JobConfig:
    """Read and check the YAML config at *path* (``""``: the default shipped in the package)."""
    path = str(path)
    if not path:
        return loads_config(packaged_config(), CONFIG_NAME)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the config file ({e.strerror}).") from e
    return loads_config(data, path)
