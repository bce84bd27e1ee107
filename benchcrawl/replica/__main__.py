"""Run the replica: python -m benchcrawl.replica [--data DIR | --generate] ..."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .data import default_snapshot_dir, generate, load_snapshot
from .page import VARIANTS
from .server import Replica


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchcrawl.replica",
                                description="Serve a local replica of the InferenceMAX dashboard.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--data", type=Path, metavar="DIR", help="snapshot folder of data files")
    src.add_argument("--generate", action="store_true", help="serve synthetic data")
    p.add_argument("--seed", type=int, default=0, help="seed for --generate")
    p.add_argument("--variant", choices=VARIANTS, default="combobox")
    p.add_argument("--latency", type=float, default=0.0, metavar="SECONDS")
    p.add_argument("--hydrate-delay", type=float, default=0.3, metavar="SECONDS")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM."""
    args = parse_args(argv)
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
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    replica = Replica(files, variant=args.variant, latency=args.latency,
                      hydrate_delay=args.hydrate_delay, host=args.host, port=args.port)
    replica.source = source
    try:
        replica.start()
        print(f"replica serving {replica.url} ({len(files)} data files from {source})", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        replica.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
