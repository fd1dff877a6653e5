"""The hedged (two-stage stochastic) plan."""

from __future__ import annotations

import pytest
from optimize_fixtures import chip_a, chip_b, instance

from planner.domain import FIRST_STAGE, FixedDecisions
from planner.optimize import solve_plan
from planner.optimize.stochastic import Scenario, solve_hedged

DEMANDS = {"low": (432e6, 432e6, 432e6, 432e6), "high": (864e6, 1296e6, 1728e6, 1728e6)}
PROBS = {"low": 0.5, "high": 0.5}


def scenarios():
    out = []
    for name, demand in DEMANDS.items():
        inp, tp = instance(chips=[chip_a(lifetime_years=1), chip_b()], demand=demand, power_cap_kw=30)
        out.append(Scenario(name, PROBS[name], inp, tp))
    return out


def test_first_stage_is_shared_and_later_decisions_differ():
    hedged = solve_hedged(scenarios(), first_stage_quarters=1, mip_gap=0.0)
    assert hedged.solver.termination == "optimal"
    first = {name: [p for p in r.purchases if p.quarter_ordered == "2027Q1"]
             for name, r in hedged.scenarios.items()}
    assert first["low"] == first["high"]
    later = {name: sum(p.quantity for p in r.purchases if p.quarter_ordered > "2027Q1")
             for name, r in hedged.scenarios.items()}
    assert later["high"] > later["low"]


def test_hedged_expected_cost_never_above_any_single_scenario_plan():
    """E[cost] of the hedged plan <= E[cost] of each scenario's own plan with its first
    stage fixed and the rest re-solved in every scenario (the value of the stochastic
    solution is non-negative)."""
    sc = scenarios()
    hedged = solve_hedged(sc, first_stage_quarters=1, mip_gap=0.0)
    for own in sc:
        plan = solve_plan(own.inp, own.throughput, mip_gap=0.0, diagnose=False)
        fixed = FixedDecisions.from_plan(plan, through="2027Q2", kinds=FIRST_STAGE)
        expected = sum(s.probability * solve_plan(s.inp, s.throughput, fixed=fixed, mip_gap=0.0,
                                                  diagnose=False).solver.objective_usd for s in sc)
        assert hedged.expected_cost_usd <= expected + 1e-6 * expected


def test_one_scenario_hedge_equals_the_deterministic_plan():
    (s,) = scenarios()[:1]
    hedged = solve_hedged([Scenario(s.name, 1.0, s.inp, s.throughput)], first_stage_quarters=2, mip_gap=0.0)
    plan = solve_plan(s.inp, s.throughput, mip_gap=0.0, diagnose=False)
    assert hedged.expected_cost_usd == pytest.approx(plan.solver.objective_usd)


def test_cvar_weight_never_lowers_the_worst_case_less_than_expected_only():
    sc = scenarios()
    neutral = solve_hedged(sc, 1, mip_gap=0.0)
    averse = solve_hedged(sc, 1, mip_gap=0.0, cvar_weight=1.0, alpha=0.5)

    def worst(h):
        return max(r.costs.objective_usd for r in h.scenarios.values())

    assert worst(averse) <= worst(neutral) + 1e-6
    assert averse.expected_cost_usd >= neutral.expected_cost_usd - 1e-6


def test_hedged_plan_is_the_same_with_the_structured_highs_solve():
    pytest.importorskip("highspy")
    sc = scenarios()
    cbc = solve_hedged(sc, first_stage_quarters=1, mip_gap=0.0)
    highs = solve_hedged(sc, first_stage_quarters=1, mip_gap=0.0, solver="highs")
    assert highs.solver.termination == "optimal"
    assert highs.expected_cost_usd == pytest.approx(cbc.expected_cost_usd, rel=1e-9)
    first = {name: sorted((p.chip, p.quantity) for p in r.purchases if p.quarter_ordered == "2027Q1")
             for name, r in highs.scenarios.items()}
    assert first["low"] == first["high"]
