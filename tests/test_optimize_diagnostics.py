"""Diagnostics name the cause of unmet demand: one known-answer instance per cause, each
checked on the report's Diagnostics sheet (issue 14).

The instances are the two-chip fixture's (tests/optimize_fixtures.py): zero discount rate,
2,000 hours a quarter (83.33 days), chip A bought at $10,000 with a two-quarter life
(annuity at r = 0: $5,000 a quarter in service) and 1 kW ($200 of power a quarter),
serving 86.4M tokens/day; 864M tokens/day of demand needs 10 A.  At the default
$100 per million tokens one A-quarter of unmet demand costs 86.4 x 83.33 x $100 =
$720,000, so anything that can serve, serves.
"""

from __future__ import annotations

from dataclasses import replace

import openpyxl
import pytest
from optimize_fixtures import chip_a, instance, with_settings

from planner.domain import Budget, Site
from planner.optimize import solve_plan
from planner.report import write_report

DEMAND = (864e6, 864e6)


def causes(tmp_path, inp, throughput) -> list[str]:
    """The Diagnostics sheet's messages for unmet demand, in quarter order."""
    result = solve_plan(inp, throughput)
    assert result.has_unmet_demand
    path = write_report(result, inp, tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(path)["Diagnostics"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    return [r["message"] for r in rows if r["constraint"] == "unmet demand"]


def test_nothing_deliverable_yet(tmp_path):
    """No rentals and a one-quarter lead time: nothing can serve 2027Q1 (not the penalty:
    serving would cost far less); 2027Q2 is served by A ordered in Q1."""
    inp, tp = instance(chips=[chip_a(lead_time_quarters=1)], demand=DEMAND)
    msgs = causes(tmp_path, inp, tp)
    assert len(msgs) == 1 and "in 2027Q1: cause: nothing deliverable yet" in msgs[0]
    assert "lead time or availability window" in msgs[0]


def test_power(tmp_path):
    """A 3 kW site holds 3 A (1 kW each, PUE 1): 7 A's worth unmet in each quarter."""
    inp, tp = instance(chips=[chip_a()], demand=DEMAND, power_cap_kw=3)
    msgs = causes(tmp_path, inp, tp)
    assert len(msgs) == 2 and all("cause: power: power cap binds at S" in m for m in msgs)


def test_space(tmp_path):
    """Ample power but room for 3 chips."""
    inp, tp = instance(chips=[chip_a()], demand=DEMAND,
                       sites=(Site("S", power_cap_kw=100, electricity_usd_per_kwh=0.1,
                                   max_chips=3),))
    msgs = causes(tmp_path, inp, tp)
    assert msgs and all("cause: space: site space binds at S" in m for m in msgs)


def test_supply_cap(tmp_path):
    """At most 3 A a quarter and a two-quarter life: 3 A in Q1, 6 in Q2; both short."""
    inp, tp = instance(chips=[chip_a(supply_cap_per_quarter=3)], demand=DEMAND)
    msgs = causes(tmp_path, inp, tp)
    assert len(msgs) == 2 and all("cause: supply cap: supply cap binds at A" in m for m in msgs)


def test_budget(tmp_path):
    """Unmet demand at $1 per million tokens: an A-quarter short costs $7,200, serving it
    $5,200, so without a budget all is served.  A $30,000 capital budget for 2027 buys 3 A;
    a fourth would cost $10,000 x 10 = $100,000 of budget-overrun penalty for $14,400 of
    penalty saved: 7 A's worth is left unmet because of the budget."""
    inp, tp = instance(chips=[chip_a()], demand=DEMAND,
                       budgets=(Budget(2027, capex_usd=30_000),))
    inp = with_settings(inp, unmet_penalty_usd_per_million_tokens=1.0)
    msgs = causes(tmp_path, inp, tp)
    assert msgs and all("cause: budget: capex budget binds at company in 2027" in m
                        for m in msgs)
    unbudgeted = solve_plan(replace(inp, budgets=()), tp)
    assert not unbudgeted.has_unmet_demand


def test_latency_target_no_chip_meets(tmp_path):
    """The only chip's estimate is infeasible: its time to first token misses the target."""
    inp, tp = instance(chips=[chip_a()], demand=DEMAND)
    why = "TTFT target 200 ms cannot be met (best 450 ms)"
    tp = {k: replace(e, feasible=False, output_tokens_per_s_per_chip=0.0, reason=why)
          for k, e in tp.items()}
    msgs = causes(tmp_path, inp, tp)
    assert len(msgs) == 2
    assert all(f"cause: no chip meets its targets: no offered chip can serve it (latency "
               f"targets or model size): A: {why}" in m for m in msgs)


@pytest.mark.parametrize("price", [0.5])
def test_penalty_cheaper_than_serving(tmp_path, price):
    """At $0.5 per million tokens an A-quarter short costs $3,600 < $5,200 to serve it,
    and no limit binds: the plan leaves everything unmet, and says it is the price."""
    inp, tp = instance(chips=[chip_a()], demand=DEMAND)
    inp = with_settings(inp, unmet_penalty_usd_per_million_tokens=price)
    msgs = causes(tmp_path, inp, tp)
    assert len(msgs) == 2
    assert all("cause: penalty cheaper than serving" in m for m in msgs)
