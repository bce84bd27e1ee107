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
        records = list(ArchiveIterator(f))
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
