"""The hedged plan: a two-stage stochastic program over scenarios.

First-stage decisions (purchases, reserved contracts and expansions ordered in the first
``first_stage_quarters`` quarters) are shared by every scenario; everything after is
chosen per scenario.  The objective is (1 - w) E[cost] + w CVaR_alpha[cost], as in
PyPSA's stochastic option: with w = 0 the expected cost; CVaR_alpha is the expected
cost of the worst (1 - alpha) share of outcomes (Rockafellar and Uryasev):
    CVaR = eta + 1/(1 - alpha) sum_k p_k s_k,  s_k >= cost_k - eta,  s_k >= 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pulp

from planner.domain import (
    PlanInput,
    PlannerError,
    PlanResult,
    SolverInfo,
    ThroughputEstimate,
    TrainingEstimate,
)
from planner.domain.status import Status
from planner.optimize import extract
from planner.optimize.coefficients import check_coefficients
from planner.optimize.model import Model, build_model, merged_groups
from planner.optimize.parameters import Parameters, prepare
from planner.optimize.solver import run_solver
from planner.optimize.variables import factory


@dataclass(frozen=True)
class Scenario:
    name: str
    probability: float
    inp: PlanInput
    throughput: dict[tuple[str, str], ThroughputEstimate]
    training: dict[tuple[str, str], TrainingEstimate] = field(default_factory=dict)
    phases: dict[tuple[str, str, str], ThroughputEstimate] = field(default_factory=dict)


@dataclass
class HedgeResult:
    solver: SolverInfo
    expected_cost_usd: float | None
    cvar_usd: float | None
    first_stage_quarters: int
    scenarios: dict[str, PlanResult]
    probabilities: dict[str, float]


def _first_stage_vars(p: Parameters, m: Model, n: int) -> dict[tuple, pulp.LpVariable]:
    v = m.variables
    out = {("buy",) + k: var for k, var in v.buy.items() if k[2] < n}
    out.update({("reserve",) + k: var for k, var in v.reserve.items() if k[2] < n})
    out.update({("expand",) + k: var for k, var in v.expand.items() if k[1] < n})
    return out


def define_nonanticipativity(prob: pulp.LpProblem, stage: list[dict[tuple, pulp.LpVariable]]) -> None:
    """First-stage decisions equal across scenarios: y_k = y_ref for every k; a decision a
    scenario does not offer (e.g. a chip unavailable there) must be zero everywhere."""
    keys = set().union(*stage)
    for i, key in enumerate(sorted(keys, key=str)):
        holders = [d[key] for d in stage if key in d]
        ref = holders[0]
        if len(holders) < len(stage):
            prob += (pulp.LpAffineExpression([(ref, 1)]) == 0, f"na_absent_{i}")
        for k, var in enumerate(holders[1:]):
            prob += (pulp.LpAffineExpression([(var, 1), (ref, -1)]) == 0, f"na_{i}_{k}")


def define_cvar(prob: pulp.LpProblem, models: list[Model], eta, excess: list) -> None:
    """Each scenario's cost above the value at risk (Rockafellar and Uryasev):
    s_k >= cost_k - eta, s_k >= 0 (the bound on s_k), so that at the optimum
    CVaR_alpha = eta + 1/(1 - alpha) sum_k p_k s_k."""
    for k, m in enumerate(models):
        prob += (m.objective - eta - excess[k] <= 0, f"cvar_{k}")


def _objective(prob, models, probs, cvar_weight: float, alpha: float):
    expected = pulp.lpSum(pk * m.objective for pk, m in zip(probs, models))
    if cvar_weight <= 0:
        return expected, None
    new = factory(prob)
    eta = new("cvar_eta")
    excess = [new(f"cvar_excess_{k}", 0) for k in range(len(models))]
    define_cvar(prob, models, eta, excess)
    cvar = eta + pulp.lpSum(pk * s for pk, s in zip(probs, excess)) * (1.0 / (1.0 - alpha))
    return (1 - cvar_weight) * expected + cvar_weight * cvar, cvar


def _check(scenarios: list[Scenario], alpha: float, cvar_weight: float) -> None:
    if not scenarios:
        raise PlannerError("a hedged plan needs at least one scenario")
    total = sum(s.probability for s in scenarios)
    if abs(total - 1.0) > 1e-6:
        raise PlannerError(f"scenario probabilities add up to {total:g}, not 1")
    if not 0 <= cvar_weight <= 1 or not 0 <= alpha < 1:
        raise PlannerError("cvar weight must be in [0, 1] and alpha in [0, 1)")
    horizons = {tuple(s.inp.settings.periods) for s in scenarios}
    if len(horizons) > 1:
        raise PlannerError("all scenarios of a hedged plan must share the same quarters")


def solve_hedged(scenarios: list[Scenario], first_stage_quarters: int, *, solver: str = "cbc",
                 time_limit_s: float = 300.0, mip_gap: float = 0.005, cvar_weight: float = 0.0,
                 alpha: float = 0.9) -> HedgeResult:
    """Solve the two-stage program; each scenario's plan is returned in full."""
    _check(scenarios, alpha, cvar_weight)
    start = time.perf_counter()
    prob = pulp.LpProblem("hedged_plan", pulp.LpMinimize)
    params = [prepare(s.inp, s.throughput, s.training, s.phases or None) for s in scenarios]
    models = [build_model(p, prob=prob, prefix=f"s{k}_") for k, p in enumerate(params)]
    define_nonanticipativity(prob, [_first_stage_vars(p, m, first_stage_quarters)
                                    for p, m in zip(params, models)])
    probs = [s.probability for s in scenarios]
    objective, cvar = _objective(prob, models, probs, cvar_weight, alpha)
    prob += objective
    check_coefficients(prob)
    build_seconds = time.perf_counter() - start
    outcome = run_solver(prob, solver, time_limit_s, mip_gap,
                         groups=merged_groups(models, [s.name for s in scenarios]))
    info = SolverInfo(solver, outcome.status, outcome.termination, outcome.objective, outcome.bound,
                      outcome.gap, outcome.seconds, build_seconds, prob.numVariables(),
                      sum(1 for v in prob.variables() if v.cat == pulp.LpInteger),
                      prob.numConstraints(), time_limit_s, mip_gap, outcome.message)
    results: dict[str, PlanResult] = {}
    if outcome.status != Status.ERROR:
        for s, p, m in zip(scenarios, params, models):
            results[s.name] = extract.plan_result(p, m.variables, m.costs, info, s.throughput,
                                                  s.training, m.emissions)
    expected = (sum(pk * pulp.value(m.objective) for pk, m in zip(probs, models))
                if outcome.status != Status.ERROR else None)
    return HedgeResult(info, expected, pulp.value(cvar) if cvar is not None and expected is not None else None,
                       first_stage_quarters, results, {s.name: s.probability for s in scenarios})
