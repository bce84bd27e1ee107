"""WARC output: records warcio can read back, offsets that seek, truncation marked, rotation."""

from __future__ import annotations

from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from benchcrawl.storage.warc import WarcArchive, read_record

HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Encoding", "gzip"),  # the stored body is decoded: dropped
    ("Content-Length", "99999"),  # replaced by the stored length
]


def test_records_read_back_with_warcio_and_by_offset(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, "broad-test", max_size=1 << 30, gzip_level=1)
    first = archive.write("http://a.test/", 200, HEADERS, b"<html>first</html>")
    second = archive.write("http://a.test/big", 200, HEADERS, b"x" * 1000, truncated=True)
    archive.close()
    assert first.file == second.file and second.offset == first.offset + first.length

    with open(tmp_path / first.file, "rb") as f:
        records = []
        for record in ArchiveIterator(f, check_digests="raise"):  # a wrong digest raises
            assert record.content_stream().read() in (b"<html>first</html>", b"x" * 1000)
            records.append(record)
    assert [r.rec_headers.get_header("WARC-Target-URI") for r in records] == [
        "http://a.test/",
        "http://a.test/big",
    ]
    assert records[0].rec_type == "response"
    assert records[0].http_headers.get_statuscode() == "200"
    assert records[0].http_headers.get_header("Content-Encoding") is None
    assert records[0].http_headers.get_header("Content-Length") == "18"
    assert records[1].rec_headers.get_header("WARC-Truncated") == "length"
    assert records[0].rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")

    raw = read_record(tmp_path, second)
    assert raw.startswith(b"WARC/1.0\r\n") and raw.rstrip().endswith(b"x" * 1000)


def test_files_rotate_past_max_size(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, "broad-test", max_size=2000, gzip_level=0)
    names = {archive.write(f"http://a.test/{i}", 200, [], b"y" * 2500).file for i in range(4)}
    archive.close()
    assert len(names) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_records_are_the_ones_warcio_writes(tmp_path: Path) -> None:
    """Byte for byte what warcio's own writer makes of the same page (but the record's id
    and date), a non-ASCII header value percent-encoded as warcio does."""
    import io
    import re

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = b"<html>hello</html>"
    archive = WarcArchive(tmp_path, "broad-test", max_size=1 << 30, gzip_level=1)
    cases = []
    for headers in (HEADERS, [*HEADERS, ("X-Name", "caf\u00e9")], []):
        for truncated in (False, True):
            buffer = io.BytesIO()
            writer = WARCWriter(buffer, gzip=False)
            kept = [
                (k, v)
                for k, v in headers
                if k.lower() not in ("content-encoding", "content-length")
            ]
            record = writer.create_warc_record(
                "http://a.test/x",
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                warc_headers_dict={"WARC-Truncated": "length"} if truncated else None,
                http_headers=StatusAndHeaders(
                    "200", [*kept, ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
                ),
            )
            writer.write_record(record)
            where = archive.write("http://a.test/x", 200, headers, body, truncated=truncated)
            cases.append((where, buffer.getvalue()))
    archive.close()
    varying = re.compile(rb"urn:uuid:[0-9a-f-]+|WARC-Date: \S+")
    for where, expected in cases:
        assert varying.sub(b"", read_record(tmp_path, where)) == varying.sub(b"", expected)
