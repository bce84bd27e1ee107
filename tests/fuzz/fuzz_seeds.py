"""Fuzz the seeds file parser (``benchcrawl.broad.seeds``).

Contract: ``parse_seeds`` never raises (a bad line comes back as a BadLine); every seed
is an http(s) URL whose domain is an ASCII host name; ``parse_line`` raises only
ValueError, even on text with several lines.
"""

from __future__ import annotations

import io

import atheris
from _harness import main

with atheris.instrument_imports(include=["benchcrawl"]):
    from benchcrawl.broad.seeds import parse_line, parse_seeds


def one_input(data: bytes) -> None:
    # lines split as read_seeds' open() splits them (universal newlines)
    lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace")
    seeds, bad = parse_seeds(lines)
    for seed in seeds:
        assert seed.url.startswith(("http://", "https://")), seed
        assert seed.domain.isascii() and seed.domain == seed.domain.lower(), seed
    for line in bad:
        assert line.message("seeds.txt")
    try:
        parse_line(data.decode("utf-8", "replace"))
    except ValueError:
        pass


if __name__ == "__main__":
    main(one_input)
