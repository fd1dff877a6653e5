"""The structured HiGHS solve: relaxation, dive, choice MIP (planner/optimize/strategy.py,
planner/optimize/choices.py).

Known answer for the choice MIP's bound.  Chip A (buy only, in the first quarter only,
$10,000, 1 kW, $200 of power a quarter, a two-quarter life, so no residual value) serves
four chips' worth of demand in each of two quarters.  A training run needs a gang of 8 A
for one quarter, in either quarter.  Any plan holds 4 + 8 = 12 chips in the quarter the
run trains, all bought in Q1: $120,000 + 12 x 2 x $200 = $124,800.  The LP relaxation
trains half the run in each quarter, needs 4 + 4 = 8 chips and costs $83,200.  The choice
MIP (the run's start binary, chip counts continuous) must put the whole gang in one
quarter, so it needs 12 chips too (continuous, but 12 is whole): its bound is $124,800,
the optimum.  Branching on the run (each start fixed in turn) gives it back too.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pulp
import pytest
from optimize_fixtures import chip_a, instance

from bench.generate import generate
from planner.domain import Quarter, Termination, TrainingEstimate, TrainingRun
from planner.optimize import solve_plan
from planner.optimize.branching import choice_bound
from planner.optimize.choices import choice_columns, solve_choices
from planner.optimize.highs_model import HighsModel
from planner.optimize.model import build_model
from planner.optimize.parameters import prepare
from planner.optimize.rounding import Deadline, dive

pytest.importorskip("highspy")

A_PER_DAY = 86.4e6


def _smeared_run():
    chips = [chip_a(available_until=Quarter(2027, 1))]
    inp, tp = instance(chips=chips, demand=(4 * A_PER_DAY, 4 * A_PER_DAY), power_cap_kw=20)
    run = TrainingRun("pretrain", "m", 1e12, Quarter(2027, 1), Quarter(2027, 2))
    training = {("pretrain", "A"): TrainingEstimate("A", "m", 1e12, 8, "bf16", True, 0.4, 2000.0)}
    return replace(inp, training=(run,)), tp, training


def _model(inp, tp, training):
    model = build_model(prepare(inp, tp, training, None))
    hm = HighsModel(model.prob)
    hm.set_integrality(False)
    assert hm.solve(60) == "optimal"
    return model, hm


def test_branching_on_a_run_recovers_the_optimum_the_lp_misses():
    model, hm = _model(*_smeared_run())
    (choice,) = model.groups[0].choices
    result = choice_bound(hm, choice, float("inf"), Deadline(60))
    assert result.bound == pytest.approx(124_800)
    assert result.best_value == pytest.approx(124_800)
    assert result.best_option >= 0  # training beats the undone penalty


def test_the_choice_mip_recovers_the_optimum_the_lp_misses():
    model, hm = _model(*_smeared_run())
    root = hm.objective()
    assert root == pytest.approx(83_200)
    (choice,) = model.groups[0].choices
    gangs = hm.cols(choice.options)
    assert set(choice_columns(hm)) == set(gangs)  # the only yes/no choice: counts are not
    outcome = solve_choices(hm, None, time.perf_counter() + 60, 0.0)
    assert outcome.termination == "optimal"
    assert outcome.bound == pytest.approx(124_800, rel=1e-6)
    assert sorted(outcome.values[gangs]) == [0.0, 1.0]  # one start, the whole gang
    assert not hm.highs.getLp().integrality_ or max(hm.highs.getLp().integrality_) == 0


def test_competing_runs_are_bounded_and_rounded_together():
    """Two runs that each need 8 chips for one quarter in a two-quarter window, demand of 4
    chips in each quarter, chips bought in Q1 only ($10,000, $200 of power a quarter).
    Each run alone is the instance above; together the cheapest plan trains them in
    different quarters and holds 4 + 8 = 12 chips ($124,800, as above), where training
    both in one quarter would need 4 + 16 = 20 ($208,000).  The LP spreads each run over
    both quarters (4 + 4 + 4 = 12 chips a quarter, also $124,800: here the relaxation is
    tight), and the structured solve must find the plan that splits the runs."""
    inp, tp, training = _smeared_run()
    second = TrainingRun("finetune", "m", 1e12, Quarter(2027, 1), Quarter(2027, 2))
    training = {**training, ("finetune", "A"): training["pretrain", "A"]}
    inp = replace(inp, training=(*inp.training, second))
    r = solve_plan(inp, tp, training, solver="highs", mip_gap=0.0, diagnose=False)
    assert r.solver.termination == "optimal"
    assert r.solver.objective_usd == pytest.approx(124_800)
    assert sum(p.quantity for p in r.purchases) == 12
    assert len({row.quarter for row in r.training}) == 2


def test_structured_solve_proves_the_known_optimum():
    inp, tp, training = _smeared_run()
    for solver in ("highs", "cbc"):
        r = solve_plan(inp, tp, training, solver=solver, mip_gap=0.0)
        assert r.solver.termination == "optimal"
        assert r.solver.objective_usd == pytest.approx(124_800)
        assert r.solver.best_bound_usd == pytest.approx(124_800)
        assert sum(p.quantity for p in r.purchases) == 12
        assert len(r.training) == 1


def _violations(prob: pulp.LpProblem, tol: float = 1e-6) -> list[str]:
    bad = []
    for con in prob.constraints.values() if isinstance(prob.constraints, dict) else prob.constraints():
        slack = con.value()
        scale = max(1.0, abs(con.constant))
        if con.sense == pulp.LpConstraintEQ and abs(slack) > tol * scale:
            bad.append(con.name)
        if con.sense == pulp.LpConstraintLE and slack > tol * scale:
            bad.append(con.name)
        if con.sense == pulp.LpConstraintGE and slack < -tol * scale:
            bad.append(con.name)
    return bad


@pytest.mark.parametrize("size", ["S", "M"])
def test_dive_returns_a_feasible_integer_plan(size):
    inp, tp, training = generate(size, 0)
    model, hm = _model(inp, tp, training)
    root = hm.objective()
    values, why = dive(hm, model.groups, {}, Deadline(120))
    assert values is not None, why
    hm.write_back(values)
    assert _violations(model.prob) == []
    for var in model.prob.variables():
        assert var.lowBound is None or var.varValue >= var.lowBound - 1e-6
        if var.cat == pulp.LpInteger:
            assert var.varValue == round(var.varValue)
    cost = pulp.value(model.prob.objective)
    assert cost == pytest.approx(hm.cost(values))
    assert cost >= root - 1e-6 * abs(root)


def test_structured_plan_is_feasible_and_its_bound_is_below_cbc():
    """On bench S at a 1% gap both solvers prove optimality in seconds (HiGHS's structured
    solve in about 0.1 s, CBC in about 2.5 s; at 0.1% CBC needs a minute); the structured
    plan meets all demand, and each solver's bound is below the other's plan (both bounds
    are valid)."""
    inp, tp, training = generate("S", 0)
    highs = solve_plan(inp, tp, training, solver="highs", mip_gap=0.01, time_limit_s=60, diagnose=False)
    cbc = solve_plan(inp, tp, training, solver="cbc", mip_gap=0.01, time_limit_s=60, diagnose=False)
    for r in (highs, cbc):
        assert r.solver.termination == Termination.OPTIMAL
        assert r.solver.gap <= 0.01 + 1e-9
    assert highs.solver.best_bound_usd <= cbc.solver.objective_usd * (1 + 1e-9)
    assert cbc.solver.best_bound_usd <= highs.solver.objective_usd * (1 + 1e-9)
    assert highs.unmet_demand_share == 0


def test_write_back_rounds_integers_exactly():
    model, hm = _model(*_smeared_run())
    values = hm.values() + 1e-9
    hm.write_back(values)
    ints = [v for v in model.prob.variables() if v.cat == pulp.LpInteger]
    assert ints and all(v.varValue == np.round(v.varValue) for v in ints)


def test_a_small_time_limit_is_kept_and_the_result_labelled():
    """Bench M with 2 s: the solve ends within the limit plus the documented margin
    (the larger of 5% and 5 s, for a machine shared with other work), returns a plan (at
    worst the fallback that buys nothing) labelled as stopped by time unless proven, and
    any bound it reports is below that plan."""
    inp, tp, training = generate("M", 0)
    start = time.perf_counter()
    r = solve_plan(inp, tp, training, time_limit_s=2, mip_gap=0.0, diagnose=False)
    wall = time.perf_counter() - start
    assert wall <= max(2 * 1.05, 2 + 5)
    assert r.solver.status in ("ok", "warning") and r.solver.objective_usd is not None
    assert r.solver.termination in ("optimal", "time_limit")
    if r.solver.best_bound_usd is not None:
        assert r.solver.best_bound_usd <= r.solver.objective_usd * (1 + 1e-9)
    if r.solver.termination == "time_limit":
        assert "time" in r.solver.message


def test_the_fallback_plan_is_there_when_no_time_is_left():
    """With no time at all the solve still returns the plan that buys and rents nothing
    (every integer at 0, all demand priced as unmet): 0 chips bought, all demand unmet."""
    inp, tp, training = generate("S", 0)
    r = solve_plan(inp, tp, training, time_limit_s=1e-3, diagnose=False)
    assert r.solver.objective_usd is not None
    assert r.solver.termination == "time_limit"
    assert r.purchases == [] and r.unmet_demand_share == pytest.approx(1.0)
    assert "fallback" in r.solver.message


class _CostOnly:
    """Stands in for a HighsModel where the search only prices a plan: cost = sum."""

    def cost(self, values):
        return float(np.sum(values))


def test_progress_says_no_bound_before_one_is_known_and_the_gap_after():
    """The first plan (the fallback) comes before any bound: its progress line says so
    instead of "bound $-inf, gap inf%"; once a bound is known the line gives it and the gap
    ($100 plan, $90 bound: gap 10%)."""
    from planner.optimize.strategy import _Search

    lines: list[str] = []
    search = _Search(_CostOnly(), 0.005, lines.append)
    search.offer(np.array([60.0, 40.0]), source="fallback")
    assert "no bound yet" in lines[-1] and "inf" not in lines[-1]
    search.raise_bound(90.0)
    search.offer(np.array([50.0, 50.0]), source="dive")
    assert "bound $90, gap 10.000%" in lines[-1]
