"""A worker's writes waiting for the next commit, in the order they happened.

Order is what makes a crash safe: a page's new requests are appended before its ack, and a
commit takes a *prefix* of the outbox, so no commit can settle a lease whose page's
requests are not yet written. Pure logic; the scheduler sends what ``take`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from benchcrawl.frontier.interface import Push


@dataclass
class Batch:
    pushes: list[Push] = field(default_factory=list)
    acks: list[str] = field(default_factory=list)
    fails: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.pushes) + len(self.acks) + len(self.fails)


class Outbox:
    def __init__(self) -> None:
        self._ops: list[tuple[str, object]] = []

    def __len__(self) -> int:
        return len(self._ops)

    def push(self, push: Push) -> None:
        self._ops.append(("push", push))

    def ack(self, lease: str) -> None:
        self._ops.append(("ack", lease))

    def fail(self, lease: str, record: str) -> None:
        self._ops.append(("fail", (lease, record)))

    def peek(self, limit: int) -> Batch:
        """The oldest *limit* operations (kept until ``drop`` confirms they are written)."""
        batch = Batch()
        for kind, op in self._ops[:limit]:
            if kind == "push":
                batch.pushes.append(op)  # type: ignore[arg-type]
            elif kind == "ack":
                batch.acks.append(op)  # type: ignore[arg-type]
            else:
                batch.fails.append(op)  # type: ignore[arg-type]
        return batch

    def drop(self, count: int) -> None:
        del self._ops[:count]
