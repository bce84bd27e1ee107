"""``scrapy lists detect URL``: the main list of a page, found from its rendered layout.

    scrapy lists detect URL              the main list's item URLs, one a line, page order
    scrapy lists detect --kind URL       ``list`` or ``detail``
    scrapy lists detect --content URL    the main content region: a CSS path
    scrapy lists detect --explain URL    the scored blocks, best first (on stderr)

The page is opened in Chromium (1280x900) and laid out; see :mod:`benchcrawl.lists`. A
mistake (a page that cannot be loaded, no Chromium) is one sentence on stderr and exit
code 1.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from benchcrawl.exceptions import BenchcrawlError

SUBCOMMANDS = ("detect",)


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "detect [--kind | --content | --explain] URL"

    def short_desc(self) -> str:
        return "Find a page's main list of links (or its kind, or its content region)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--kind", action="store_true", help="print list or detail")
        what.add_argument(
            "--content", action="store_true", help="print the main content region's CSS path"
        )
        what.add_argument(
            "--explain", action="store_true", help="also print the scored blocks on stderr"
        )
        parser.add_argument("--chromium", help="the Chromium executable (default: found)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 2 or args[0] not in SUBCOMMANDS:
            raise UsageError("give a subcommand and a URL: scrapy lists detect URL")
        from benchcrawl.lists.browser import collect_layout
        from benchcrawl.lists.detect import detect
        from benchcrawl.lists.layout import ranked
        from benchcrawl.lists.rendered import page_from_layout

        url = args[1]
        if not url.startswith(("http://", "https://", "file://")):
            raise UsageError(f"{url!r} is not a URL; give http://, https:// or file://")
        try:
            page = page_from_layout(collect_layout(url, opts.chromium))
        except (BenchcrawlError, ValueError) as e:
            print(f"benchcrawl: {e}", file=sys.stderr)
            self.exitcode = 1
            return
        found = detect(page)
        if opts.kind:
            print(found.kind)
        elif opts.content:
            if found.content is None:
                print("benchcrawl: the page shows no text to find a region in", file=sys.stderr)
                self.exitcode = 1
                return
            print(found.content.css)
        else:
            for item in found.items:
                print(item)
            if opts.explain:
                for s in ranked(page)[:10]:
                    b = s.block
                    print(
                        f"{s.score:8.1f} {len(b.urls()):5d} links {b.lines:5d} lines "
                        f"({b.left:.0f},{b.top:.0f})-({b.right:.0f},{b.bottom:.0f}) "
                        f"{'; '.join(s.why) or '-'}: {b.links[0].text[:40]!r}",
                        file=sys.stderr,
                    )
