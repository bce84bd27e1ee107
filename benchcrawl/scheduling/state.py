"""The record of the last run, for exactly-once ticks and catch-up: a Redis hash, or a
JSON file in ``DATA_DIR`` (written to a temporary name and renamed, so never half there).

Fields (all strings): ``tick`` (the last tick whose run ended, ``iso()``), ``running``
(the tick being run now, or the one whose scheduler died mid-run), ``holder``,
``outcome``, ``exit_code``, ``rows``, ``version``, ``seconds``, ``finished_at``. A value
read back is untrusted (anyone with access to the Redis can write it): a tick that does
not parse counts as no tick. Writes happen only under the run lock.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Protocol

import redis

from benchcrawl.connection import REDIS_ERRORS, redact
from benchcrawl.exceptions import RedisUnavailable
from benchcrawl.scheduling.cron import parse_iso

logger = logging.getLogger(__name__)

FIELDS = (
    "tick",
    "running",
    "holder",
    "outcome",
    "exit_code",
    "rows",
    "version",
    "seconds",
    "finished_at",
)
MAX_VALUE = 200  # characters kept of one field


class RunState(Protocol):
    def read(self) -> dict[str, str]: ...
    def write(self, fields: dict[str, str]) -> None: ...


def tick_of(record: dict[str, str], field: str = "tick") -> datetime | None:
    """The tick in *field* of a record, or None (absent or unreadable)."""
    value = record.get(field) or ""
    if not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        logger.warning("the schedule state's %s %r is not a tick; ignoring it", field, value[:60])
        return None


def _clean(fields: dict[str, object]) -> dict[str, str]:
    return {k: str(v)[:MAX_VALUE] for k, v in fields.items() if k in FIELDS}


class RedisState:
    """The last run in a hash; with *runs_key*, every finished run also goes (as JSON,
    newest first, *kept* of them) into a list, and with *next_key* a live scheduler says
    which tick it waits for: what ``scrapy monitor`` shows."""

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        url: str = "",
        runs_key: str | None = None,
        next_key: str | None = None,
        kept: int = 50,
    ) -> None:
        self.client = client
        self.key = key
        self._where = redact(url)
        self.runs_key = runs_key
        self.next_key = next_key
        self.kept = kept

    def read(self) -> dict[str, str]:
        try:
            raw = self.client.hgetall(self.key)
        except REDIS_ERRORS as e:
            raise RedisUnavailable(
                f"cannot read the schedule state {self.key} at {self._where} ({e})"
            ) from e
        record = {}
        for k, v in raw.items():  # type: ignore[union-attr]
            key = k.decode(errors="replace") if isinstance(k, bytes) else str(k)
            if key in FIELDS:
                text = v.decode(errors="replace") if isinstance(v, bytes) else str(v)
                record[key] = text[:MAX_VALUE]
        return record

    def write(self, fields: dict[str, str]) -> None:
        clean = _clean(dict(fields))
        try:
            pipe = self.client.pipeline()
            pipe.hset(self.key, mapping=clean)  # type: ignore[arg-type]
            if self.runs_key and "finished_at" in clean:
                pipe.lpush(self.runs_key, json.dumps(clean))
                pipe.ltrim(self.runs_key, 0, max(0, self.kept - 1))
            pipe.execute()
        except REDIS_ERRORS as e:
            raise RedisUnavailable(
                f"cannot write the schedule state {self.key} at {self._where} ({e})"
            ) from e

    def announce(self, tick: str, ttl: float, **about: str) -> None:
        """Say that a live scheduler waits for *tick* (for *ttl* s), with what it will run
        (*about*: its cron line, spider, holder), as JSON; best effort."""
        if not self.next_key:
            return
        value = json.dumps({"tick": tick, **about})
        try:
            self.client.set(self.next_key, value, px=max(1, int(ttl * 1000)))
        except REDIS_ERRORS as e:
            logger.debug("cannot announce the next tick: %s", e)


class FileState:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text()[: 64 * 1024])
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            logger.warning("cannot read the schedule state %s (%s); starting afresh", self.path, e)
            return {}
        return _clean(data) if isinstance(data, dict) else {}

    def write(self, fields: dict[str, str]) -> None:
        record = {**self.read(), **_clean(dict(fields))}
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(record, indent=2) + "\n")
        os.replace(tmp, self.path)
