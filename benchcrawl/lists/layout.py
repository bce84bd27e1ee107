"""Find a page's main list of links from its rendered layout: pure functions over the plain
data ``collect.js`` returns (link boxes, fonts, colours, DOM paths), no browser here.

The method, in three steps:

1. **Runs.** Links are read in page (DOM) order and kept together while the layout says
   they belong together: the next link sits on the same line just to the right, or on a
   following line within a few line heights, starting at the run's left edge or indented
   from it (a nested list), and inside the run's container (the deepest element holding
   its first link and the first one below it at the same left edge: the list's second
   item). A jump up, sideways or far down, or out of the container, starts a new run.
2. **Blocks.** Runs are joined when the layout repeats: side-by-side columns that start at
   the same height in the same style, alike in width and length (an index in two
   columns), or a run that continues
   an earlier one below it at the same left edge, the same depth in the DOM and the same
   style, after a heading or a short paragraph (an index by letter).
3. **Score.** Each block is scored by its count of links, discounted when its place and
   shape are those of navigation: a single line (a menu or breadcrumb bar), a small block
   at the page's top or bottom edge (header, footer, "previous / next"), a narrow column
   at the left or right edge (a sidebar), links of a word or two. The best block is the
   main list.

Links to the page itself (``#fragment`` only: a table of contents of this page, "skip to
content") and non-HTTP links (``mailto:``, ``javascript:``) are never items.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urldefrag, urlsplit

from benchcrawl.lists.rendered import Link, Page, Region


@dataclass
class Block:
    """Links that the layout groups together, in page order."""

    links: list[Link] = field(default_factory=list)
    container: int = 0  # depth of the run's container (0: not known yet)
    # (its geometry is cached: a block is not changed once its run is cut)

    @cached_property
    def left(self) -> float:
        return min(link.x for link in self.links)

    @cached_property
    def right(self) -> float:
        return max(link.right for link in self.links)

    @cached_property
    def top(self) -> float:
        return min(link.y for link in self.links)

    @cached_property
    def bottom(self) -> float:
        return max(link.bottom for link in self.links)

    @cached_property
    def line_height(self) -> float:
        return statistics.median(link.h for link in self.links)

    @cached_property
    def lines(self) -> int:
        return len({round(link.y / max(self.line_height / 2, 1)) for link in self.links})

    @cached_property
    def style(self) -> tuple[float, int, str]:
        return statistics.mode(link.style for link in self.links)

    def urls(self) -> list[str]:
        return list(dict.fromkeys(link.href for link in self.links))


# --- step 0: which links can be items ----------------------------------------------------
def candidates(page: Page) -> list[Link]:
    """The links that can be list items: HTTP(S), not to the page itself, with a box. A
    URL that does not parse (``http://[``) is no item."""
    try:
        here = urldefrag(page.url)[0]
    except ValueError:
        here = ""
    out = []
    for link in page.links:
        try:
            scheme = urlsplit(link.href).scheme
        except ValueError:
            continue
        if scheme not in ("http", "https"):
            continue
        if here and urldefrag(link.href)[0] == here:
            continue
        if not link.text.strip() and link.w * link.h < 100:
            continue
        out.append(link)
    return out


def _shared(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# --- step 1: runs ------------------------------------------------------------------------
#: how far below the previous line the next one may start, in line heights
MAX_LINE_GAP = 4.0
#: how far right of the run's left edge a following line may start (nested lists)
MAX_INDENT = 160.0
#: how far right of the previous link the next one on the same line may start
MAX_INLINE_GAP = 300.0


def _continues(run: list[Link], left: float, right: float, container: int, link: Link) -> bool:
    if container and _shared(run[0].path, link.path) < container:
        return False
    px, py, pw, ph = run[-1].tail
    x, y, w, h = link.head
    if abs((y + h / 2) - (py + ph / 2)) < max(ph, h) / 2:  # the same line
        return px + pw - 2 <= x <= px + pw + MAX_INLINE_GAP
    gap = y - (py + ph)
    line = max(ph, h, 8.0)
    if gap < -line / 2 or gap > MAX_LINE_GAP * line:
        return False
    if left - 8 <= x <= left + MAX_INDENT:
        return True
    # a line whose link follows a term ("term, link"): it starts under the run's links
    return x < right and x + w > left


def runs(links: Iterable[Link]) -> list[Block]:
    """Step 1: links in page order cut where the layout breaks (see the module docstring)."""
    out: list[Block] = []
    run: list[Link] = []
    left = right = 0.0
    container = 0
    for link in links:
        if run and _continues(run, left, right, container, link):
            first = run[0]
            aligned = abs(link.head[0] - first.head[0]) < 3
            if not container and link.head[1] >= first.bottom - 1 and aligned:
                container = _shared(first.path, link.path)
            run.append(link)
            left, right = min(left, link.x), max(right, link.right)
            continue
        if run:
            out.append(Block(run, container))
        run, left, right, container = [link], link.x, link.right, 0
    if run:
        out.append(Block(run, container))
    return out


# --- step 2: blocks ----------------------------------------------------------------------
def _depth(block: Block) -> int:
    """The DOM depth of most of the block's links."""
    return statistics.mode(len(link.path) for link in block.links)


def _columns(a: Block, b: Block) -> bool:
    """Side by side, starting level, in one style, alike in width and balanced in length:
    one list set in columns (not a sidebar beside the content)."""
    lh = max(a.line_height, b.line_height)
    wa, wb = a.right - a.left, b.right - b.left
    ha, hb = a.bottom - a.top, b.bottom - b.top
    return (
        a.lines >= 3
        and b.lines >= 3
        and abs(a.top - b.top) < 2 * lh
        and b.left >= a.right - 2
        and a.style == b.style
        and max(wa, wb) <= 1.5 * max(min(wa, wb), 1.0)
        and abs(ha - hb) <= 0.15 * max(ha, hb)
    )


def _joins(big: Block, small: Block) -> bool:
    """Whether *small* is more of *big*: in its style, level with it or just above or below
    it, starting under its links (in it: a run cut short; below or above it: the list
    going on after a heading, at the same DOM depth)."""
    if big.style != small.style or small.left >= big.right or small.right <= big.left:
        return False
    if small.top >= big.top - 1 and small.bottom <= big.bottom + 1:
        return True
    lh = max(big.line_height, small.line_height)
    near = 0 <= small.top - big.bottom < 16 * lh or 0 <= big.top - small.bottom < 16 * lh
    return (
        near
        and big.lines >= 2
        and small.lines >= 2
        and abs(big.left - small.left) <= MAX_INDENT
        and _depth(big) == _depth(small)
    )


def _merge(a: Block, b: Block) -> Block:
    links = sorted(a.links + b.links, key=lambda link: link.order)
    return Block(links, a.container)


def blocks(links: Iterable[Link]) -> list[Block]:
    """Step 2: runs joined where the layout repeats (columns, then a list going on)."""
    out = runs(links)
    i = 0
    while i < len(out) - 1:  # side-by-side columns, left to right
        if _columns(out[i], out[i + 1]):
            out[i : i + 2] = [_merge(out[i], out[i + 1])]
        else:
            i += 1
    done: list[Block] = []
    rest = sorted(out, key=lambda b: -len(b.links))
    while rest:  # the biggest block takes in what continues it; each pass removes one
        big = rest.pop(0)
        grown = True
        while grown:
            grown = False
            for k, small in enumerate(rest):
                if _joins(big, small):
                    big = _merge(big, rest.pop(k))
                    grown = True
                    break
        done.append(big)
    return sorted(done, key=lambda b: b.links[0].order)


# --- step 3: score -----------------------------------------------------------------------
#: the band at the top and at the bottom of the page where small blocks are navigation
EDGE_BAND = 220.0


@dataclass(frozen=True)
class Scored:
    block: Block
    score: float
    why: tuple[str, ...]  # the discounts applied


def _beside(block: Block, other: Block | Region) -> bool:
    """Whether *other* lies left or right of *block*, level with some of it."""
    top, bottom = other.y if isinstance(other, Region) else other.top, 0.0
    if isinstance(other, Region):
        left, right, bottom = other.x, other.x + other.w, other.y + other.h
    else:
        left, right, bottom = other.left, other.right, other.bottom
    level = top < block.bottom and bottom > block.top
    return level and (left >= block.right - 2 or right <= block.left + 2)


def score(block: Block, page: Page, others: Sequence[Block] = ()) -> Scored:
    """Step 3: the block's count of distinct links, discounted for navigation's shapes. A
    narrow block at a side is a sidebar when text or another block of links is beside it
    (*others*: the page's blocks); alone on the page, it is the page."""
    n = len(block.urls())
    width = max(page.viewport_width, 1.0)
    height = max(page.page_height, block.bottom, 1.0)
    factor, why = 1.0, []
    if block.lines <= 1 and n > 1:
        factor *= 0.2
        why.append("one line")
    if block.lines <= 3 and (block.bottom <= EDGE_BAND or block.top >= height - EDGE_BAND):
        factor *= 0.2
        why.append("small, at the top or bottom edge")
    if (
        block.right - block.left < 0.25 * width
        and (block.left < 0.12 * width or block.right > 0.88 * width)
        and (
            any(_beside(block, r) for r in page.regions)
            or any(len(o.links) >= 5 and _beside(block, o) for o in others if o is not block)
        )
    ):
        factor *= 0.3
        why.append("narrow, at a side")
    mean_text = statistics.fmean(len(link.text.strip()) for link in block.links)
    if mean_text < 8:
        factor *= 0.4 + 0.6 * mean_text / 8
        why.append("short link texts")
    return Scored(block, n * factor, tuple(why))


def ranked(page: Page) -> list[Scored]:
    """Every block of *page*, best first."""
    found = blocks(candidates(page))
    scored = [score(b, page, found) for b in found]
    return sorted(scored, key=lambda s: -s.score)


def main_list(page: Page) -> list[str]:
    """The item URLs of the page's main list, in page order, each once; [] when the page
    has no links that can be items."""
    best = ranked(page)
    return best[0].block.urls() if best else []
