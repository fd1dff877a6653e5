"""Known-answer and property tests for the procurement MIP."""

from __future__ import annotations

import pytest
from optimize_fixtures import two_chip_instance, with_settings

from planner.optimize import solve_plan


def test_known_answer_two_chips_two_quarters():
    """Cheapest plan worked out by hand.

    Per A-equivalent of capacity (86.4M tokens/day):
      * A bought in Q1 serves both quarters: $10,000 + 2 x (1 kW x 2000 h x $0.1) = $10,400.
      * A bought in Q2 serves one quarter and keeps half its life, so half its price is
        credited back at the horizon end: $10,000 + $200 - $5,000 = $5,200.
      * Two rented B for one quarter: 2 x $2/h x 2000 h = $8,000.
    Q1 needs 10 A-equivalents, Q2 needs 15; the 12 kW cap allows 12 A chips.
      Q1: buy 10 A (renting would cost 2 x $8,000 over two quarters, more than $10,400).
      Q2: buy 2 more A ($5,200 each < $8,000), then rent 6 B for the last 3 A-equivalents.
    Total: 10 x 10,400 + 2 x 5,200 + 6 x 4,000 = $138,400.
    """
    inp, throughput = two_chip_instance()
    result = solve_plan(inp, throughput)
    assert result.solver.termination == "optimal"
    assert result.solver.objective_usd == pytest.approx(138_400, abs=1e-3)
    bought = {(r.chip, r.quarter_ordered): r.quantity for r in result.purchases}
    assert bought == {("A", "2027Q1"): 10, ("A", "2027Q2"): 2}
    rented = {(r.chip, r.quarter): r.quantity for r in result.rentals}
    assert rented == {("B", "2027Q2"): 6}
    assert result.unmet_demand_share == 0.0


def test_cashflow_adds_up_to_objective():
    inp, throughput = two_chip_instance()
    result = solve_plan(inp, throughput)
    assert sum(r.discounted_cost_usd + r.discounted_penalty_usd for r in result.cashflow) == \
        pytest.approx(result.solver.objective_usd, abs=1e-6)
    assert result.costs.objective_usd == pytest.approx(result.solver.objective_usd, abs=1e-6)
    q1, q2 = result.cashflow
    assert q1.capital_usd == 100_000 and q2.capital_usd == 20_000
    assert q2.rental_usd == 24_000
    # annuity basis (default), zero rate: $10,000 / 2 quarters of life per A in service,
    # 10 A in Q1, 12 A in Q2; nothing credited at the end
    assert q1.capital_charge_usd == pytest.approx(50_000)
    assert q2.capital_charge_usd == pytest.approx(60_000)
    assert q2.residual_credit_usd == pytest.approx(0.0)
    book = solve_plan(with_settings(inp, cost_basis="cash_book"), throughput)
    assert book.cashflow[1].residual_credit_usd == pytest.approx(10_000)  # 2 A, half life left
    assert book.solver.objective_usd == pytest.approx(result.solver.objective_usd)
    assert q1.power_usd == pytest.approx(2_000) and q2.power_usd == pytest.approx(2_400)


def test_power_cap_respected_and_rentals_fill_the_gap():
    inp, throughput = two_chip_instance(power_cap_kw=5)
    result = solve_plan(inp, throughput)
    for row in result.power:
        assert row.facility_power_kw <= row.cap_kw + 1e-9
    served = {(r.quarter, r.workload): r.served_tokens_per_day for r in result.capacity}
    assert served[("2027Q1", "chat")] == pytest.approx(864e6)
    assert served[("2027Q2", "chat")] == pytest.approx(1296e6)


def test_unmet_demand_is_priced_not_infeasible():
    """No rental chip and a 3 kW cap: at most 3 A chips; the rest is a priced shortfall."""
    inp, throughput = two_chip_instance(power_cap_kw=3)
    inp = inp.__class__(**{**inp.__dict__, "chips": inp.chips[:1]})
    throughput = {k: v for k, v in throughput.items() if k[1] == "A"}
    result = solve_plan(inp, throughput)
    assert result.solver.status == "ok"
    assert result.unmet_demand_share == pytest.approx(1 - (3 * 86.4e6 * 2) / (864e6 + 1296e6))
    penalty = sum(r.unmet_inference_penalty_usd for r in result.cashflow)
    assert penalty > 0
    assert result.costs.unmet_inference_penalty_usd == pytest.approx(penalty)  # no discounting
    assert result.costs.budget_overrun_penalty_usd == 0.0
    assert result.total_cost_usd == pytest.approx(result.solver.objective_usd - penalty, abs=1e-6)
    # cash columns hold cash only: net cash is purchases + power (no penalty in it)
    assert sum(r.net_cash_usd for r in result.cashflow) == pytest.approx(
        sum(r.capital_usd + r.power_usd for r in result.cashflow))


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_both_solvers_agree(solver):
    inp, throughput = two_chip_instance()
    result = solve_plan(with_settings(inp, solver=solver), throughput)
    assert result.solver.solver == solver
    assert result.solver.objective_usd == pytest.approx(138_400, abs=1e-3)
    assert result.solver.gap == pytest.approx(0.0, abs=1e-6)


def test_diagnostics_name_the_binding_power_cap():
    """Only chip A, 3 kW: demand is short, the power cap binds, and one more kW (one more
    A chip, serving 86.4M tokens/day that would otherwise pay the $100/M penalty) is worth
    far more than the chip costs.  A chip bought in 2027Q1 serves both quarters, so the
    duals of the two quarters' caps are degenerate: which quarter carries the price depends
    on the solver's basis (CBC 2027Q1, HiGHS 2027Q2)."""
    inp, throughput = two_chip_instance(power_cap_kw=3)
    inp = inp.__class__(**{**inp.__dict__, "chips": inp.chips[:1]})
    throughput = {k: v for k, v in throughput.items() if k[1] == "A"}
    result = solve_plan(inp, throughput)
    power = [d for d in result.diagnostics if d.constraint == "power cap"]
    assert power and {d.where for d in power} == {"S"}
    assert all(d.shadow_price_usd > 10_000 for d in power)
    unmet = [d for d in result.diagnostics if d.constraint == "unmet demand"]
    assert len(unmet) == 2 and "power cap binds at S" in unmet[0].message


def test_solver_status_separates_termination_and_reports_bound():
    inp, throughput = two_chip_instance()
    info = solve_plan(inp, throughput).solver
    assert (info.status, info.termination) == ("ok", "optimal")
    assert info.best_bound_usd == pytest.approx(info.objective_usd, rel=1e-6)
    assert info.variables > 0 and info.integer_variables > 0 and info.constraints > 0
