"""List page or detail page, and a detail page's main content region: pure functions over
:class:`~benchcrawl.lists.layout.Page`, on top of the main list of
:mod:`benchcrawl.lists.layout`.

- The **content region** is the deepest element that still holds most (``CONTENT_SHARE``)
  of the page's visible text outside links: the article, not the page around it.
- A page is a **list** when its main list has ``MIN_ITEMS`` distinct links or more and
  either runs down much of the page (from its first to its last link at least
  ``LIST_HEIGHT`` of the page's height) or its links' text is at least ``LIST_TEXT`` of
  the page's visible text outside links (a short list on a short page). An article has a
  best block of links too (a "see also" list, a sidebar), but a short one, its text
  dwarfed by the prose (2% or less on the measured pages; lists: 13% or more).
"""

from __future__ import annotations

from dataclasses import dataclass

from benchcrawl.lists.layout import ranked
from benchcrawl.lists.rendered import Page, Region

#: the content region holds at least this share of the page's text outside links
CONTENT_SHARE = 0.8
#: a list page's main list has at least this many distinct links
MIN_ITEMS = 5
#: ... and is at least this share of the page's height, top to bottom
LIST_HEIGHT = 0.4
#: ... or its links' text is at least this share of the page's text outside links
LIST_TEXT = 0.05


@dataclass(frozen=True)
class Detection:
    kind: str  # "list" or "detail"
    items: list[str]  # the main list's item URLs, in page order
    content: Region | None  # the main content region
    list_chars: int  # text in the main list's links
    text_chars: int  # visible text outside links, the whole page


def content_region(page: Page) -> Region | None:
    """The deepest region holding ``CONTENT_SHARE`` of the page's text outside links."""
    if not page.regions:
        return None
    total = max(r.text_chars for r in page.regions)
    if total <= 0:
        return None
    held = [r for r in page.regions if r.text_chars >= CONTENT_SHARE * total and r.w * r.h > 0]
    if not held:
        return None
    return max(held, key=lambda r: (len(r.path), -r.w * r.h))


def detect(page: Page) -> Detection:
    best = ranked(page)
    items = best[0].block.urls() if best else []
    list_chars = sum(len(link.text.strip()) for link in best[0].block.links) if best else 0
    text_chars = max((r.text_chars for r in page.regions), default=0)
    height = best[0].block.bottom - best[0].block.top if best else 0.0
    tall = height >= LIST_HEIGHT * max(page.page_height, 1.0)
    is_list = len(items) >= MIN_ITEMS and (tall or list_chars >= LIST_TEXT * text_chars)
    return Detection(
        kind="list" if is_list else "detail",
        items=items,
        content=content_region(page),
        list_chars=list_chars,
        text_chars=text_chars,
    )
