"""One independent solve, as a worker runs it: a scenario of an input, perhaps with decisions
of another plan fixed.  Jobs and outcomes are plain picklable data (the input and the
overrides, never PuLP objects), so they travel to local processes or a Dask cluster alike.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field, replace

from planner.domain import CostBreakdown, FixedDecisions, PlanInput, PlanResult
from planner.domain.estimates import Estimates
from planner.domain.scenarios import ScenarioSpec
from planner.domain.slicing import expand
from planner.domain.status import Status, Termination, has_plan
from planner.pipeline import (
    DEFAULT_OPTIONS,
    HedgeCase,
    SolveOptions,
    estimates_for,
    plan,
    plan_hedged,
)
from planner.scenarios.feasible import executable
from planner.scenarios.overrides import apply_scenario, scale_estimates

__all__ = ["DEFAULT_OPTIONS", "Job", "Outcome", "SolveOptions", "run_job"]


@dataclass(frozen=True)
class Job:
    """``kind``: ``optimum`` (the scenario's own plan), ``regret`` or ``eev`` (the scenario
    with ``fixed`` decisions of the plan made for ``plan_from``), ``sweep`` or ``hedge``
    (the two-stage program over ``hedge``'s scenarios)."""

    key: str
    kind: str
    scenario: ScenarioSpec
    inp: PlanInput
    options: SolveOptions = DEFAULT_OPTIONS
    fixed: FixedDecisions | None = None
    plan_from: str = ""
    keep_result: bool = True
    hedge: tuple = ()  # (scenarios, first_stage_quarters, cvar_weight, alpha) for kind hedge
    estimates: Estimates | None = None  # the base's; None: estimate here


@dataclass
class Outcome:
    """What came of a job.  ``status``: ``ok``, ``warning`` (a plan, not proven within
    the gap: the time limit) or ``error`` (no plan: infeasible, solver error or an exception).
    ``costs`` splits the plan's money (planner.domain.costs): ``total_cost_usd`` is its
    cost of ownership, ``objective_usd`` adds the penalties."""

    key: str
    kind: str
    scenario: str
    plan_from: str
    overrides: str
    status: Status
    termination: Termination | str = ""
    message: str = ""
    total_cost_usd: float | None = None
    objective_usd: float | None = None
    costs: CostBreakdown | None = None
    emissions_tco2e: float | None = None  # on the plan's emissions basis; None: no carbon input
    shortfall_priced: bool = False  # evaluated with unusable committed chips left unused
    discount_rate_per_year: float | None = None  # the rate its NPVs are at (the scenario's)
    gap: float | None = None
    chips_bought: int = 0
    unmet_demand_share: float | None = None
    solve_seconds: float = 0.0
    wall_seconds: float = 0.0
    worker: str = ""
    dropped: int = 0
    result: PlanResult | None = field(default=None, repr=False)
    extra: object = field(default=None, repr=False)

    @property
    def has_plan(self) -> bool:
        return self.status != Status.ERROR


def _summarise(job: Job, out: Outcome, result: PlanResult, rate: float) -> None:
    s = result.solver
    out.discount_rate_per_year = rate
    out.status = s.status if has_plan(result) else Status.ERROR
    out.termination, out.message = s.termination, s.message
    out.solve_seconds = s.solve_seconds
    if out.has_plan:
        out.costs = result.costs
        out.total_cost_usd = out.costs.cost_of_ownership_usd
        out.objective_usd = out.costs.objective_usd
        out.gap = s.gap
        out.chips_bought = sum(r.quantity for r in result.purchases)
        out.unmet_demand_share = result.unmet_demand_share
        out.emissions_tco2e = result.emissions_tco2e() if result.emissions else None
    if job.keep_result:
        out.result = result


def _solve(job: Job, out: Outcome) -> None:
    """The scenario's plan: its overrides act on the input's workloads (a demand override
    on a workload with a request mix scales all its slices alike), then the pipeline
    expands the mixes, solves and folds the plan back."""
    inp = apply_scenario(job.inp, job.scenario)
    est = scale_estimates(estimates_for(inp, job.estimates), job.scenario)
    fixed = job.fixed
    if fixed is not None:
        fixed, out.dropped = executable(expand(inp), est.throughput, est.training, fixed)
    options = replace(job.options, diagnose=False, single_type=False)
    result = plan(inp, options, fixed, est)
    if job.kind == "eev" and result.solver.termination == Termination.INFEASIBLE:
        # the base plan's first stage cannot all be powered or housed here: evaluate it with
        # the chips that cannot sit unused and their demand priced as unmet (VSS needs it)
        result = plan(inp, replace(options, store_unpowered=True), fixed, est)
        out.shortfall_priced = has_plan(result)
    _summarise(job, out, result, inp.settings.discount_rate_per_year)
    if out.shortfall_priced:
        out.message = ("its first stage cannot all be powered or housed here: those chips sit "
                       "unused and the demand they would serve is priced as unmet")


def _solve_hedge(job: Job, out: Outcome) -> None:
    """The two-stage program over ``job.hedge``'s scenarios.  Scenarios change no workload
    or chip the performance core looks at, so the base's estimates serve every scenario."""
    scenarios, first_stage_quarters, cvar_weight, alpha = job.hedge
    base = estimates_for(job.inp, job.estimates)
    cases = [HedgeCase(spec.name, spec.probability, apply_scenario(job.inp, spec),
                       scale_estimates(base, spec)) for spec in scenarios]
    hedge = plan_hedged(job.inp, cases, first_stage_quarters, cvar_weight, alpha, job.options)
    s = hedge.solver
    out.status = s.status
    out.termination, out.message, out.gap = s.termination, s.message, s.gap
    out.solve_seconds, out.objective_usd = s.solve_seconds, hedge.expected_cost_usd
    out.discount_rate_per_year = job.inp.settings.discount_rate_per_year
    out.extra = hedge
    if hedge.scenarios:
        names = list(hedge.scenarios)
        out.costs = CostBreakdown.total([hedge.scenarios[n].costs for n in names],
                                        [hedge.probabilities[n] for n in names])
        out.total_cost_usd = out.costs.cost_of_ownership_usd
        first = hedge.scenarios[names[0]]  # the first stage is the same in every scenario
        stage = first.periods[first_stage_quarters] if first_stage_quarters < len(
            first.periods) else "~"
        out.chips_bought = sum(r.quantity for r in first.purchases if r.quarter_ordered < stage)
        out.message = (out.message + "; " if out.message else "") + (
            "chips_bought: the shared first stage's purchases; costs: probability-weighted")


def run_job(job: Job) -> Outcome:
    """Run ``job``; never raises: an exception becomes an ``error`` outcome saying why."""
    start = time.perf_counter()
    out = Outcome(job.key, job.kind, job.scenario.name, job.plan_from, job.scenario.describe(),
                  Status.ERROR, worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        if job.kind == "hedge":
            _solve_hedge(job, out)
        else:
            _solve(job, out)
    except Exception as exc:  # noqa: BLE001 - one failed solve must not sink the others
        out.status, out.termination = Status.ERROR, Termination.ERROR
        out.message = f"{type(exc).__name__}: {exc}"
    out.wall_seconds = time.perf_counter() - start
    return out
