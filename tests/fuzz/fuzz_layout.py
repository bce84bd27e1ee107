"""Fuzz the list detector's reading of a page's layout (``benchcrawl.lists.layout``): the
JSON ``collect.js`` returns, which the page itself can shape (it can redefine the DOM
methods the script calls).

Contract: ``page_from_layout`` raises only ValueError; on a page it returns, ``detect``
returns a kind of ``list`` or ``detail`` and items that are the page's own link URLs.
"""

from __future__ import annotations

import json

import atheris
from _harness import main

with atheris.instrument_imports(include=["benchcrawl"]):
    from benchcrawl.lists.detect import detect
    from benchcrawl.lists.rendered import page_from_layout


def one_input(data: bytes) -> None:
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError):
        return
    try:
        page = page_from_layout(raw)
    except ValueError:
        return
    found = detect(page)
    assert found.kind in ("list", "detail")
    assert set(found.items) <= {link.href for link in page.links}


if __name__ == "__main__":
    main(one_input)
