"""Fetched pages as WARC/1.0 ``response`` records, one gzip member each, in rotating files.

Each worker writes its own files (``<prefix>-<started>-<worker>-<n>.warc.gz``) and starts a
new one past ``max_size`` bytes; a record's file and offset go into the visited index, so
one page is read back with a seek and one gzip member. The stored payload is the body the
crawler saw: decoded (``Content-Encoding`` and ``Transfer-Encoding`` removed,
``Content-Length`` set to what is stored) and, for a truncated page, cut with
``WARC-Truncated: length``. Records are written here, with warcio's header order and
digests (SHA-1 of the payload and of the block, base32), without warcio's writer, whose
record building cost as much CPU as compressing the page (bench/cpu_per_page.py); the
tests read them back with warcio and check the digests. Compression is done per record, at
a configurable level (warcio always uses 9, which costs more CPU than parsing the page).
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders

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
        kept = [(k, v) for k, v in headers if k.lower() not in _DROP_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        lines = [f"{protocol} {status}", *(f"{k}: {v}" for k, v in kept), "\r\n"]
        try:
            http_head = "\r\n".join(lines).encode("ascii")
        except UnicodeEncodeError:  # rare: percent-encoded (RFC 8187) as warcio does
            http_head = StatusAndHeaders(f"{status}", kept, protocol).to_ascii_bytes()
        block = hashlib.sha1(http_head)
        block.update(body)
        warc_head = ["WARC/1.0"]
        if truncated:
            warc_head.append("WARC-Truncated: length")
        warc_head += [
            "WARC-Type: response",
            f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>",
            f"WARC-Target-URI: {url}",
            f"WARC-Date: {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"WARC-Payload-Digest: {_sha1(hashlib.sha1(body))}",
            f"WARC-Block-Digest: {_sha1(block)}",
        ]
        warc_head.append("Content-Type: application/http; msgtype=response")
        warc_head.append(f"Content-Length: {len(http_head) + len(body)}\r\n\r\n")
        compressor = zlib.compressobj(self.gzip_level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        data = b"".join(
            (
                compressor.compress("\r\n".join(warc_head).encode()),
                compressor.compress(http_head),
                compressor.compress(body),
                compressor.compress(b"\r\n\r\n"),
                compressor.flush(),
            )
        )
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


def _sha1(digest: hashlib._Hash) -> str:
    return "sha1:" + base64.b32encode(digest.digest()).decode()


def read_record(directory: Path, location: WarcLocation) -> bytes:
    """The uncompressed WARC record at *location* (for tests and tools)."""
    with open(os.path.join(directory, location.file), "rb") as f:
        f.seek(location.offset)
        data = f.read(location.length)
    return zlib.decompress(data, zlib.MAX_WBITS + 16)
