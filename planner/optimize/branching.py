"""A lower bound by branching on one choice: min over its options of the LP with it fixed.

Training gangs make the LP relaxation weak: it spreads a run over several start quarters
and places, so no quarter carries the whole gang.  Whatever the optimal plan is, each
run takes exactly one option (a chip, a place and a start, or undone), so

    z* >= min_o LP(option o fixed)        for every choice,

and the largest of these minima over the choices is a valid bound, usually far above the
plain relaxation.  The minimum is found by best-first bisection over the options (in the
model's order: chip, then gang size, then place, then start), as a branch-and-bound on the choice alone:
the LP with only a subset S of the options allowed is a lower bound for every option in
S; the subset with the lowest LP is split in two, until the lowest open subset is no
lower than the best single option (or than the bound the caller needs).  Whole chips and
sites that cannot host the run cheaply are pruned with one LP each.  The result stays
valid if time runs out part way: it is then the lowest LP among the open subsets.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from planner.domain.status import Termination
from planner.optimize.clock import Deadline
from planner.optimize.highs_model import HighsModel
from planner.optimize.rounding import Choice

INF = float("inf")


@dataclass(frozen=True)
class ChoiceBound:
    name: str
    bound: float          # valid lower bound on the MIP objective
    best_option: int      # index into Choice.options, -1 for none
    best_value: float     # LP objective with that option fixed
    evaluated: int        # LPs solved
    options: int          # options in all, counting none


class _Subsets:
    """LPs of one choice with only some of its options allowed."""

    def __init__(self, hm: HighsModel, choice: Choice, deadline: Deadline) -> None:
        self.hm, self.deadline, self.solved = hm, deadline, 0
        self.cols = hm.cols(choice.options)
        none = choice.none.name if choice.none is not None else None
        self.none = np.array([hm.index[none]] if none in hm.index else [], np.int32)

    def value(self, subset: tuple[int, ...]) -> float | None:
        """LP objective with options outside ``subset`` at 0 and, when the choice has a
        "none" variable and ``subset`` is not empty, that variable at 0 too; +inf when
        infeasible, None when out of time."""
        hm = self.hm
        upper = np.zeros(len(self.cols))
        upper[list(subset)] = 1.0
        hm.set_bounds(self.cols, 0.0, upper)
        if subset and len(self.none):
            hm.fix(self.none, 0.0)
        status = hm.solve(self.deadline.left())
        self.solved += 1
        value = hm.objective() if status == Termination.OPTIMAL else INF if status == Termination.INFEASIBLE else None
        hm.restore_bounds(self.cols)  # invalidates the solution: read it first
        hm.restore_bounds(self.none)
        return value


def choice_bound(hm: HighsModel, choice: Choice, enough: float, deadline: Deadline) -> ChoiceBound:
    """Bound the MIP by branching on ``choice``; stops early once the bound reaches
    ``enough``.  Without a "none" variable (a choice row reading <= 1), every subset's
    LP also allows none, which keeps each value a lower bound."""
    lps = _Subsets(hm, choice, deadline)
    best, best_option = INF, -1
    if len(lps.none):
        none = lps.value(())
        if none is None:
            return ChoiceBound(choice.name, -INF, -1, INF, lps.solved, len(lps.cols) + 1)
        best = none
    heap: list[tuple[float, tuple[int, ...]]] = []
    pending = [tuple(range(len(lps.cols)))] if len(lps.cols) else []
    parent = -INF  # lower bound of the subset being split (none yet: no bound)
    while True:
        if not pending:
            if not heap or heap[0][0] >= min(best, enough):
                break
            parent, subset = heapq.heappop(heap)
            pending = [subset[: len(subset) // 2], subset[len(subset) // 2:]]
        part = pending.pop(0)
        value = lps.value(part)
        if value is None:  # out of time: the parts not solved keep their parent's bound
            for rest in [part, *pending]:
                heapq.heappush(heap, (parent, rest))
            break
        if len(part) > 1:
            heapq.heappush(heap, (value, part))
        elif value < best:
            best, best_option = value, part[0]
    bound = min([best] + [value for value, _ in heap])
    return ChoiceBound(choice.name, bound, best_option, best, lps.solved, len(lps.cols) + 1)
