"""What a fetched page is: HTML to parse or something to store only, and its size cap."""

from __future__ import annotations

_HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def truncate(body: bytes, limit: int) -> tuple[bytes, bool]:
    """The first *limit* bytes and whether anything was cut (``limit`` 0: no cap)."""
    if limit and len(body) > limit:
        return body[:limit], True
    return body, False


def is_html(content_type: bytes | None) -> bool:
    """From the Content-Type header; a missing one is treated as HTML (sniffing is left
    to the parser, which copes with anything)."""
    if not content_type:
        return True
    mime = content_type.split(b";", 1)[0].strip().lower()
    return mime in _HTML_TYPES
