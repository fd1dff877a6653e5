"""Constraint families of planner/optimize/fleet.py on the two-chip instance
(tests/optimize_fixtures.py): A bought at $10,000 for a two-quarter life, 1 kW,
86.4M tokens/day; B rented at $2/h (2,000 h a quarter), 43.2M tokens/day."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from optimize_fixtures import two_chip_instance

from planner.optimize import solve_plan


def test_site_space_caps_the_chips_a_site_holds():
    """``define_site_space``: with room for 4 chips, 4 A serve and B fills the rest.

    Per quarter and 86.4M tokens/day, A costs at most $5,000 of its price (two-quarter
    life) + $200 of power (1 kW x 2,000 h x $0.10), B twice $4,000 (2 chips x $2 x 2,000 h):
    A is cheaper, so every slot holds an A.  Demand 864M then 1,296M tokens/day = 10 then
    15 A-equivalents: 4 A + 12 B (4 x 86.4M + 12 x 43.2M = 864M) in 2027Q1 and
    4 A + 22 B (345.6M + 950.4M = 1,296M) in 2027Q2.
    """
    inp, throughput = two_chip_instance(power_cap_kw=100)
    inp = replace(inp, sites=(replace(inp.sites[0], max_chips=4),))
    result = solve_plan(inp, throughput)
    held = Counter()
    for row in result.fleet:
        held[row.quarter, row.chip] += row.quantity
    assert held == {("2027Q1", "A"): 4, ("2027Q2", "A"): 4, ("2027Q1", "B"): 12, ("2027Q2", "B"): 22}
    assert result.unmet_demand_share == pytest.approx(0, abs=1e-9)
