"""``scrapy versions``: the archive's history and its derived products.

    scrapy versions                                   list the versions
    scrapy versions diff [A [B]]                      A against B (default: previous, latest)
    scrapy versions trend --model M --sequence S [--hwkey H]
        InferenceX (2026): [--field NAME=VALUE ...] [--conc N] [--metric M], from the history
    scrapy versions charts [VERSION] [--percentile P] draw the charts (default: latest)
    scrapy versions load-db [VERSION | --all]         load into the results database
    scrapy versions products [VERSION | --all]        make every derived product again

A version is named by its folder name, a unique prefix of it (``20251025``) or ``latest``.
Versions of both generations can share an archive: each subcommand looks at the version's
manifest (``generation: inferencex`` for 2026) and does that generation's work; ``trend``
reads the InferenceX history when ``latest`` is an InferenceX version.
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
            "--field",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="trend (InferenceX): a configuration field, e.g. framework=sglang; repeatable",
        )
        parser.add_argument("--conc", type=int, help="trend (InferenceX): one concurrency only")
        parser.add_argument(
            "--metric", default="tput_per_gpu", help="trend (InferenceX): the metric to chart"
        )
        parser.add_argument(
            "--percentile",
            default="median",
            help="charts (InferenceX): median, mean, p90, p99 or p99.9 (default median)",
        )
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
            if m.get("generation") == "inferencex":
                notes.insert(0, _inferencex_note(m))
                rows = (m.get("rows") or {}).get("results", "?")
            else:
                rows = (m.get("rows") or {}).get("merged", "?")
            print(
                f"{v.name:<25} {rows:>6} {m.get('combinations', '?'):>6}  "
                f"{_made(v):<33} {', '.join(notes)}".rstrip()
            )

    def _diff(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        from benchcrawl.products import inferencex_make
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
        if inferencex_make.is_inferencex(new):
            print(inferencex_make.write_diff(old, new))
        elif inferencex_make.is_inferencex(old):
            raise BenchcrawlError(
                f"{old.name} is an InferenceX version and {new.name} of the 2025 dashboard; "
                "their tables cannot be compared"
            )
        else:
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
        latest = latest_version(data_dir)
        if latest is not None and _is_inferencex(latest):
            self._trend_inferencex(data_dir, opts)
            return
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

    def _trend_inferencex(self, data_dir: Path, opts: argparse.Namespace) -> None:
        from benchcrawl.inferencemax.table import write_csv
        from benchcrawl.inferencex.history import read_history
        from benchcrawl.products.charts import slug
        from benchcrawl.products.inferencex_trend import draw_trend, trend_rows

        if not opts.model or not opts.sequence:
            raise BenchcrawlError(
                "trend needs --model and --sequence, e.g. --model DeepSeek-R1-0528 "
                "--sequence 1k/1k --field hardware=b200 --field framework=sglang"
            )
        filters = {}
        for item in opts.field:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise BenchcrawlError(f"--field takes NAME=VALUE, got {item!r}")
            filters[name.strip()] = value.strip()
        if opts.hwkey:
            filters["hardware"] = opts.hwkey
        history = read_history(data_dir).results
        rows = trend_rows(history, opts.model, opts.sequence, filters, opts.conc)
        out = data_dir / "trends"
        out.mkdir(parents=True, exist_ok=True)
        label = rows["configuration"].iloc[0]
        model, sequence = rows["model_name"].iloc[0], rows["sequence"].iloc[0]
        stem = out / "_".join([slug(model), slug(sequence), slug(label)])
        csv_path = write_csv(rows, stem.with_name(stem.name + ".csv"))
        dates = rows["date"].nunique()
        title = f"{model} · {sequence.upper()} · {label} · {opts.metric} over {dates} run dates"
        charts = draw_trend(rows, opts.metric, stem, title)
        print(f"{len(rows)} rows of {label} from {dates} run dates")
        for path in (csv_path, *charts):
            print(f"wrote {path}")

    def _charts(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        from benchcrawl.products import inferencex_make
        from benchcrawl.products.make import write_charts

        version = self._one(data_dir, rest, "charts")
        if inferencex_make.is_inferencex(version):
            n = inferencex_make.write_charts(version, opts.percentile)
        else:
            n = write_charts(version)
        print(f"wrote {n} files into {version / 'charts'} (open index.html)")

    def _load_db(self, data_dir: Path, rest: list[str], opts: argparse.Namespace) -> None:
        from benchcrawl.products.db import connect, load_version, redacted

        targets = self._targets(data_dir, rest, opts, "load-db")
        url = database_url_from_settings(self.settings, data_dir)
        engine = connect(url)
        try:
            for v in targets:
                if _is_inferencex(v):
                    from benchcrawl.products.inferencex_db import load_results

                    done = load_results(engine, v)
                    print(
                        f"{v.name}: already loaded"
                        if done.already_loaded
                        else f"{v.name}: {done.inserted} results"
                    )
                    continue
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


def _is_inferencex(version: Path) -> bool:
    from benchcrawl.products.inferencex_make import is_inferencex

    return is_inferencex(version)


def _inferencex_note(manifest: dict[str, Any]) -> str:
    """``InferenceX, 2 models, loaded 6 run dates 2026-01-01..2026-04-01``: the models of
    results.csv and the run dates this version loaded."""
    dates = sorted({str(s.get("run_date")) for s in manifest.get("sources") or []})
    span = f"loaded {len(dates)} run dates {dates[0]}..{dates[-1]}" if dates else "loaded none"
    return f"InferenceX, {len(manifest.get('models') or ())} models, {span}"


def _made(version: Path) -> str:
    have: list[Any] = []
    for name, path in (
        ("diff", "diff.csv"),
        ("parquet", "merged.parquet"),
        ("parquet", "results.parquet"),
        ("report", "report.md"),
        ("charts", "charts/index.html"),
    ):
        if (version / path).exists():
            have.append(name)
    return " ".join(have) or "-"
