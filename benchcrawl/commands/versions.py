"""``scrapy versions``: the archive's history and its derived products.

    scrapy versions                                   list the versions
    scrapy versions diff [A [B]]                      A against B (default: previous, latest)
    scrapy versions trend --model M --sequence S [--hwkey H]
    scrapy versions charts [VERSION]                  draw the charts (default: latest)
    scrapy versions load-db [VERSION | --all]         load into the results database
    scrapy versions products [VERSION | --all]        make every derived product again

A version is named by its folder name, a unique prefix of it (``20251025``) or ``latest``.
A mistake (no such version, no archive, a database that cannot be reached) is one sentence
on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.pipelines.archive import data_dir_from_settings, database_url_from_settings
from benchcrawl.storage.versions import (
    find_version,
    latest_version,
    list_versions,
    previous_version,
    read_manifest,
)

SUBCOMMANDS = ("list", "diff", "trend", "charts", "load-db", "products")


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[list | diff [A [B]] | trend | charts [V] | load-db [V|--all] | products [V|--all]]"

    def short_desc(self) -> str:
        return "List archived versions; diff, trend, chart them; load them into the database"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--model", help="trend: the model (dropdown label, e.g. 'gpt-oss 120B')"
        )
        parser.add_argument("--sequence", help="trend: ISL / OSL, e.g. '1K / 8K' or 1k-8k")
        parser.add_argument("--hwkey", help="trend: one GPU only, e.g. b200")
        parser.add_argument(
            "--all", action="store_true", help="load-db, products: every archived version"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        sub, rest = (args[0], args[1:]) if args else ("list", [])
        try:
            if sub not in SUBCOMMANDS:
                raise BenchcrawlError(
                    f"unknown subcommand {sub!r}; use one of {', '.join(SUBCOMMANDS)}"
                )
            data_dir = data_dir_from_settings(self.settings)
            handler = getattr(self, "_" + sub.replace("-", "_"))
            handler(data_dir, rest, opts)
        except BenchcrawlError as e:
            print(f"benchcrawl: {e}", file=sys.stderr)
            self.exitcode = 1

    # --- subcommands ---------------------------------------------------------------------

    def _list(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        _no_more(rest, "list")
        found = list_versions(data_dir)
        if not found:
            print(f"no versions under {data_dir / 'archive'} yet")
            return
        latest = latest_version(data_dir)
        print(f"{'version':<25} {'rows':>6} {'combos':>6}  {'products':<33} note")
        for v in found:
            try:
                m = read_manifest(v)
            except BenchcrawlError as e:
                print(f"{v.name:<25} {'?':>6} {'?':>6}  {'':<33} {e}")
                continue
            notes = []
            if m.get("unchanged_from"):
                notes.append(f"unchanged from {m['unchanged_from']}")
            if latest is not None and v == latest:
                notes.append("latest")
            rows = (m.get("rows") or {}).get("merged", "?")
            print(
                f"{v.name:<25} {rows:>6} {m.get('combinations', '?'):>6}  "
                f"{_made(v):<33} {', '.join(notes)}".rstrip()
            )

    def _diff(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        from benchcrawl.products.make import write_diff

        if len(rest) > 2:
            raise BenchcrawlError("diff takes at most two versions: scrapy versions diff [A [B]]")
        new = find_version(data_dir, rest[1] if len(rest) == 2 else "latest")
        if rest:
            old = find_version(data_dir, rest[0])
        else:
            prev = previous_version(data_dir, new)
            if prev is None:
                raise BenchcrawlError(f"{new.name} is the first version; nothing to compare with")
            old = prev
        if old == new:
            raise BenchcrawlError(f"both sides are {new.name}; name two different versions")
        print(write_diff(old, new))
        print(f"wrote {new / 'diff.csv'} and {new / 'diff.md'}")

    def _trend(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        from benchcrawl.inferencemax.table import write_csv
        from benchcrawl.products.charts import slug
        from benchcrawl.products.load import read_table
        from benchcrawl.products.trend import (
            draw_trend,
            match_model,
            sequence_value,
            trend_table,
        )

        _no_more(rest, "trend")
        if not opts.model or not opts.sequence:
            raise BenchcrawlError(
                "trend needs --model and --sequence, e.g. "
                "--model 'gpt-oss 120B' --sequence '1K / 8K'"
            )
        found = list_versions(data_dir)
        if not found:
            raise BenchcrawlError(f"no version yet under {data_dir / 'archive'}; run a sweep first")
        frames = [(v.name, read_table(v, "merged")) for v in found]
        models = sorted({m for _, f in frames for m in f["model_name"].unique()})
        model = match_model(opts.model, models)
        if model is None:
            raise BenchcrawlError(
                f"no model {opts.model!r} in the archive (models: {', '.join(models)})"
            )
        sequence = sequence_value(opts.sequence)
        trend = trend_table(frames, model, sequence, opts.hwkey)
        if trend.empty:
            what = f"{model} x {sequence}" + (f" on {opts.hwkey}" if opts.hwkey else "")
            raise BenchcrawlError(f"no rows for {what} in any of the {len(found)} versions")
        out = data_dir / "trends"
        out.mkdir(parents=True, exist_ok=True)
        stem = out / "_".join(
            [slug(model), slug(sequence)] + ([slug(opts.hwkey)] if opts.hwkey else [])
        )
        csv_path = write_csv(trend, stem.with_name(stem.name + ".csv"))
        title = (
            f"{model} · {sequence.upper().replace('-', ' / ')}"
            + (f" · {opts.hwkey}" if opts.hwkey else "")
            + f" across {trend['version'].nunique()} versions"
        )
        charts = draw_trend(trend, stem, title)
        print(f"{len(trend)} rows from {trend['version'].nunique()} versions")
        for path in (csv_path, *charts):
            print(f"wrote {path}")

    def _charts(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        from benchcrawl.products.make import write_charts

        version = self._one(data_dir, rest, "charts")
        n = write_charts(version)
        print(f"wrote {n} files into {version / 'charts'} (open index.html)")

    def _load_db(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        from benchcrawl.products.db import connect, load_version, redacted

        targets = self._targets(data_dir, rest, opts, "load-db")
        url = database_url_from_settings(self.settings, data_dir)
        engine = connect(url)
        try:
            for v in targets:
                result = load_version(engine, v)
                if result.already_loaded:
                    print(f"{v.name}: already loaded")
                else:
                    added = ", ".join(f"{n} {t}" for t, n in result.inserted.items())
                    print(f"{v.name}: {added} rows")
        finally:
            engine.dispose()
        print(f"database: {redacted(url)}")

    def _products(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        from benchcrawl.products.make import make_products

        url = database_url_from_settings(self.settings, data_dir)
        failed = 0
        for v in self._targets(data_dir, rest, opts, "products"):
            for o in make_products(v, previous_version(data_dir, v), url):
                result = f"failed: {o.error}" if o.error else o.detail
                print(f"{v.name} {o.step:<8} {o.seconds:6.2f} s  {result}")
                failed += o.error is not None
        if failed:
            raise BenchcrawlError(f"{failed} product step(s) failed; see above")

    # --- helpers -------------------------------------------------------------------------

    def _one(self, data_dir: Path, rest: list[str], sub: str) -> Path:
        if len(rest) > 1:
            raise BenchcrawlError(f"{sub} takes at most one version")
        return find_version(data_dir, rest[0] if rest else "latest")

    def _targets(
        self, data_dir: Path, rest: list[str], opts: argparse.Namespace, sub: str
    ) -> list[Path]:
        if opts.all:
            if rest:
                raise BenchcrawlError(f"{sub}: give a version or --all, not both")
            found = list_versions(data_dir)
            if not found:
                raise BenchcrawlError(f"no version yet under {data_dir / 'archive'}")
            return found
        return [self._one(data_dir, rest, sub)]


def _no_more(rest: list[str], sub: str) -> None:
    if rest:
        raise BenchcrawlError(f"{sub} takes no version argument (got {' '.join(rest)!r})")


def _made(version: Path) -> str:
    have: list[Any] = []
    for name, path in (
        ("diff", "diff.csv"),
        ("parquet", "merged.parquet"),
        ("report", "report.md"),
        ("charts", "charts/index.html"),
    ):
        if (version / path).exists():
            have.append(name)
    return " ".join(have) or "-"
