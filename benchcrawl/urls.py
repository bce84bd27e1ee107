"""URL checks shared by whoever turns untrusted text into a ``scrapy.Request``: the
frontier's request codec (data read back from a shared Redis) and the broad crawl's link
extractor (pages)."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

_MAX_HOST, _MAX_LABEL = 253, 63  # DNS: a name's and a label's longest


def host_too_long(url: str) -> bool:
    """True when *url* has a non-ASCII host too long for DNS, which w3lib (in
    ``canonicalize_url``, and in ``scrapy.Request`` through ``safe_url_string``) would
    IDNA-encode, in quadratic time, before finding out."""
    if url.isascii():
        return False
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host.isascii():
        return False
    host = unicodedata.normalize("NFKC", host)  # as w3lib does before encoding
    return len(host) > _MAX_HOST or any(
        len(label) > _MAX_LABEL for label in host.replace("\u3002", ".").split(".")
    )
