"""Fetched pages as WARC/1.0 ``response`` records, one gzip member each, in rotating files.

Each worker writes its own files (``<prefix>-<started>-<worker>-<n>.warc.gz``) and starts a
new one past ``max_size`` bytes; a record's file and offset go into the visited index, so
one page is read back with a seek and one gzip member. The stored payload is the body the
crawler saw: decoded (``Content-Encoding`` and ``Transfer-Encoding`` removed,
``Content-Length`` set to what is stored) and, for a truncated page, cut with
``WARC-Truncated: length``. warcio builds the records (and their digests); compression is
done here per record, at a configurable level (warcio always uses 9, which costs more CPU
than parsing the page).
"""

from __future__ import annotations

import io
import logging
import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class WarcLocation:
    file: str  # file name, relative to the WARC directory
    offset: int  # where the record's gzip member starts
    length: int  # compressed bytes of the record


class WarcArchive:
    def __init__(self, directory: Path, prefix: str, max_size: int, gzip_level: int = 6) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.started = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.serial = 0
        self._file: io.BufferedWriter | None = None
        self._name = ""
        self._buffer = io.BytesIO()
        self._writer = WARCWriter(self._buffer, gzip=False)

    def write(
        self,
        url: str,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        truncated: bool = False,
        protocol: str = "HTTP/1.1",
    ) -> WarcLocation:
        http_headers = [(k, v) for k, v in headers if k.lower() not in _DROP_HEADERS]
        http_headers.append(("Content-Length", str(len(body))))
        warc_headers = {"WARC-Truncated": "length"} if truncated else None
        record = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            warc_headers_dict=warc_headers,
            http_headers=StatusAndHeaders(f"{status}", http_headers, protocol=protocol),
        )
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.write_record(record)
        compressor = zlib.compressobj(self.gzip_level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        data = compressor.compress(self._buffer.getvalue()) + compressor.flush()
        f = self._current()
        offset = f.tell()
        f.write(data)
        return WarcLocation(self._name, offset, len(data))

    def _current(self) -> io.BufferedWriter:
        if self._file is not None and self._file.tell() >= self.max_size:
            self.close()
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.serial += 1
            self._name = f"{self.prefix}-{self.started}-{self.serial:05d}.warc.gz"
            self._file = open(self.directory / self._name, "ab")  # noqa: SIM115
            logger.info("writing WARC records to %s", self.directory / self._name)
        return self._file

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_record(directory: Path, location: WarcLocation) -> bytes:
    """The uncompressed WARC record at *location* (for tests and tools)."""
    with open(os.path.join(directory, location.file), "rb") as f:
        f.seek(location.offset)
        data = f.read(location.length)
    return zlib.decompress(data, zlib.MAX_WBITS + 16)
