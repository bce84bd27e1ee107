"""Benchmark: precision and recall of ``scrapy lists detect`` on real pages.

Pages: those of ``bench/lists_oracle.toml``, from Debian's documentation packages under
``/usr/share/doc`` (a page whose package is absent is skipped and named), served as they
are by nginx on a loopback host and laid out by Chromium in a 1280x900 window. The oracle
of each page is the hand-written CSS selector of the file, applied to the static HTML with
parsel (the items are the ``href`` of the ``<a>`` it selects, resolved against the page's
URL), never the detector's output. Precision and recall are over distinct URLs. For a
detail page: whether ``--kind`` says ``detail`` and whether the content region found is
the oracle's element (or an element inside it holding at least 80% of its text).

    python bench/lists_detect.py [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.broad_manuals import Manual, ManualsFarm  # noqa: E402

DOC_ROOT = Path("/usr/share/doc")
ORACLE = Path(__file__).resolve().parent / "lists_oracle.toml"
HOST = "127.0.0.73"


@dataclass(frozen=True)
class OraclePage:
    path: str  # under /usr/share/doc
    package: str
    kind: str  # "list" or "detail"
    items: str = ""  # CSS selector of the main list's links (a list page)
    content: str = ""  # CSS selector of the main content element (a detail page)
    held_out: bool = False  # added after the detector's last change, measured untuned

    @property
    def file(self) -> Path:
        return DOC_ROOT / self.path


def load_oracle(path: Path = ORACLE) -> list[OraclePage]:
    with path.open("rb") as f:
        return [OraclePage(**entry) for entry in tomllib.load(f)["page"]]


def _selector(page: OraclePage):  # type: ignore[no-untyped-def]
    from parsel import Selector

    # bytes, not text: lxml refuses a str that starts with an XML declaration
    return Selector(body=page.file.read_bytes(), type="html")


def oracle_items(page: OraclePage, url: str) -> list[str]:
    """The main list's item URLs by the hand oracle, in page order, each once, spelled as a
    browser's ``a.href`` spells them (a space in an ``href`` is ``%20``: w3lib's
    ``safe_url_string``)."""
    from w3lib.url import safe_url_string

    sel = _selector(page)
    base = sel.css("base::attr(href)").get()
    base_url = urljoin(url, base.strip()) if base else url
    hrefs = sel.css(page.items).xpath("@href").getall()
    found = [safe_url_string(urljoin(base_url, h.strip())) for h in hrefs]
    return list(dict.fromkeys(found))


def precision_recall(found: list[str], expected: list[str]) -> tuple[float, float]:
    got, want = set(found), set(expected)
    hit = len(got & want)
    precision = hit / len(got) if got else (1.0 if not want else 0.0)
    recall = hit / len(want) if want else 1.0
    return precision, recall


def content_matches(page: OraclePage, css: str) -> bool:
    """Whether *css* (the detector's content region) selects the oracle's element, or an
    element inside it that holds at least 80% of its text."""
    sel = _selector(page)
    want = sel.css(page.content)
    got = sel.css(css)
    if not want or not got:
        return False

    def chars(s) -> int:  # type: ignore[no-untyped-def]
        return len("".join(s.xpath(".//text()").getall()).split())

    inside = got[0].xpath("ancestor-or-self::*")
    if want[0].root not in [a.root for a in inside]:
        return False
    return chars(got[0]) >= 0.8 * chars(want[0])


def main() -> None:
    from benchcrawl.lists.browser import collect_layout
    from benchcrawl.lists.detect import detect
    from benchcrawl.lists.rendered import page_from_layout

    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="pages whose path contains this")
    args = parser.parse_args()
    pages = [p for p in load_oracle() if args.only in p.path]
    tmp = Path(tempfile.mkdtemp(prefix="lists-detect-"))
    rows = []
    with ManualsFarm(tmp / "farm", {HOST: Manual(DOC_ROOT)}) as farm:
        for page in pages:
            if not page.file.is_file():
                print(f"skipped {page.path}: install {page.package}", file=sys.stderr)
                continue
            url = farm.url(HOST, "/" + page.path)
            found = detect(page_from_layout(collect_layout(url)))
            if page.kind == "list":
                expected = oracle_items(page, url)
                p, r = precision_recall(found.items, expected)
                counts = f"{len(found.items)} / {len(expected)}"
                rows.append((page.path, found.kind, counts, f"{p:.3f}", f"{r:.3f}", ""))
            else:
                ok = found.content is not None and content_matches(page, found.content.css)
                css = found.content.css if found.content else "-"
                rows.append((page.path, found.kind, "", "", "", f"{'yes' if ok else 'NO'} `{css}`"))
    print("| page | oracle kind | --kind | found / oracle | precision | recall | content region |")
    print("|---|---|---|---:|---:|---:|---|")
    by_path = {p.path: p for p in pages}
    for path, kind, counts, p, r, content in rows:
        name = f"{path} (held out)" if by_path[path].held_out else path
        print(f"| {name} | {by_path[path].kind} | {kind} | {counts} | {p} | {r} | {content} |")


if __name__ == "__main__":
    main()
