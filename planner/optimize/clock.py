"""One clock for the whole solve: a deadline every stage reads its budget from.

``solve_plan`` starts a :class:`Deadline` of ``time_limit_s`` when it is called, so the
model build, every LP and MIP of the structured solve (relaxation, rounding dive,
branching bound, HiGHS's branch-and-bound), CBC, and the diagnostics re-solve all draw
on the same seconds.  A caller with a deadline of its own (a whole command: estimation,
solve, report) passes it as ``deadline=``; the solve then ends by the earlier of the two.

The solve stops within the limit plus :data:`MARGIN_S`-ish overheads that cannot be
interrupted (handing the matrix to HiGHS, writing the values back to PuLP, CBC writing
its MPS file), measured on bench XL at under 1 s; docs/model.md "Solution method"
documents the margin.
"""

from __future__ import annotations

import time

#: Seconds kept back at the end of the solve for the work that cannot be interrupted
#: (writing the plan back, reading it out); each stage budget leaves them free.
MARGIN_S = 0.5


class Deadline:
    """An absolute end time on ``time.perf_counter``'s clock."""

    def __init__(self, seconds: float, *, start: float | None = None) -> None:
        self.start = time.perf_counter() if start is None else start
        self.end = self.start + max(float(seconds), 0.0)

    def left(self) -> float:
        """Seconds until the deadline (negative once it has passed)."""
        return self.end - time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def expired(self) -> bool:
        return self.left() <= 0.0

    def budget(self, share: float, reserve: float = 0.0) -> Deadline:
        """A stage's deadline: ``share`` of the seconds left after ``reserve``, and never
        past this deadline."""
        stage = Deadline(0.0)
        stage.end = min(self.end, time.perf_counter() + max(self.left() - reserve, 0.0) * share)
        return stage

    def earliest(self, other: Deadline | None) -> Deadline:
        """This deadline or ``other``, whichever ends first."""
        if other is None or other.end >= self.end:
            return self
        return other
