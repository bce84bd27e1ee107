"""Seed files nobody means to write: linear time and a BadLine, never an exception."""

from __future__ import annotations

import encodings.idna

import pytest

from benchcrawl.broad.seeds import normalize_host, parse_line, parse_seeds
from tests.support.growth import LINEAR, doubling_ratio


@pytest.mark.timeout(10)
def test_a_huge_non_ascii_host_is_refused_before_idna(monkeypatch) -> None:
    # CPython's punycode is quadratic: this line took 26 s before the length check
    line = "".join(chr(0x4E00 + i) for i in range(16_000)) + ".com\n"
    encoded: list[int] = []
    to_ascii = encodings.idna.ToASCII
    monkeypatch.setattr(
        encodings.idna, "ToASCII", lambda label: encoded.append(len(label)) or to_ascii(label)
    )
    seeds, bad = parse_seeds([line, "example.com\n"])
    assert max(encoded, default=0) <= 63  # the quadratic punycode step never ran on it
    assert [s.domain for s in seeds] == ["example.com"]
    assert bad[0].line == 1 and "longer than 253" in bad[0].reason


@pytest.mark.timeout(60)
def test_comments_and_long_lines_are_linear() -> None:
    lines = [" #" * 100_000 + "\n", "a" * 1_000_000 + "\n", "x.com" + " #" * 50_000 + "\n"]
    seeds, bad = parse_seeds(lines)
    assert [s.url for s in seeds] == ["http://x.com/"]
    assert [b.line for b in bad] == [2]
    sized = {
        n: [" #" * n + "\n", "a" * (10 * n) + "\n", "x.com" + " #" * (n // 2) + "\n"]
        for n in (50_000, 200_000)
    }
    assert doubling_ratio(lambda n: parse_seeds(sized[n]), 50_000) < LINEAR


def test_a_label_with_a_newline_is_not_a_host() -> None:
    # the old _LABEL regex ended with $, which also matches before a final newline
    with pytest.raises(ValueError):
        normalize_host("a\n.com")
    # a "#" inside a word is no comment: here it starts the fragment, which is dropped
    assert parse_line("a#b.com # comment") == ("http://a/", "a")
