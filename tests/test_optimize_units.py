"""planner.optimize.units: chips bought, sold and rented in whole servers and instances."""

from __future__ import annotations

import pytest
from optimize_fixtures import chip_a, chip_b, instance

from planner.optimize import solve_plan


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_order_units_force_buying_a_whole_server(solver: str) -> None:
    """Chip A (buy only, $10,000, 1 kW, a two-quarter life, 86.4M tokens/day) and demand
    of 5 x 86.4M tokens/day in both quarters; 2,000 h a quarter at $0.10/kWh is $200 of
    power per chip-quarter, and a chip short costs 2000/24 x 86.4 x $100 = $720,000 a
    quarter.  Chip by chip the plan buys 5: 5 x 10,000 + 5 x 2 x 200 = $52,000.  Sold by
    the 8-chip server it must buy 8 (one server; 5 chips cannot be ordered):
    8 x 10,000 + 8 x 2 x 200 = $83,200, still far below leaving demand unmet."""
    demand = (5 * 86.4e6, 5 * 86.4e6)
    loose, tp = instance(chips=[chip_a()], demand=demand)
    server, _ = instance(chips=[chip_a(order_unit_chips=8)], demand=demand)
    tp = {k: v for k, v in tp.items() if k[1] == "A"}
    one = solve_plan(loose, tp, solver=solver, mip_gap=0.0, diagnose=False)
    eight = solve_plan(server, tp, solver=solver, mip_gap=0.0, diagnose=False)
    assert sum(r.quantity for r in one.purchases) == 5
    assert one.solver.objective_usd == pytest.approx(52_000, abs=1e-3)
    assert [r.quantity for r in eight.purchases] == [8]
    assert eight.solver.objective_usd == pytest.approx(83_200, abs=1e-3)
    assert eight.unmet_demand_share == pytest.approx(0.0, abs=1e-9)


def test_rental_units_rent_whole_instances() -> None:
    """Chip B (rent only, $2/h, 43.2M tokens/day) and demand of 3 x 43.2M tokens/day in
    one quarter: chip by chip 3 are rented (3 x 2 x 2000 = $12,000); by the 8-chip instance
    one instance, 8 chips: 8 x 2 x 2000 = $32,000."""
    demand = (3 * 43.2e6,)
    loose, tp = instance(chips=[chip_b()], demand=demand)
    inst, _ = instance(chips=[chip_b(rental_unit_chips=8)], demand=demand)
    tp = {k: v for k, v in tp.items() if k[1] == "B"}
    one = solve_plan(loose, tp, mip_gap=0.0, diagnose=False)
    eight = solve_plan(inst, tp, mip_gap=0.0, diagnose=False)
    assert sum(r.quantity for r in one.rentals) == 3
    assert one.solver.objective_usd == pytest.approx(12_000, abs=1e-3)
    assert sum(r.quantity for r in eight.rentals) == 8
    assert eight.solver.objective_usd == pytest.approx(32_000, abs=1e-3)
