"""The layout scoring on synthetic boxes: no browser. A page is drawn as link boxes the way
Chromium would report them (1280 px wide), with DOM paths that say which element holds
which link."""

from __future__ import annotations

import pytest

from benchcrawl.lists.detect import detect
from benchcrawl.lists.layout import blocks, candidates, main_list
from benchcrawl.lists.rendered import Link, Page, Region, page_from_layout

BASE = "http://127.0.0.1:8000/"
BLUE = "rgb(0, 0, 238)"


def link(
    path: tuple[int, ...],
    href: str,
    x: float,
    y: float,
    text: str = "",
    w: float = 200.0,
    size: float = 16.0,
) -> Link:
    return Link(BASE + href, text or f"An item called {href}", x, y, w, 19.0, size, 400, BLUE, path)


def header(y: float = 20.0) -> list[Link]:
    """A menu bar: five links on one line at the top, in <nav> (element 2)."""
    return [link((0, 1, 2, 10 + i), f"nav{i}", 300 + 120 * i, y, "Menu", w=60) for i in range(5)]


def sidebar(n: int, x: float = 20.0) -> list[Link]:
    """A narrow column at the left edge (element 3), one link a line."""
    return [
        link((0, 1, 3, 30, 100 + i), f"side{i}", x, 150 + 22 * i, "Topic", w=120) for i in range(n)
    ]


def main(n: int, y0: float = 150.0, pitch: float = 24.0, x: float = 300.0) -> list[Link]:
    """The list: a <ul> (element 50) in the main column (4), one item a line."""
    return [link((0, 1, 4, 50, 1000 + i), f"item{i}.html", x, y0 + pitch * i) for i in range(n)]


def footer(y: float) -> list[Link]:
    return [link((0, 1, 5, 60 + i), f"foot{i}", 300 + 200 * i, y, "Legal") for i in range(3)]


def page(links: list[Link], height: float = 2000.0, regions: tuple[Region, ...] = ()) -> Page:
    ordered = [Link(**{**vars(lk), "order": i}) for i, lk in enumerate(links)]
    return Page(BASE + "list.html", 1280.0, height, tuple(ordered), regions)


def items(n: int) -> list[str]:
    return [f"{BASE}item{i}.html" for i in range(n)]


def test_the_main_list_beats_the_menu_the_sidebar_and_the_footer() -> None:
    # the sidebar has more links than the list: its place, not its count, rules it out
    links = header() + sidebar(60) + main(30) + footer(1950)
    assert main_list(page(links)) == items(30)


def test_a_narrow_list_alone_on_the_page_is_the_page() -> None:
    # the same column at the left edge, with nothing beside it: no sidebar discount
    assert main_list(page(header() + main(30, x=10.0) + footer(1950))) == items(30)


def test_links_to_the_page_itself_and_mailto_are_never_items() -> None:
    own = [
        Link(
            BASE + "list.html#s" + str(i),
            "Section",
            300,
            150 + 24 * i,
            200,
            19,
            path=(0, 1, 4, 50, 9),
        )
        for i in range(40)
    ]
    mail = Link("mailto:a@b.c", "Write", 300, 1200, 100, 19, path=(0, 1, 4, 51))
    found = candidates(page(own + [mail] + main(10, y0=1300)))
    assert [lk.href for lk in found] == items(10)


def test_a_gap_of_a_few_lines_and_a_heading_do_not_cut_the_list() -> None:
    # two runs of one list, a heading's height (3 lines) apart, joined again
    first = main(20)
    second = [
        link((0, 1, 4, 51, 2000 + i), f"item{20 + i}.html", 300, 150 + 24 * 20 + 70 + 24 * i)
        for i in range(20)
    ]
    assert main_list(page(header() + first + second)) == items(40)


def test_side_by_side_columns_are_one_list_in_reading_order() -> None:
    left = [
        link((0, 1, 4, 50, 70, 1000 + i), f"item{i}.html", 300, 150 + 24 * i) for i in range(20)
    ]
    right = [
        link((0, 1, 4, 50, 71, 2000 + i), f"item{20 + i}.html", 700, 150 + 24 * i)
        for i in range(20)
    ]
    found = blocks(left + right)
    assert len(found) == 1
    assert main_list(page(header() + left + right)) == items(40)


def test_a_jump_up_cuts_a_run() -> None:
    # the second half sits above the first, where the page's layout went back up
    first = main(10, y0=800)
    second = [link((0, 1, 4, 50, 2000 + i), f"x{i}", 300, 150 + 24 * i) for i in range(10)]
    assert len(blocks(first + second)) == 2


def test_kind_and_content_region() -> None:
    article = Region((0, 1, 4), "main#text", 300, 100, 700, 1800, 9000, 200)
    body = Region((0, 1), "body", 0, 0, 1280, 2000, 10000, 900)
    # an article: lots of prose, a short "see also" list
    detail = detect(page(header() + main(6, y0=1500) + footer(1950), regions=(body, article)))
    assert detail.kind == "detail"
    assert detail.content is not None and detail.content.css == "main#text"
    # a list page: the list runs down the page
    listing = detect(page(header() + main(70) + footer(1950), regions=(body,)))
    assert listing.kind == "list"
    assert listing.items == items(70)


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"links": [{"href": "http://h/", "x": 1, "y": 2, "w": 3}]},
        {"links": [{"href": "http://h/", "x": "NaN", "y": 2, "w": 3, "h": 4}]},
        {"links": [{"href": "http://h/", "x": 1, "y": 2, "w": 3, "h": 4, "font_weight": 1e400}]},
    ],
)
def test_malformed_layout_data_is_a_value_error_that_says_so(data: object) -> None:
    with pytest.raises(ValueError, match="the page's layout data is malformed"):
        page_from_layout(data)


def test_a_link_whose_url_does_not_parse_is_no_item() -> None:
    bad = Link("http://[oops", "Broken", 300, 100, 200, 19, path=(0, 1, 4, 50, 7))
    assert [lk.href for lk in candidates(page([bad, *main(3, y0=130)]))] == items(3)


def test_a_column_of_another_length_beside_the_list_is_not_a_column_of_it() -> None:
    # level with the list, as wide, in its style, but twice as long: not the list's column
    links = main(20) + [
        link((0, 1, 6, 80, 3000 + i), f"other{i}", 700, 150 + 24 * i) for i in range(40)
    ]
    assert len(blocks(links)) == 2


def test_a_short_list_on_a_short_page_is_a_list() -> None:
    # six books on a title page: the list is short, but its links are most of the text
    body = Region((0, 1), "body", 0, 0, 1280, 2000, 300, 150)
    found = detect(page(header() + main(6, y0=400), regions=(body,)))
    assert found.kind == "list"
    # the same six links under 9,000 characters of prose: an article's "see also"
    prose = Region((0, 1), "body", 0, 0, 1280, 2000, 9000, 150)
    assert detect(page(header() + main(6, y0=400), regions=(prose,))).kind == "detail"
