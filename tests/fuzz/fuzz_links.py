"""Fuzz link extraction and the plain-link fast path (``benchcrawl.broad.links``).

Contract: ``extract_links`` never raises and returns canonical http(s) URLs;
``fast_canonical`` never raises and, when it answers, agrees with w3lib.
"""

from __future__ import annotations

from urllib.parse import urljoin

import atheris
from _harness import main

with atheris.instrument_imports(include=["benchcrawl"]):
    from w3lib.url import canonicalize_url

    from benchcrawl.broad.links import extract_links, fast_canonical

ORIGIN = "http://127.0.0.11:8080"
PAGE = ORIGIN + "/dir/page.html"


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    if mode == 0:  # a whole page, bytes as fetched
        links = extract_links(fdp.ConsumeBytes(fdp.remaining_bytes()), PAGE)
        assert all(link.startswith(("http://", "https://")) for link in links), links
        return
    if mode == 1:  # a page of hrefs the fuzzer writes, so they reach the canonicalizer
        hrefs = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes()).split("\n")
        html = "".join(f'<a href="{h}">x</a>' for h in hrefs)
        links = extract_links(html, PAGE)
        assert all(link.startswith(("http://", "https://")) for link in links), links
        return
    href = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())
    fast = fast_canonical(href, ORIGIN, "/dir/")
    if fast is not None:
        assert fast == canonicalize_url(urljoin(PAGE, href), keep_fragments=False), href


if __name__ == "__main__":
    main(one_input)
