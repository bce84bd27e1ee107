"""The manual leads somewhere: every relative link and anchor in README.md and docs/*.md
points at a file (and heading) that exists, every docs page is linked from the README,
every ``scrapy`` command and spider the pages name exists, and every repository path they
name in backticks (``ops/install.sh``, ``bench/broad_crawl.py``, ``frontier/``) is there.

The pages are read with plain string handling: fenced blocks by their ``` lines, inline
code between backticks, links by ``](``."""

from __future__ import annotations

import importlib.util
import pkgutil
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
import scrapy.commands
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

import benchcrawl.commands
from benchcrawl.commands.versions import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# the commands whose first argument is a spider
SPIDER_COMMANDS = {"crawl", "seed", "frontier", "schedule"}
# a backticked name ending so is a file the page means to point at
FILE_ENDINGS = (".py", ".sh", ".yml", ".yaml", ".lua", ".json", ".md", ".toml", ".cfg", ".txt")
FILE_ENDINGS += (".service", ".timer", ".conf", ".example", ".png", ".html")
# folders that the install (.venv/bin/) or a sweep (DATA_DIR's) make, not the repository
MADE = {".venv", "bin", "archive", "latest", "charts", "raw", "trends"}


@dataclass(frozen=True)
class Page:
    path: Path
    prose: list[str]  # the lines outside fenced blocks
    code: list[str]  # the lines of ```bash and ```sh blocks

    @property
    def name(self) -> str:
        return str(self.path.relative_to(ROOT))


def read(path: Path) -> Page:
    prose: list[str] = []
    code: list[str] = []
    fence: str | None = None
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
            continue
        if fence is None:
            prose.append(line)
        elif fence in ("bash", "sh"):
            code.append(line)
    return Page(path, prose, code)


def inline_code(page: Page) -> list[str]:
    """The ``code`` spans of the prose (a span may not cross a line break here)."""
    spans: list[str] = []
    for line in page.prose:
        parts = line.split("`")
        spans.extend(parts[i] for i in range(1, len(parts) - 1, 2))
    return spans


def links(page: Page) -> list[str]:
    """The targets of ``[text](target)`` and ``![alt](target)`` in the prose."""
    found: list[str] = []
    for line in page.prose:
        start = line.find("](")
        while start != -1:
            end = line.find(")", start + 2)
            if end == -1:
                break
            found.append(line[start + 2 : end].strip())
            start = line.find("](", end)
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    kept = "".join(c for c in text if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out: set[str] = set()
    for line in read(path).prose:
        if not line.startswith("#"):
            continue
        base = slug(line.lstrip("#"))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def command_names() -> set[str]:
    names = set()
    for package in (scrapy.commands, benchcrawl.commands):
        names |= {m.name for m in pkgutil.iter_modules(package.__path__) if not m.ispkg}
    return {n for n in names if not n.startswith("_")}


def spider_names() -> set[str]:
    settings = Settings()
    settings.setmodule("benchcrawl.settings", priority="project")
    return set(get_spider_loader(settings).list())


def commands_in(page: Page) -> list[list[str]]:
    """Every shell command of the page's code blocks and of its inline code, as words."""
    lines = list(page.code)
    lines += [s for s in inline_code(page) if s.split(" ", 1)[0] in ("scrapy", "bash", "python")]
    out = []
    for line in lines:
        cut = line.find(" #")  # a trailing comment
        line = line[:cut] if cut != -1 else line
        if line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        # one command per piece of a pipeline or a list
        piece: list[str] = []
        for word in [*words, "|"]:
            if word in ("|", "&&", "||", ";"):
                if piece:
                    out.append(piece)
                piece = []
            else:
                piece.append(word)
    return out


def is_placeholder(word: str) -> bool:
    """``SPIDER``, ``VERSION``, ``[A``, ``<spider>``, ``-s``, ``...``: not a name to check."""
    return (
        word.isupper()
        or word.startswith(("-", "[", "<", "$", "."))
        or any(c in word for c in "|*{")
    )


def repo_paths(page: Page) -> list[str]:
    """Backticked names that mean a file or folder of this repository."""
    out = []
    words = [w for span in inline_code(page) for w in span.split()]
    words += [w for c in commands_in(page) for w in c]
    for word in words:
        word = word.rstrip(",.;:)")
        if "/" not in word or word.startswith(("/", "..", "http", "~")) or "://" in word:
            continue
        first = word.split("/", 1)[0]
        if any(c in word for c in "<>*$={}[]") or first.isupper() or first in MADE:
            continue
        if word.endswith("/") or word.endswith(FILE_ENDINGS):
            out.append(word)
    return out


def exists_in_repo(name: str) -> bool:
    """A path from the repository root, or from the package (``frontier/queue.py``)."""
    return any((base / name).exists() for base in (ROOT, ROOT / "benchcrawl"))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading(path: Path) -> None:
    page = read(path)
    broken = []
    for target in links(page):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"{target}: no file {dest.relative_to(ROOT.parent)}")
        elif anchor and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.name}")
    assert broken == [], f"{page.name}: {broken}"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in links(read(ROOT / "README.md"))}
    unlinked = [p.name for p in PAGES[1:] if p.resolve() not in linked]
    assert unlinked == [], f"docs pages the README does not link: {unlinked}"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_named_command_and_spider_exists(path: Path) -> None:
    page = read(path)
    commands, spiders = command_names(), spider_names()
    wrong = []
    for words in commands_in(page):
        while words and "=" in words[0] and not words[0].startswith("-"):
            words = words[1:]  # VAR=value before the command
        if not words:
            continue
        program, args = words[0], words[1:]
        if program.endswith("/scrapy") or program == "scrapy":
            if not args:
                continue
            if args[0] not in commands:
                wrong.append(f"scrapy {args[0]}: no such command")
            elif args[0] in SPIDER_COMMANDS and len(args) > 1 and not is_placeholder(args[1]):
                if args[1] not in spiders:
                    wrong.append(f"scrapy {args[0]} {args[1]}: no such spider")
            elif args[0] == "versions" and len(args) > 1 and not is_placeholder(args[1]):
                if args[1] not in SUBCOMMANDS:
                    wrong.append(f"scrapy versions {args[1]}: no such subcommand")
        elif program == "bash" and args and not args[0].startswith("-"):
            if not (ROOT / args[0]).exists():
                wrong.append(f"bash {args[0]}: no such script")
        elif program.endswith(("python", "python3")) and args:
            if args[0] == "-m" and len(args) > 1:
                if importlib.util.find_spec(args[1]) is None:
                    wrong.append(f"python -m {args[1]}: no such module")
            elif args[0].endswith(".py") and not (ROOT / args[0]).exists():
                wrong.append(f"python {args[0]}: no such file")
    assert wrong == [], f"{page.name}: {wrong}"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_named_repository_path_exists(path: Path) -> None:
    page = read(path)
    missing = sorted({p for p in repo_paths(page) if not exists_in_repo(p)})
    assert missing == [], f"{page.name} names paths that are not in the repository: {missing}"


def test_the_checks_see_what_the_pages_name() -> None:
    """The parsers find the README's two commands, its links and its paths (a check that
    sees nothing would pass on any page)."""
    readme = read(ROOT / "README.md")
    assert ["bash", "ops/run-local.sh"] in commands_in(readme)
    assert ["bash", "ops/test.sh"] in commands_in(readme)
    assert "docs/install.md" in links(readme)
    assert "requirements/lock.txt" in repo_paths(readme)
    assert {"crawl", "versions", "seed", "frontier", "schedule", "monitor"} <= command_names()
    assert {"inferencemax", "broad"} <= spider_names()
    assert slug("The scheduler (systemd, cron)") == "the-scheduler-systemd-cron"
