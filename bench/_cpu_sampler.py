"""Run a ``scrapy`` command under a CPU-time sampling profiler and write its stacks.

    python -m bench._cpu_sampler OUT.stacks crawl broad -s ...

``SIGPROF`` fires every millisecond of the process's CPU time (``setitimer(ITIMER_PROF)``);
the handler walks the main thread's Python stack and charges it the CPU time used since the
previous sample (``time.process_time``), so a long C call (zlib, Lexbor, a socket write)
that delays the handler is still charged in full to the Python frame that made it. Idle
time in the reactor's ``epoll`` uses no CPU and is never sampled. The stacks go to OUT as
collapsed lines (``file:function;...;file:function microseconds``, root first), the format
``py-spy record --format raw`` writes, so bench/cpu_per_page.py reads either. No
dependency: an external sampler such as py-spy gives the same picture, with native frames,
but needs ptrace rights and a binary the project does not ship.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import defaultdict
from types import FrameType

INTERVAL = 0.001  # s of process CPU time between samples


class Sampler:
    def __init__(self) -> None:
        self.stacks: defaultdict[tuple[str, ...], float] = defaultdict(float)
        self.last = time.process_time()
        self.names: dict[object, str] = {}

    def _name(self, frame: FrameType) -> str:
        code = frame.f_code
        name = self.names.get(code)
        if name is None:
            name = self.names[code] = f"{code.co_filename}:{code.co_name}"
        return name

    def sample(self, signum: int, frame: FrameType | None) -> None:
        now = time.process_time()
        spent, self.last = now - self.last, now
        stack = []
        while frame is not None:
            stack.append(self._name(frame))
            frame = frame.f_back
        stack.reverse()
        self.stacks[tuple(stack)] += spent

    def start(self) -> None:
        signal.signal(signal.SIGPROF, self.sample)
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        self.sample(signal.SIGPROF, None)  # the tail since the last sample, as "(exit)"

    def write(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            for stack, seconds in self.stacks.items():
                f.write(f"{';'.join(stack) or '(exit)'} {round(seconds * 1e6)}\n")


def main() -> None:
    out, args = sys.argv[1], sys.argv[2:]
    sampler = Sampler()
    real_exit = os._exit

    def fast_exit(code: int) -> None:  # BENCHCRAWL_FAST_EXIT skips the finally below
        sampler.stop()
        sampler.write(out)
        real_exit(code)

    os._exit = fast_exit  # type: ignore[assignment]
    sampler.start()
    try:
        from scrapy.cmdline import execute

        execute(["scrapy", *args])
    except SystemExit:
        pass
    finally:
        sampler.stop()
        sampler.write(out)


if __name__ == "__main__":
    main()
