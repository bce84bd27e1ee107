"""Run the replica: python -m benchcrawl.replica [--generation G] [--data DIR | --generate] ...

``--generation inferencemax`` (the default) serves the 2025 page and its data files;
``--generation inferencex`` the 2026 page and its API (generated data, or the real snapshot
of ``../shared/inferencex`` with ``--snapshot``).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from . import inferencex_data
from .data import default_snapshot_dir, generate, load_snapshot
from .inferencemax_page import VARIANTS
from .inferencex_server import InferenceXReplica
from .server import HttpReplica, Replica

GENERATIONS = ("inferencemax", "inferencex")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchcrawl.replica",
                                description="Serve a local replica of the InferenceMAX dashboard.")
    p.add_argument("--generation", choices=GENERATIONS, default="inferencemax",
                   help="the 2025 dashboard (inferencemax) or the 2026 one (inferencex)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--data", type=Path, metavar="DIR", help="snapshot folder of data files")
    src.add_argument("--generate", action="store_true", help="serve synthetic data")
    p.add_argument("--seed", type=int, default=0, help="seed for --generate")
    p.add_argument("--dates", type=int, default=30,
                   help="inferencex: run dates of the generated site")
    p.add_argument("--snapshot", action="store_true",
                   help="inferencex: serve ../shared/inferencex/snapshots/2026-06")
    p.add_argument("--variant", choices=VARIANTS, default="combobox")
    p.add_argument("--latency", type=float, default=0.0, metavar="SECONDS")
    p.add_argument("--hydrate-delay", type=float, default=0.3, metavar="SECONDS")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM."""
    args = parse_args(argv)
    if args.generation == "inferencex":
        return _serve(_inferencex(args), "")
    if args.data is not None:
        if not args.data.is_dir():
            print(f"error: {args.data} is not a directory", file=sys.stderr)
            return 2
        files, source = load_snapshot(args.data), str(args.data)
    elif not args.generate and (snap := default_snapshot_dir()) is not None:
        files, source = load_snapshot(snap), str(snap)
    else:
        files, source = generate(seed=args.seed), f"generate(seed={args.seed})"
    if not files:
        print(f"error: no data files in {source}", file=sys.stderr)
        return 2
    replica = Replica(files, variant=args.variant, latency=args.latency,
                      hydrate_delay=args.hydrate_delay, host=args.host, port=args.port)
    replica.source = source
    return _serve(replica, f"{len(files)} data files from {source}")


def _inferencex(args: argparse.Namespace) -> InferenceXReplica | None:
    if args.snapshot:
        snap = inferencex_data.default_snapshot_dir()
        if snap is None:
            print("error: no ../shared/inferencex/snapshots/2026-06 next to the project",
                  file=sys.stderr)
            return None
        data = inferencex_data.load_snapshot(snap)
    else:
        data = inferencex_data.generate(seed=args.seed, dates=args.dates)
    return InferenceXReplica(data, latency=args.latency, hydrate_delay=args.hydrate_delay,
                             host=args.host, port=args.port)


def _serve(replica: HttpReplica | None, what: str) -> int:
    if replica is None:
        return 2
    if isinstance(replica, InferenceXReplica):
        data = replica.data
        what = (f"InferenceX, {len(data.models)} models, {len(data.rows)} rows from "
                f"{data.source}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        replica.start()
        print(f"replica serving {replica.url} ({what})", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        replica.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
