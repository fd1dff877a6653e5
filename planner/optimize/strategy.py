"""The structured HiGHS solve: relaxation, rounding dive, choice MIP, then B&B.

A generic branch-and-bound meets two obstacles on the procurement MIP (bench/RESULTS.md):
its rounding heuristics rarely find a good plan when thousands of general integers are
coupled through fleets and power caps, and its bound hardly moves because training gangs
are smeared across start quarters in the relaxation.  This solve takes them in turn:

0. the fallback: every integer at its lower bound (nothing bought, rented or trained,
   decisions already taken kept) and the LP for the rest, which prices all demand as
   unmet: a plan whenever the input has one, so time running out never means "no plan";
1. the LP relaxation: a bound z_LP;
2. a dive (:mod:`planner.optimize.rounding`) from the LP optimum: the first plan;
3. if the gap is still open: with several choices (training runs, site expansions), the
   choice MIP (:mod:`planner.optimize.choices`): every yes/no choice binary and chip
   counts continuous, by HiGHS's branch-and-bound, which bounds and picks all competing
   runs together, then a dive that rounds the chip counts with its choices fixed; with
   one choice, a bound by branching on it (:mod:`planner.optimize.branching`) and a dive
   from its best option;
4. if the gap is still open and time is left, HiGHS's own branch-and-bound on the full
   MIP, started from the best plan; its incumbent and bound are kept where better.  Not
   after a choice MIP that ran out of its time (85% of what was left): the gap is then
   in the choices, which the full MIP would branch on too, with more integers.

Every stage draws its seconds from one :class:`~planner.optimize.clock.Deadline`: the
relaxation all that is left if it needs it (every later stage starts from its bound and
basis), the choice MIP 85% of what is left after the dive (or the branching bound half),
the branch-and-bound the rest, each leaving :data:`~planner.optimize.clock.MARGIN_S` for
writing the plan back.
The branch-and-bound starts only from a solved relaxation: its own root LP is the same
LP and does not stop at the time limit (bench L under load: a 9 s stage ran 24 s); it runs
in a child process killed at its end (:meth:`HighsModel.solve_mip_apart`), since some
of HiGHS's root heuristics check neither the limit nor the interrupt callback.

Every bound reported is a valid lower bound (the relaxation, the choice MIP's, which
relaxes only the integrality of counts, branching over all options of a choice, or
HiGHS's), so the gap is honest; "optimal" means within the requested gap.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pulp

from planner.domain.status import Termination, relative_gap
from planner.optimize.branching import choice_bound
from planner.optimize.choices import choice_columns, solve_choices
from planner.optimize.clock import MARGIN_S, Deadline
from planner.optimize.highs_model import HighsModel
from planner.optimize.rounding import Choice, Group, dive

# Above this many columns the first relaxation is solved by interior point (with
# crossover, so later solves still warm-start from a basis): on bench L it takes 8 s
# against 17 s for dual simplex, on XL 25 s against about 100 s.
_IPM_COLUMNS = 20_000
INF = float("inf")
FALLBACK = "fallback (nothing bought or rented)"
# Seconds the fallback plan may always take, past the deadline if need be (bench XL: 0.3 s).
_FALLBACK_S = 2.0


class _Search:
    """The best plan and the best bound found so far."""

    def __init__(self, hm: HighsModel, mip_gap: float, progress: Callable[[str], None]) -> None:
        self.hm, self.mip_gap, self.progress = hm, mip_gap, progress
        self.values: np.ndarray | None = None
        self.objective = float("inf")
        self.bound = -float("inf")
        self.proven = False  # HiGHS's branch-and-bound proved the requested gap
        self.choices_open = False  # the choice MIP ran out of time: the gap is in the choices
        self.source = ""     # the stage that found the best plan
        self.started = time.perf_counter()

    def offer(self, values: np.ndarray | None, why: str = "", *, source: str) -> None:
        if values is None:
            self.progress(f"{source}: no plan" + (f" ({why})" if why else ""))
            return
        cost = self.hm.cost(values)
        if cost < self.objective - 1e-9 * max(abs(cost), 1.0):
            self.values, self.objective, self.source = values.copy(), cost, source
        proof = (f"bound ${self.bound:,.0f}, gap {self.gap():.3%}" if self.bound > -float("inf")
                 else "no bound yet")
        self.progress(f"{source}: plan objective (cost + penalties) ${cost:,.0f}; "
                      f"best ${self.objective:,.0f}, {proof} "
                      f"({time.perf_counter() - self.started:.1f} s)")

    def raise_bound(self, bound: float | None) -> None:
        if bound is not None and bound > self.bound:
            self.bound = bound

    def gap(self) -> float:
        if self.values is None:
            return float("inf")
        return relative_gap(self.objective, min(self.bound, self.objective))

    def closed(self) -> bool:
        return self.proven or self.gap() <= self.mip_gap + 1e-12


def _fallback(hm: HighsModel, search: _Search, deadline: Deadline) -> None:
    """Integers at their lower bounds (0, or a decision already taken), the LP for the
    continuous rest: all demand priced as unmet, every run undone."""
    cols = np.flatnonzero(hm.integer).astype(np.int32)
    hm.set_integrality(False)
    if len(cols):
        low = np.where(np.isfinite(hm.lower[cols]), hm.lower[cols], 0.0)
        hm.fix(cols, np.minimum(np.maximum(low, 0.0), hm.upper[cols]))
    status = hm.solve(deadline.left(), presolve=True)
    if status == Termination.OPTIMAL:
        values = hm.values()
        values[cols] = np.round(values[cols])
        search.offer(values, source=FALLBACK)
    _reset(hm)
    hm.highs.clearSolver()  # the relaxation starts afresh: this basis slows it down 4-fold


def fallback_plan(prob: pulp.LpProblem) -> bool:
    """Write the fallback plan (nothing bought or rented, see :func:`_fallback`) into
    ``prob``, for a solver that found no plan in its time; False if the input has none."""
    hm = HighsModel(prob)
    search = _Search(hm, 0.0, lambda _message: None)
    if hm.integer.any():
        _fallback(hm, search, Deadline(_FALLBACK_S))
    if search.values is None:
        return False
    hm.write_back(search.values)
    prob.assignStatus(pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)
    return True


def _relaxation(hm: HighsModel, search: _Search, deadline: Deadline) -> str:
    hm.set_integrality(False)
    big = len(hm.variables) > _IPM_COLUMNS
    status = hm.solve(deadline.left(), method="ipm" if big else "choose", presolve=True)
    if status == Termination.OPTIMAL:
        search.raise_bound(hm.objective())
        search.progress(f"LP relaxation: objective bound ${hm.objective():,.0f} "
                        f"({time.perf_counter() - search.started:.1f} s)")
    return status


def _reset(hm: HighsModel) -> None:
    hm.restore_bounds(np.arange(len(hm.variables), dtype=np.int32))


def _picked(hm: HighsModel, groups: list[Group], values: np.ndarray) -> dict[str, int]:
    """Each choice's option at 1 in ``values`` (-1: none)."""
    picked = {}
    for group in groups:
        for choice in group.choices if group.rule == "choose" else ():
            on = np.flatnonzero(values[hm.cols(choice.options)] > 0.5)
            picked[choice.name] = int(on[0]) if len(on) else -1
    return picked


def _choices(hm: HighsModel, groups: list[Group], search: _Search, deadline: Deadline) -> None:
    """Stage 3: the choice MIP (:mod:`planner.optimize.choices`) for a bound on all runs
    together and their options, then a dive that rounds the chip counts with those
    options fixed."""
    _reset(hm)
    stage = deadline.budget(0.85, MARGIN_S)
    search.progress(f"choice MIP (runs, expansions, stacks binary; chip counts continuous) "
                    f"for up to {stage.left():.0f} s")
    outcome = solve_choices(hm, search.values, stage.end, search.mip_gap)
    search.raise_bound(outcome.bound)
    found = f"its plan ${hm.cost(outcome.values):,.0f} with counts continuous; " if outcome.values is not None else ""
    search.progress(f"choice MIP: {outcome.termination} in {outcome.seconds:.1f} s; {found}"
                    f"bound ${search.bound:,.0f}")
    search.choices_open = outcome.termination != Termination.OPTIMAL
    if outcome.values is None or search.closed() or deadline.left() <= MARGIN_S:
        return
    cols = choice_columns(hm)
    hm.fix(cols, outcome.values[cols])
    stage = deadline.budget(1.0, MARGIN_S)
    if hm.solve(stage.left(), presolve=True) == Termination.OPTIMAL:
        search.offer(*dive(hm, groups, _picked(hm, groups, outcome.values), stage),
                     source="dive from the choice MIP")


def _branch(hm: HighsModel, groups: list[Group], choice: Choice, search: _Search,
            deadline: Deadline) -> None:
    """Stage 3 when there is one choice: the branching bound on it
    (:mod:`planner.optimize.branching`, warm-started LPs, cheaper than a MIP for one run),
    then a dive from its best option."""
    _reset(hm)
    enough = search.objective - search.mip_gap * abs(search.objective) if search.values is not None else INF
    result = choice_bound(hm, choice, enough, deadline.budget(0.5, MARGIN_S))
    search.raise_bound(min(result.bound, search.objective))
    search.progress(f"branching on '{choice.name}': {result.evaluated} of {result.options} "
                    f"options solved; bound ${search.bound:,.0f}")
    if search.closed() or deadline.left() <= MARGIN_S:
        return
    _reset(hm)
    stage = deadline.budget(0.7, MARGIN_S)
    if hm.solve(stage.left()) == Termination.OPTIMAL:
        search.offer(*dive(hm, groups, {choice.name: result.best_option}, stage),
                     source="dive from the best option")


def _branch_and_bound(hm: HighsModel, search: _Search, deadline: Deadline) -> None:
    _reset(hm)
    hm.set_integrality(True)
    if search.values is not None:
        hm.start_from(search.values)
    end = deadline.end - MARGIN_S
    search.progress(f"HiGHS branch-and-bound for the remaining {end - time.perf_counter():.0f} s")
    status, values, bound = hm.solve_mip_apart(end, search.mip_gap)
    search.raise_bound(bound)
    search.offer(values, source="branch-and-bound")
    # HiGHS measures its gap against its own incumbent, which is ours or better
    search.proven = status == Termination.OPTIMAL and search.values is not None


def solve_structured(prob: pulp.LpProblem, groups: list[Group], deadline: Deadline | float,
                     mip_gap: float, progress: Callable[[str], None]
                     ) -> tuple[Termination, float | None, bool]:
    """Solve ``prob`` in place (variable values and status set as PuLP would) by
    ``deadline`` (a :class:`Deadline`, or seconds from now); returns the termination
    ('optimal', 'time_limit', 'infeasible', 'unbounded', 'not_solved'), the best bound
    (None when time ran out before the relaxation was solved) and whether the plan is
    only the fallback."""
    if not isinstance(deadline, Deadline):
        deadline = Deadline(deadline)
    hm = HighsModel(prob)
    search = _Search(hm, mip_gap, progress)
    if hm.integer.any():
        # the fallback runs even when no time is left: a plan is always returned
        _fallback(hm, search, Deadline(max(deadline.budget(0.2, MARGIN_S).left(), _FALLBACK_S)))
    status = _relaxation(hm, search, deadline.budget(1.0, MARGIN_S))
    if status in (Termination.INFEASIBLE, Termination.UNBOUNDED):
        prob.assignStatus(pulp.LpStatusInfeasible if status == Termination.INFEASIBLE else pulp.LpStatusUnbounded,
                          pulp.LpSolutionInfeasible if status == Termination.INFEASIBLE else pulp.LpSolutionUnbounded)
        return status, None, False
    if status == Termination.OPTIMAL and hm.integer.any():
        _improve(hm, groups, search, deadline)
    elif status == Termination.OPTIMAL:
        search.offer(hm.values(), source="linear program")
    # after a choice MIP that ran out of time, the gap is in the choices: a branch-and-bound
    # on the full model would branch on the same choices with more integers and less time
    if (status == Termination.OPTIMAL and not search.closed() and not search.choices_open
            and deadline.left() > MARGIN_S and hm.integer.any()):
        _branch_and_bound(hm, search, deadline)
    return (*_finish(prob, hm, search), search.source == FALLBACK)


def _improve(hm: HighsModel, groups: list[Group], search: _Search, deadline: Deadline) -> None:
    """The dive from the relaxation, then, while the gap is open, the choice MIP and a dive
    from its options (stages 2 and 3)."""
    search.offer(*dive(hm, groups, {}, deadline.budget(1.0, MARGIN_S)), source="rounding dive")
    if search.closed() or deadline.left() <= MARGIN_S:
        return
    choices = [c for group in groups if group.rule == "choose" for c in group.choices]
    if len(choices) == 1:
        _branch(hm, groups, choices[0], search, deadline)
    elif len(choice_columns(hm)):
        _choices(hm, groups, search, deadline)


def _finish(prob: pulp.LpProblem, hm: HighsModel, search: _Search) -> tuple[Termination, float | None]:
    if search.values is None:
        prob.assignStatus(pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
        return Termination.NOT_SOLVED, None
    hm.write_back(search.values)
    if search.bound == -float("inf"):
        prob.assignStatus(pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)
        return Termination.TIME_LIMIT, None
    bound = min(search.bound, search.objective)
    if search.closed():
        prob.assignStatus(pulp.LpStatusOptimal, pulp.LpSolutionOptimal)
        return Termination.OPTIMAL, bound
    prob.assignStatus(pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)
    return Termination.TIME_LIMIT, bound
