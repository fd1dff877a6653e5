"""The one path from an input to a plan: the performance core's estimates, then the solve.

Every command that plans goes through here (``planner.api``, the what-if, sweep and hedge
jobs, the quarterly re-plan), as PyPSA's higher routines all call one ``optimize()``:
so every plan gets the same estimates (throughput, training and, for workloads that allow
disaggregated serving, the prefill and decode phases) and the same solver settings.
A workload with a request-size mix is planned as one internal workload per size slice
(:func:`planner.domain.slicing.expand`, here, before estimating and solving) and the plan
is folded back into the input's workloads (:func:`planner.optimize.slices.fold`): callers
pass and get back the workloads they know; estimates are keyed by the slices.

>>> from planner.pipeline import plan                 # doctest: +SKIP
>>> result = plan(inp, SolveOptions(solver="highs"))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from planner.domain import FixedDecisions, PlanInput, PlanResult
from planner.domain.estimates import Estimates
from planner.domain.results import SingleTypeComparison
from planner.domain.slicing import expand
from planner.domain.status import Termination, has_plan, status_of
from planner.io import reader
from planner.optimize import single_type, solve_plan
from planner.optimize.clock import Deadline, activate, after_solve_s
from planner.optimize.slices import fold
from planner.optimize.stochastic import HedgeResult, Scenario, solve_hedged
from planner.perf import estimate
from planner.perf.catalog import load_chips, load_models
from planner.perf.token_offers import load_token_offers


def _quiet(_: str) -> None:
    return None


def load_workbook(path: str | Path) -> PlanInput:
    """Read and validate an input workbook against the shipped chip and model catalogs."""
    return reader.read_workbook(path, load_chips(), load_models(),
                                token_offers=load_token_offers())


@dataclass(frozen=True)
class SolveOptions:
    """Overrides of the workbook's solver settings (None keeps the workbook's);
    ``diagnose``: re-solve for shadow prices and the causes of unmet demand;
    ``store_unpowered``: owned chips may sit unused (planner.optimize.solve_plan);
    ``single_type``: compare with the best single-chip-type plan when the Settings ask for
    it (what-if, sweep and hedge jobs pass False: a comparison per scenario would multiply
    their solves)."""

    solver: str | None = None
    time_limit_s: float | None = None
    mip_gap: float | None = None
    diagnose: bool = True
    store_unpowered: bool = False
    single_type: bool = True

    def resolved(self, inp: PlanInput) -> SolveOptions:
        """Every setting filled in from ``inp``'s Settings where not overridden."""
        s = inp.settings
        return dataclasses.replace(
            self, solver=(self.solver or s.solver).lower(),
            time_limit_s=s.time_limit_s if self.time_limit_s is None else self.time_limit_s,
            mip_gap=s.mip_gap if self.mip_gap is None else self.mip_gap)


DEFAULT_OPTIONS = SolveOptions()


#: Share of a run's time limit the performance core's estimates may take; the chips not
#: estimated by then are left out of the plan, said so (the rest of the limit is for the
#: build, the solve and the report).
ESTIMATE_SHARE = 0.5


def estimates_for(inp: PlanInput, estimates: Estimates | None = None,
                  progress: Callable[[str], None] = _quiet,
                  deadline: Deadline | None = None) -> Estimates:
    """``estimates`` when given, else the performance core's for ``inp`` with its request
    mixes expanded (keyed by size slice); with a run's ``deadline`` (its limit set),
    estimation stops once :data:`ESTIMATE_SHARE` of the limit has passed and the chips not
    reached are listed in ``skipped_chips``."""
    if estimates is not None:
        return estimates
    inp = expand(inp)
    progress("estimating throughput for every workload and chip")
    stop = None
    if deadline is not None and deadline.seconds is not None:
        cutoff = deadline.start + ESTIMATE_SHARE * deadline.seconds
        stop = lambda: deadline.now() >= cutoff or deadline.interrupted
    est = estimate(inp, stop)
    if est.skipped_chips:
        progress(f"estimation stopped at {ESTIMATE_SHARE:.0%} of the time limit: "
                 f"{_left_out(est, inp)}")
    return est


def _left_out(est: Estimates, inp: PlanInput) -> str:
    skipped = est.skipped_chips
    named = ", ".join(skipped[:3]) + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
    return (f"{len(inp.chips) - len(skipped)} of {len(inp.chips)} chips estimated; the plan "
            f"leaves out {named}")


def _mark_left_out(result: PlanResult, est: Estimates, inp: PlanInput) -> PlanResult:
    """A plan made without some chips (their estimates ran out of time) is not proven
    optimal for the input and its bound bounds only the smaller problem: termination
    ``time_limit``, no bound or gap, and the message says which chips were left out."""
    if not est.skipped_chips:
        return result
    s = result.solver
    termination = Termination.TIME_LIMIT if s.termination == Termination.OPTIMAL else s.termination
    note = f"time limit reached while estimating: {_left_out(est, inp)}"
    result.solver = dataclasses.replace(
        s, termination=termination, status=status_of(termination), best_bound_usd=None,
        gap=None, message=f"{s.message}; {note}" if s.message else note)
    return result


def _solve(inp: PlanInput, est: Estimates, o: SolveOptions, fixed: FixedDecisions | None,
           progress: Callable[[str], None], deadline: Deadline | None,
           report_follows: bool | None = None) -> PlanResult:
    """The MIP of ``inp`` (already expanded) with estimates ``est`` and resolved options;
    a report follows (its time kept back) by default when there is a run ``deadline``."""
    return solve_plan(inp, est.throughput, est.training, solver=o.solver,
                      time_limit_s=o.time_limit_s, mip_gap=o.mip_gap, progress=progress,
                      diagnose=o.diagnose, fixed=fixed, phases=est.phases or None,
                      store_unpowered=o.store_unpowered, deadline=deadline,
                      report_follows=(deadline is not None if report_follows is None
                                      else report_follows))


def fold_slices(result: PlanResult, expanded: PlanInput, est: Estimates) -> PlanResult:
    """``result``, solved on ``expanded``, folded back into the input's workloads, with
    what served each size slice (and whether its rate was measured) in ``result.slices``."""
    return fold(result, expanded, {**est.throughput, **est.phases})


def compare_single_type(inp: PlanInput, est: Estimates, result: PlanResult,
                        o: SolveOptions, deadline: Deadline | None,
                        cost_per_mtok: single_type.CostPerMtokFn | None = None,
                        progress: Callable[[str], None] = _quiet
                        ) -> SingleTypeComparison | None:
    """``result`` against the best single-chip-type plan (planner.optimize.single_type),
    when the Settings ask for it and there is a plan: each solved like ``result`` (same
    estimates, solver and gap, its slices folded back; no diagnostics) within the run's
    ``deadline``, leaving the report its reserve; without a deadline the comparison gets
    one time limit in all."""
    if not (o.single_type and has_plan(result)
            and single_type.wanted(inp, inp.settings.single_type_comparison)):
        return None
    run = deadline if deadline is not None else Deadline(o.time_limit_s)

    plain = dataclasses.replace(o, diagnose=False, store_unpowered=False)

    def solve(i: PlanInput, e: Estimates, stage: Deadline) -> PlanResult:
        slices = expand(i)
        r = _solve(slices, e, plain, None, _quiet, stage, report_follows=False)
        return fold_slices(r, slices, e)

    reserve = after_solve_s(result.solver.variables, report=deadline is not None)
    return single_type.compare(inp, est, result, solve, run, reserve_s=reserve,
                               cost_per_mtok=cost_per_mtok, progress=progress)


def plan(inp: PlanInput, options: SolveOptions = DEFAULT_OPTIONS,
         fixed: FixedDecisions | None = None, estimates: Estimates | None = None, *,
         progress: Callable[[str], None] = _quiet, deadline: Deadline | None = None,
         cost_per_mtok: single_type.CostPerMtokFn | None = None) -> PlanResult:
    """The plan of ``inp``: estimates (``estimates`` when given), then the MIP with the
    decisions in ``fixed`` already taken.

    ``deadline`` is the whole run's time budget (:mod:`planner.optimize.clock`, started
    when the run started; its limit is the resolved time limit when it has none): the
    solve and the diagnostics re-solve get what is left of it, and it is the current one
    while solving, so Ctrl-C stops the solver (:mod:`planner.runtime`).  Without it the
    time limit applies to the solve alone (what-if and sweep jobs: per solve).

    Request mixes are expanded into size slices for estimating and solving (``estimates``,
    when given, are keyed by the slices, as :func:`estimates_for` makes them) and the plan
    is folded back into ``inp``'s workloads (:func:`fold_slices`).  A fresh plan (no
    ``fixed`` decisions) is then compared with the best single-chip-type plan
    when the Settings ask for it (:func:`compare_single_type`; ``cost_per_mtok``, the
    report's cost attribution, fills its per-workload rows)."""
    o = options.resolved(inp)
    if deadline is not None and deadline.seconds is None:
        deadline.set_limit(o.time_limit_s)
    previous = activate(deadline) if deadline is not None else None
    try:
        slices = expand(inp)
        est = estimates_for(slices, estimates, progress, deadline)
        result = _solve(slices, est, o, fixed, progress, deadline)
        result = fold_slices(_mark_left_out(result, est, inp), slices, est)
        if fixed is None:
            result.single_type = compare_single_type(inp, est, result, o, deadline,
                                                     cost_per_mtok, progress)
        return result
    finally:
        if deadline is not None:
            activate(previous)


@dataclass(frozen=True)
class HedgeCase:
    """One scenario of a hedged plan: its input and the estimates it is planned with."""

    name: str
    probability: float
    inp: PlanInput
    estimates: Estimates


def plan_hedged(base: PlanInput, cases: Sequence[HedgeCase], first_stage_quarters: int,
                cvar_weight: float, alpha: float,
                options: SolveOptions = DEFAULT_OPTIONS) -> HedgeResult:
    """The two-stage program over ``cases`` (solver settings from ``options``, else
    ``base``'s workbook); each case's input is expanded into size slices (its estimates
    are keyed by them, :func:`estimates_for`) and its plan folded back."""
    o = options.resolved(base)
    expanded = {c.name: expand(c.inp) for c in cases}
    scenarios = [Scenario(c.name, c.probability, expanded[c.name], c.estimates.throughput,
                          c.estimates.training, c.estimates.phases) for c in cases]
    hedge = solve_hedged(scenarios, first_stage_quarters, solver=o.solver,
                         time_limit_s=o.time_limit_s, mip_gap=o.mip_gap,
                         cvar_weight=cvar_weight, alpha=alpha)
    hedge.scenarios = {c.name: fold_slices(hedge.scenarios[c.name], expanded[c.name], c.estimates)
                       for c in cases if c.name in hedge.scenarios}
    return hedge
