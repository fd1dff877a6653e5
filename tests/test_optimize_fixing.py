"""Fixed decisions: what a re-plan keeps and a regret evaluation imposes."""

from __future__ import annotations

import pytest
from optimize_fixtures import two_chip_instance

from planner.domain import FixedDecisions, PlannerError, PurchaseRow
from planner.optimize import solve_plan


def test_fixing_a_plan_to_itself_reproduces_it():
    inp, tp = two_chip_instance()
    first = solve_plan(inp, tp)
    again = solve_plan(inp, tp, fixed=FixedDecisions.from_plan(first, through="2027Q3"))
    assert again.solver.objective_usd == pytest.approx(first.solver.objective_usd)
    assert again.purchases == first.purchases and again.rentals == first.rentals


def test_fixed_past_purchases_are_kept_and_the_rest_reoptimised():
    """Q1 purchases fixed at 12 A (the optimum buys 10).  Q2 needs 15 A-equivalents; the
    12 kW cap is full, so the last 3 are six rented B.  12 x 10,400 + 6 x 4,000 = $148,800."""
    inp, tp = two_chip_instance()
    fixed = FixedDecisions(through="2027Q2",
                           purchases=(PurchaseRow("A", "S", "2027Q1", "2027Q1", 12, 10_000, 120_000),))
    r = solve_plan(inp, tp, fixed=fixed)
    assert r.solver.objective_usd == pytest.approx(148_800)
    assert [(p.quarter_ordered, p.quantity) for p in r.purchases] == [("2027Q1", 12)]


def test_decisions_before_through_without_rows_are_fixed_to_zero():
    """Nothing was bought or rented in Q1, so Q1's 864M tokens/day go unmet at $100 per
    million for 83.33 days ($7,200,000).  Q2 buys 12 A at $5,200 and rents 6 B: $86,400."""
    inp, tp = two_chip_instance()
    r = solve_plan(inp, tp, fixed=FixedDecisions(through="2027Q2"))
    assert all(p.quarter_ordered == "2027Q2" for p in r.purchases)
    assert r.rentals and all(x.quarter == "2027Q2" for x in r.rentals)
    assert r.capacity[0].unmet_tokens_per_day == pytest.approx(864e6)
    assert r.solver.objective_usd == pytest.approx(7_200_000 + 86_400)


def test_fixing_an_impossible_purchase_is_a_clear_error():
    inp, tp = two_chip_instance()
    bad = FixedDecisions(purchases=(PurchaseRow("B", "S", "2027Q1", "2027Q1", 1, 0, 0),))
    with pytest.raises(PlannerError, match="not allowed"):
        solve_plan(inp, tp, fixed=bad)


def test_commitments_that_cannot_be_powered_sit_unused_when_asked():
    """Ten A fixed in 2027Q1 at a 5 kW site: infeasible as a plan, but an evaluation may
    leave 5 A unused (no power drawn).  Q1: 5 A serve 432M of 864M tokens/day, rentals are
    fixed to none, so 432M x 83.33 days x $100/M = $3,600,000 unmet; Q2: 5 A and 20 rented
    B ($80,000) serve 1,296M.  All ten A charged: 10 x $10,000 / 2 quarters x 2 = $100,000
    (annuity, zero rate); power 5 kW x 2,000 h x $0.10 x 2 = $2,000.  Total $3,782,000."""
    inp, tp = two_chip_instance(power_cap_kw=5)
    fixed = FixedDecisions(through="2027Q2",
                           purchases=(PurchaseRow("A", "S", "2027Q1", "2027Q1", 10, 10_000,
                                                  100_000),))
    assert solve_plan(inp, tp, fixed=fixed, diagnose=False).solver.termination == "infeasible"
    r = solve_plan(inp, tp, fixed=fixed, diagnose=False, store_unpowered=True)
    assert r.solver.objective_usd == pytest.approx(3_782_000)
    assert r.costs.unmet_inference_penalty_usd == pytest.approx(3_600_000)
    assert r.costs.cost_of_ownership_usd == pytest.approx(182_000)
