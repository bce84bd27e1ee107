"""One sweep = one pass over every model x sequence combination, shared by all workers.

The sweep record decides who starts a sweep, who may still join it, and which worker
finishes it (merge + archive exactly once). The spider and the sweep pipelines see it
through one interface, :class:`~benchcrawl.sweep.store.SweepStore`, with two stores of one
behaviour: :class:`~benchcrawl.sweep.memory.MemorySweepStore` (one process, no Redis) and
:class:`~benchcrawl.sweep.redis.RedisSweepStore` (a cluster).

Redis key schema (``prefix`` is ``INFERENCEMAX_SWEEP_KEY``, e.g. ``inferencemax:sweep``):

``prefix:current``            string  id of the newest sweep
``prefix:<id>:meta``          hash    status (open|succeeded|failed), detail, created, planned,
                                      plan (JSON list of [model, sequence or run date]),
                                      finalizer
``prefix:<id>:results``       hash    "<index>:<kind>" -> JSON of a captured file (no body)
``prefix:<id>:bodies``        hash    "<index>:<kind>" -> the file's bytes as served
``prefix:<id>:failures``      hash    "<index>" -> JSON of a failure (index 0 = discovery)
``prefix:<id>:done``          set     indexes of combinations accounted for (good or failed)
``prefix:<id>:workers``       hash    worker id -> combinations it accounted for (for the monitor)

A combination is accounted for once every kind it needs is stored (both files of a 2025
combination, the one benchmarks answer of a 2026 one; ``state.kinds_for``) or once it failed. The
call that accounts for the last planned combination also wins the ``finalizer`` field
(HSETNX), so exactly one worker merges and archives, whatever the number of workers.
"""

from benchcrawl.sweep.state import KINDS, Progress

__all__ = ["KINDS", "Progress"]
