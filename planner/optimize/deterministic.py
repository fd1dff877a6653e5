"""From parameters to a PlanResult: build, solve, extract."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from planner.domain import (
    FixedDecisions,
    PlanInput,
    PlanResult,
    SolverInfo,
    ThroughputEstimate,
    TrainingEstimate,
)
from planner.domain.status import Status, Termination
from planner.optimize import extract
from planner.optimize.clock import (
    DIAGNOSTICS_S_PER_VARIABLE,
    MIN_STAGE_S,
    Deadline,
    after_solve_s,
    current,
    raise_pending_exit,
)
from planner.optimize.coefficients import check_coefficients
from planner.optimize.diagnostics import shadow_prices, unmet_causes
from planner.optimize.model import build_model
from planner.optimize.parameters import prepare
from planner.optimize.solver import SolveOutcome, run_solver
from planner.optimize.watchdog import watch


def _quiet(_: str) -> None:
    return None


def solve_plan(
    inp: PlanInput,
    throughput: dict[tuple[str, str], ThroughputEstimate],
    training: dict[tuple[str, str], TrainingEstimate] | None = None,
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    progress: Callable[[str], None] = _quiet,
    relax: bool = False,
    diagnose: bool = True,
    fixed: FixedDecisions | None = None,
    phases: dict[tuple[str, str, str], ThroughputEstimate] | None = None,
    store_unpowered: bool = False,
    deadline: Deadline | None = None,
    report_follows: bool = False,
) -> PlanResult:
    """Solve the procurement MIP for ``inp``; arguments override the workbook's settings.

    ``relax=True`` solves the LP relaxation (integers made continuous): its objective is a
    lower bound on the MIP's, used by the benchmark.  Decision quantities are then rounded
    in the records, so only ``solver.objective_usd`` is meaningful.  ``fixed`` holds
    decisions already taken (re-plans, regret evaluation); ``phases`` one-phase throughput
    estimates for workloads that allow disaggregated prefill/decode serving.
    ``store_unpowered`` lets owned chips sit unused (no power, no slot) when ``fixed``
    commitments cannot all be powered or housed: their demand is then a priced shortfall.

    Time: one clock starts now and ends ``time_limit_s`` later, or at ``deadline`` (a
    :class:`~planner.optimize.clock.Deadline`, e.g. a whole command's) if that is
    earlier.  The build comes out of it; then the seconds the work after the solve needs
    (reading the plan out and, with ``report_follows``, writing the report:
    :func:`~planner.optimize.clock.after_solve_s`) are kept back; the solve gets 90% of
    the rest when the diagnostics re-solve follows, the diagnostics what is left.
    """
    settings = inp.settings
    solver = (solver or settings.solver).lower()
    time_limit_s = settings.time_limit_s if time_limit_s is None else time_limit_s
    mip_gap = settings.mip_gap if mip_gap is None else mip_gap

    start = time.perf_counter()
    clock = Deadline(time_limit_s, start=start).earliest(deadline)
    params = prepare(inp, throughput, training, phases)
    params.store_unpowered = store_unpowered
    model = build_model(params, fixed)
    prob = model.prob
    if relax:
        for var in prob.variables():
            var.cat = "Continuous"
    check_coefficients(prob)
    build_seconds = time.perf_counter() - start
    n_int = sum(1 for var in prob.variables() if var.cat == "Integer")
    progress(f"model built: {len(prob.variables())} variables ({n_int} integer), "
             f"{prob.numConstraints()} constraints in {build_seconds:.2f} s")
    work = clock.budget(1.0, reserve=after_solve_s(len(prob.variables()), report_follows))
    progress(f"solving with {solver} (time limit {time_limit_s:g} s, {max(work.left(), 0):.1f} s "
             f"left for the solve{' and diagnostics' if diagnose and not relax else ''}, "
             f"gap {mip_gap:g})")
    stage = work.budget(0.9) if diagnose and not relax else work
    outcome = _run(prob, solver, time_limit_s, mip_gap, None if relax else model.groups,
                   progress, stage)
    progress(f"solver: {outcome.termination} in {outcome.seconds:.2f} s")

    info = SolverInfo(
        solver=solver, status=outcome.status, termination=outcome.termination,
        objective_usd=outcome.objective, best_bound_usd=outcome.bound, gap=outcome.gap,
        solve_seconds=outcome.seconds, build_seconds=build_seconds,
        variables=len(prob.variables()), integer_variables=n_int,
        constraints=prob.numConstraints(), time_limit_s=time_limit_s, mip_gap=mip_gap,
        message=outcome.message,
    )
    if outcome.status == Status.ERROR:
        return PlanResult(solver=info, periods=params.periods, throughput=list(throughput.values()),
                          training_estimates=list((training or {}).values()),
                          cost_basis=params.cost_basis, tax_basis=params.tax.words)
    result = extract.plan_result(params, model.variables, model.costs, info, throughput, training,
                                 model.emissions)
    if not relax and diagnose:
        result.diagnostics = _diagnose(model, params, solver, work, progress)
    return result


def _diagnose(model, params, solver: str, work: Deadline, progress) -> list:
    """The causes of unmet demand and, if time is left for the re-solve on a model this
    size (:data:`~planner.optimize.clock.DIAGNOSTICS_S_PER_VARIABLE`), the shadow prices
    of what binds."""
    need = max(MIN_STAGE_S, DIAGNOSTICS_S_PER_VARIABLE * len(model.prob.variables()))
    if work.left() < need:
        progress(f"diagnostics: shadow prices skipped, {max(work.left(), 0.0):.1f} s of the "
                 f"time limit left and the re-solve needs about {need:.0f} s on this model")
        return unmet_causes(params, model.variables, [])
    progress("diagnostics: re-solving with the integer decisions fixed for shadow prices")
    with watch(work.left(), 1.0):
        binding = shadow_prices(model, params, solver, work.left())
    return unmet_causes(params, model.variables, binding) + binding


def _run(prob, solver: str, time_limit_s: float, mip_gap: float, groups, progress,
         deadline: Deadline) -> SolveOutcome:
    """run_solver by ``deadline``; while it runs, Ctrl-C stops the solver, not the process
    (:mod:`planner.runtime`), and an interrupted solve says so.  A solver child (CBC)
    still running past the deadline is stopped by the watchdog."""
    run = current()
    if run is not None:
        run.solving = True
    grace = 1.0 + 0.025 * (deadline.seconds or 0.0)  # stays inside the T + 10% + 10 s
    try:
        with watch(deadline.left(), grace):
            outcome = run_solver(prob, solver, time_limit_s, mip_gap, groups=groups,
                                 progress=progress, deadline=deadline)
    finally:
        if run is not None:
            run.solving = False
    raise_pending_exit()  # SIGTERM during an in-process solve (HiGHS) ends the run now
    if deadline.interrupted and outcome.termination != Termination.OPTIMAL:
        kept = "best plan found so far kept" if outcome.status != Status.ERROR else "no plan yet"
        outcome = dataclasses.replace(outcome, message=f"interrupted (Ctrl-C): {kept}, "
                                                       "not proven optimal")
    return outcome
