"""Cost per workload pooled by chip type (planner.report.metrics.COST_METHOD): a workload
on a dear chip carries its price, worked by hand on an owned-chip plan."""

from __future__ import annotations

import pytest
from optimize_fixtures import estimate
from test_optimize_single_type import _infeasible

from planner.domain import (
    ChipOffer,
    ChipSpec,
    InferenceWorkload,
    PlanInput,
    Quarter,
    Settings,
    Site,
)
from planner.optimize import solve_plan
from planner.report import metrics


def _plan():
    """One quarter of 2,000 h, no discounting, cash basis, owned chips only, PUE 1,
    $0.10/kWh drawn at nameplate.  Chip A costs $10,000 and B $30,000, 1 kW each, one-
    quarter lives.  short (172.8M tokens/day) runs only on A at 86.4M/day per chip: 2 A;
    long (86.4M/day) only on B: 1 B.  Capital $20,000 + $30,000 = $50,000; power
    2,000 h x 1 kW x $0.10 = $200 per chip, $600 in all.

    By type: A's pool is its 2 chips' capital $20,000 (2 x $10,000 of the 2 x 10,000 +
    1 x 30,000 price-weighted owned chips) + power 2/3 x $600 = $20,400, all to short;
    B's is $30,000 + $200 = $30,200, all to long.  Split by chips alone (the old rule)
    would have given short 2/3 of $50,600 = $33,733."""
    settings = Settings(start_quarter=Quarter(2027, 1), quarters=1, discount_rate_per_year=0.0,
                        pue=1.0, target_utilisation=1.0, power_draw_fraction=1.0,
                        hours_per_quarter=2000.0, mip_gap=0.0, time_limit_s=60,
                        cost_basis="cash")
    chips = tuple(ChipOffer(c, purchase_usd_per_chip=price, rent_usd_per_chip_hour=None,
                            lifetime_years=0.25, power_kw_per_chip=1.0)
                  for c, price in (("A", 10_000), ("B", 30_000)))
    workloads = (InferenceWorkload("short", "m", "fp8", 100, 100, None, None, (172.8e6,)),
                 InferenceWorkload("long", "m", "fp8", 100, 100, None, None, (86.4e6,)))
    inp = PlanInput(settings=settings, chips=chips,
                    sites=(Site("S", power_cap_kw=100.0, electricity_usd_per_kwh=0.1),),
                    workloads=workloads, chip_specs={c: ChipSpec(c, tdp_w=1000) for c in "AB"})
    throughput = {("short", "A"): estimate("A", "short", 500),
                  ("long", "B"): estimate("B", "long", 500),
                  ("short", "B"): _infeasible("B", "short"),
                  ("long", "A"): _infeasible("A", "long")}
    return solve_plan(inp, throughput, {}, solver="highs", diagnose=False), inp


def test_each_chip_types_cost_goes_to_the_workloads_on_it():
    result, inp = _plan()
    assert {(r.chip, r.quantity) for r in result.purchases} == {("A", 2), ("B", 1)}
    assert sum(r.cost_usd for r in result.cashflow) == pytest.approx(50_600)
    users, unallocated = metrics.cost_per_user(result, inp)
    cost = {u.user: u.cost_usd for u in users}
    assert cost["short"] == pytest.approx(20_400)
    assert cost["long"] == pytest.approx(30_200)
    assert abs(unallocated) < 1e-6
