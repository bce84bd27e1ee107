"""What every fuzz harness shares: the per-input time limit and the atheris entry point.

A harness calls :func:`main` with its one-input function, which must return normally for
every input (the parser raised only its documented errors, which the harness catches) or
raise (a finding: atheris stops and writes the input to the artifact prefix). An input
that takes longer than ``FUZZ_INPUT_LIMIT_MS`` (200 ms) twice in a row is a finding too:
the parsers are meant to be linear, and 200 ms is far above any input of ``-max_len``.
Run one for longer: ``python tests/fuzz/fuzz_links.py -max_total_time=600``, or all of
them with ``ops/fuzz.sh SECONDS``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import atheris

LIMIT_S = int(os.environ.get("FUZZ_INPUT_LIMIT_MS", "200")) / 1000


class SlowInput(AssertionError):
    """An input took longer than the per-input limit (twice: one slow run may be noise)."""


def timed(one_input: Callable[[bytes], None]) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        for _attempt in (1, 2):
            start = time.perf_counter()
            one_input(data)
            elapsed = time.perf_counter() - start
            if elapsed <= LIMIT_S:
                return
        raise SlowInput(
            f"input of {len(data)} bytes took {elapsed * 1000:.0f} ms "
            f"(limit {LIMIT_S * 1000:.0f} ms) on both tries"
        )

    return run


def main(one_input: Callable[[bytes], None]) -> None:
    atheris.Setup(sys.argv, timed(one_input))
    atheris.Fuzz()
