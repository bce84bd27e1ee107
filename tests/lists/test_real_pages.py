"""``scrapy lists detect`` on real pages from Debian's documentation packages, served as
they are by nginx on loopback and laid out by a real Chromium, against the hand oracle of
bench/lists_oracle.toml (a CSS selector per page, read from the page's own markup)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.broad_manuals import Manual, ManualsFarm
from bench.lists_detect import DOC_ROOT, load_oracle, oracle_items, precision_recall
from benchcrawl.browser.launch import chromium_executable

HOST = "127.0.0.74"
REPO = Path(__file__).resolve().parents[2]
# three list pages of three layouts (a Sphinx toctree beside a sidebar, an index in
# columns, a DocBook table of contents) and one detail page
PAGES = {p.path: p for p in load_oracle()}
CHOSEN = [
    "python3.11/html/whatsnew/index.html",
    "python3.11/html/genindex-A.html",
    "postgresql-doc-15/html/release.html",
]

pytestmark = pytest.mark.skipif(
    not chromium_executable() and not shutil.which("chromium"), reason="no Chromium"
)


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with ManualsFarm(tmp_path_factory.mktemp("lists") / "farm", {HOST: Manual(DOC_ROOT)}) as f:
        yield f


def detect(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "lists", "detect", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("path", CHOSEN)
def test_the_main_list_matches_the_hand_oracle(farm: ManualsFarm, path: str) -> None:
    page = PAGES[path]
    if not page.file.is_file():
        pytest.skip(f"{page.package} is not installed (ops/install.sh installs it)")
    url = farm.url(HOST, "/" + path)
    done = detect(url)
    assert done.returncode == 0, done.stderr
    found = done.stdout.splitlines()
    assert found and all(line.startswith(("http://", "https://")) for line in found), found[:5]
    expected = oracle_items(page, url)
    precision, recall = precision_recall(found, expected)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    # page order: the oracle's order, for the items both have
    both = set(found) & set(expected)
    assert [u for u in found if u in both] == [u for u in expected if u in both]
    assert detect("--kind", url).stdout == "list\n"


def test_a_detail_page_and_its_content_region(farm: ManualsFarm) -> None:
    page = PAGES["postgresql-doc-15/html/sql-select.html"]
    if not page.file.is_file():
        pytest.skip(f"{page.package} is not installed (ops/install.sh installs it)")
    url = farm.url(HOST, "/" + page.path)
    assert detect("--kind", url).stdout == "detail\n"
    assert detect("--content", url).stdout == "div#SQL-SELECT\n"


def test_a_page_that_cannot_be_loaded_is_one_sentence(farm: ManualsFarm) -> None:
    done = detect(farm.url(HOST, "/no/such/page.html"))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().endswith("answered HTTP 404")
    assert len(done.stderr.strip().splitlines()) == 1
