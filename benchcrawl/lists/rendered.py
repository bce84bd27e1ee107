"""What the browser saw, as plain data: the visible links and text regions of a page as
``collect.js`` reports them, read with :func:`page_from_layout` (the page can shape that
answer, so it is read as untrusted input)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Link:
    """One visible link as the browser laid it out (page coordinates, CSS pixels)."""

    href: str
    text: str
    x: float
    y: float
    w: float
    h: float
    font_size: float = 16.0
    font_weight: int = 400
    color: str = ""
    path: tuple[int, ...] = ()  # element numbers from <html> down to the <a>
    first: tuple[float, float, float, float] | None = None  # x, y, w, h of its first line
    last: tuple[float, float, float, float] | None = None  # ... and of its last line
    order: int = 0  # its place in the page (DOM order)

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def style(self) -> tuple[float, int, str]:
        return (round(self.font_size), self.font_weight, self.color)

    @property
    def head(self) -> tuple[float, float, float, float]:
        """The box of its first line (a link wrapped over lines has one per line)."""
        return self.first or (self.x, self.y, self.w, self.h)

    @property
    def tail(self) -> tuple[float, float, float, float]:
        """The box of its last line."""
        return self.last or (self.x, self.y, self.w, self.h)


@dataclass(frozen=True)
class Region:
    """An element holding a share of the page's visible text (a content-region candidate)."""

    path: tuple[int, ...]
    css: str
    x: float
    y: float
    w: float
    h: float
    text_chars: int  # visible text outside links
    link_chars: int  # visible text inside links


@dataclass(frozen=True)
class Page:
    url: str
    viewport_width: float
    page_height: float
    links: tuple[Link, ...]
    regions: tuple[Region, ...] = ()


def page_from_layout(data: Any) -> Page:
    """A :class:`Page` from ``collect.js``'s answer. The page can change what the script
    sees, so the answer is untrusted: unknown keys are ignored, and a missing or wrong one
    is a ValueError naming it."""
    try:
        return _page(data)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
        raise ValueError(f"the page's layout data is malformed ({type(e).__name__}: {e})") from e


def _number(value: Any) -> float:
    """A finite float (a page can report NaN or infinite boxes)."""
    x = float(value)
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {value!r}")
    return x


def _geometry(d: dict[str, Any]) -> dict[str, float]:
    """A box's ``x``, ``y``, ``w`` and ``h``, each a finite number."""
    return {k: _number(d[k]) for k in ("x", "y", "w", "h")}


def _page(data: dict[str, Any]) -> Page:
    links = tuple(
        Link(
            href=str(d["href"]),
            text=str(d.get("text", "")),
            **_geometry(d),
            font_size=_number(d.get("font_size", 16)),
            font_weight=int(d.get("font_weight", 400)),
            color=str(d.get("color", "")),
            path=tuple(int(i) for i in d.get("path", ())),
            first=_box(d.get("first")),
            last=_box(d.get("last")),
            order=i,
        )
        for i, d in enumerate(data.get("links", ()))
    )
    regions = tuple(
        Region(
            path=tuple(int(i) for i in d.get("path", ())),
            css=str(d.get("css", "")),
            **_geometry(d),
            text_chars=int(d.get("text_chars", 0)),
            link_chars=int(d.get("link_chars", 0)),
        )
        for d in data.get("blocks", ())
    )
    return Page(
        url=str(data.get("url", "")),
        viewport_width=_number(data.get("viewport_width") or 1280),
        page_height=_number(data.get("page_height") or 1),
        links=links,
        regions=regions,
    )


def _box(value: Any) -> tuple[float, float, float, float] | None:
    if not isinstance(value, list | tuple) or len(value) != 4:
        return None
    x, y, w, h = (_number(v) for v in value)
    return (x, y, w, h)
