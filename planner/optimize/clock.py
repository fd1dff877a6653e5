"""One clock for a whole run: a deadline every stage reads its budget from.

A command (``planner plan``, ``planner replan``) starts a :class:`Deadline` when it
starts; its limit is set once known (``--time-limit`` or the workbook's
``time_limit_s``).  Reading, estimating, building the model, every LP and MIP of the
structured solve (relaxation, rounding dive, choice MIP or branching bound, HiGHS's
branch-and-bound), CBC, the diagnostics re-solve and the report all draw on the same
seconds: each stage asks for a :meth:`Deadline.budget` (a share of what is left, never past the run's end).
``solve_plan`` called on its own starts a deadline of ``time_limit_s``; a caller with a
deadline of its own passes it as ``deadline=`` and the solve ends by the earlier one.

Ctrl-C during a solve (:meth:`Deadline.interrupt`, wired by :mod:`planner.runtime`)
spends the budget at once, for the run's deadline and every stage budget drawn from it:
the solver stops with what it has, the diagnostics are skipped and the report says the
run was interrupted.  :func:`current` is the run in progress, for a solver's callback.

The solve stops within the limit less the report's reserve plus overheads that cannot be
interrupted (handing the matrix to HiGHS, writing the values back to PuLP, CBC writing
its MPS file); docs/model.md "Solution method" documents the margin.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

#: Seconds kept back at the end of the solve for the work that cannot be interrupted
#: (writing the plan back, reading it out); each stage budget leaves them free.
MARGIN_S = 0.5
#: A stage given less than this is skipped rather than started (the diagnostics re-solve).
MIN_STAGE_S = 0.5
#: Seconds per model variable that reading the plan out of the solved model takes, and
#: that writing the Excel report takes, with a fixed part for the report (opening and
#: zipping the workbook).  Measured with ``python -m bench.deadline`` under a load
#: average of 6 on 2 cores (one third of a core): extract 1.6 s on bench L (56k
#: variables), 1.3 s on C200 (86k); report 1.6 s on M-T8 (11k), 5.1 s on L, 7.6 s on C200
EXTRACT_S_PER_VARIABLE = 3e-5
REPORT_S = 0.7
#: (a plan with many rows writes more: 7 s for the 28k-variable 200-chip workbook's)
REPORT_S_PER_VARIABLE = 1.5e-4
#: Seconds per model variable the diagnostics re-solve needs (copying the model and
#: handing it to the solver cannot be interrupted): 15 s for the 28k-variable 200-chip
#: workbook under the same load; it is skipped, said so, when less time is left.
DIAGNOSTICS_S_PER_VARIABLE = 4e-4

_current: Deadline | None = None


class Deadline:
    """An end time on ``clock`` (``time.perf_counter``), or none yet (``seconds`` None).

    A deadline made by :meth:`budget` or :meth:`earliest` is *linked* to the ones it came
    from: interrupting a run's deadline ends every stage budget drawn from it.
    """

    def __init__(self, seconds: float | None = None, *, start: float | None = None,
                 clock: Callable[[], float] = time.perf_counter,
                 links: tuple[Deadline, ...] = ()) -> None:
        self._clock = clock
        self.start = clock() if start is None else start
        self.end = math.inf
        self.seconds: float | None = None
        self._links = links
        self._interrupted = False
        self.solving = False  # a Ctrl-C now stops the solver instead of the process
        #: The exit a signal asked for while a solver was running (SIGTERM 143, a second
        #: Ctrl-C 130): HiGHS swallows exceptions raised in its callbacks, so the solve is
        #: interrupted and the exit raised once it has returned (:func:`raise_pending_exit`).
        self.exit_code: int | None = None
        if seconds is not None:
            self.set_limit(seconds)

    def set_limit(self, seconds: float) -> None:
        """The limit, counted from :attr:`start`, once it is known."""
        self.seconds = max(float(seconds), 0.0)
        self.end = self.start + self.seconds

    def now(self) -> float:
        return self._clock()

    def left(self) -> float:
        """Seconds until the deadline (negative once it has passed; 0 once interrupted;
        infinite with no limit)."""
        if self.interrupted:
            return min(0.0, self.end - self._clock())
        return self.end - self._clock()

    def elapsed(self) -> float:
        return self._clock() - self.start

    def expired(self) -> bool:
        return self.left() <= 0.0

    @property
    def interrupted(self) -> bool:
        return self._interrupted or any(link.interrupted for link in self._links)

    def interrupt(self, exit_code: int | None = None) -> None:
        """Ctrl-C: spend the budget now (this deadline's and every one drawn from it);
        with ``exit_code``, the process is to end with it once the solver has stopped."""
        self._interrupted = True
        if exit_code is not None:
            self.exit_code = exit_code

    def budget(self, share: float, reserve: float = 0.0) -> Deadline:
        """A stage's deadline: ``share`` of the seconds left after ``reserve``, and never
        past this deadline (a run with no limit gives stages none)."""
        stage = Deadline(clock=self._clock, links=(self,))
        left = self.left()
        if math.isfinite(left):
            stage.end = min(self.end, self._clock() + max(left - reserve, 0.0) * share)
            stage.seconds = stage.end - stage.start
        return stage

    def earliest(self, other: Deadline | None) -> Deadline:
        """A deadline ending when this one or ``other`` does, whichever is first, and
        interrupted when either is."""
        if other is None:
            return self
        joined = Deadline(clock=self._clock, links=(self, other))
        joined.end = min(self.end, other.end)
        joined.seconds = joined.end - joined.start if math.isfinite(joined.end) else None
        return joined


def after_solve_s(variables: int, report: bool) -> float:
    """Seconds to keep back from the solve for the work after it that cannot be
    interrupted: reading the plan out of a model of ``variables`` columns and, when a
    ``report`` follows, writing it (see :data:`REPORT_S_PER_VARIABLE`)."""
    seconds = EXTRACT_S_PER_VARIABLE * variables
    if report:
        seconds += REPORT_S + REPORT_S_PER_VARIABLE * variables
    return seconds


def current() -> Deadline | None:
    """The deadline of the run in progress in this process, if any (for Ctrl-C and a
    solver's interrupt callback)."""
    return _current


def raise_pending_exit() -> None:
    """End the process as a signal received during the solve asked (SystemExit), if one
    did: the solver has stopped by now and its files are closed."""
    run = current()
    if run is not None and run.exit_code is not None:
        raise SystemExit(run.exit_code)


def activate(deadline: Deadline | None) -> Deadline | None:
    """Make ``deadline`` the current one; returns the previous one."""
    global _current
    previous, _current = _current, deadline
    return previous
