"""Small, fast tests of the benchmark's instance generator and greedy baseline."""

from __future__ import annotations

import inspect
import math

import pytest

from bench.generate import SIZES, generate
from bench.greedy import build_greedy_plan, cost_in_mip, greedy_plan
from planner.optimize import solve_plan


@pytest.fixture(scope="module")
def small():
    return generate("S", 0)


@pytest.fixture(scope="module")
def medium():
    return generate("M", 0)


def test_generator_is_deterministic_for_a_seed():
    assert generate("S", 3) == generate("S", 3)
    assert generate("M", 0)[0] == generate("M", 0)[0]
    assert generate("S", 3)[0] != generate("S", 4)[0]


@pytest.mark.parametrize("size", ["S", "M"])
def test_generator_sizes_and_magnitudes(size):
    inp, throughput, training = generate(size, 0)
    spec = SIZES[size]
    assert (len(inp.chips), len(inp.sites), inp.settings.quarters, len(inp.workloads)) == (
        spec.chips, spec.sites, spec.quarters, spec.workloads)
    for o in inp.chips:
        assert o.purchase_usd_per_chip is None or 8_000 <= o.purchase_usd_per_chip <= 45_000
        assert o.rent_usd_per_chip_hour is None or 1.0 <= o.rent_usd_per_chip_hour <= 6.0
        assert o.purchase_usd_per_chip is not None or o.rent_usd_per_chip_hour is not None
        assert 0.4 <= o.power_kw_per_chip <= 1.6
        assert 4 <= o.lifetime_years <= 6
        assert 0 <= o.lead_time_quarters <= 4 and 0 <= o.price_decline_per_quarter <= 0.03
    modes = {(o.purchase_usd_per_chip is None, o.rent_usd_per_chip_hour is None) for o in inp.chips}
    assert {(True, False), (False, True), (False, False)} <= modes  # rent-only, buy-only, both
    assert any(o.available_from is not None for o in inp.chips)
    assert any(o.supply_cap_per_quarter is not None for o in inp.chips)
    rates = [e.tokens_per_s_per_chip for e in throughput.values() if e.feasible]
    assert 500 * 0.999 <= min(rates) and max(rates) <= 20_000 * 1.001
    assert any(not e.feasible for e in throughput.values())
    for w in inp.workloads:
        assert 0.9e9 <= w.demand_tokens_per_day[0] <= 220e9
        assert len(w.demand_tokens_per_day) == inp.settings.quarters
        # servable from the first quarter by a chip that can be rented
        assert any(throughput[w.name, o.chip].feasible and o.rent_usd_per_chip_hour is not None
                   for o in inp.chips)
    if size == "M":
        assert inp.training and inp.budgets and inp.existing
        for run in inp.training:
            assert any(training[run.name, o.chip].feasible for o in inp.chips)
    else:
        assert not inp.training and not inp.budgets and not inp.existing


def _check_plan(plan):
    """Demand balance, chips used within chips held, power and supply caps, lead times."""
    p = plan.params
    T = p.horizon
    for w in p.workloads:
        for t in range(T):
            served = sum(x * p.capacity[w, c] for (w2, c, t2), x in plan.alloc.items()
                         if w2 == w and t2 == t)
            assert served + plan.unmet.get((w, t), 0.0) == pytest.approx(p.demand[w, t], rel=1e-6)
    gang_use = {}
    for r, (c, chips, _place, start) in plan.gangs.items():
        for t in range(start, start + p.train_quarters[r, c, chips]):
            gang_use[c, t] = gang_use.get((c, t), 0) + chips
        assert start in p.train_window[r] and start + p.train_quarters[r, c, chips] - 1 <= p.train_window[r][-1]
    for c in p.chips:
        for t in range(T):
            used = sum(x for (_w, c2, t2), x in plan.alloc.items() if c2 == c and t2 == t)
            held = sum(plan.fleet.get((c, s, t), 0) for s in p.sites) + plan.rented(c, t)
            assert used + gang_use.get((c, t), 0) <= held + 1e-6, (c, t)
    for s in p.sites:
        for t in range(T):
            assert plan.facility_kw(s, t) <= p.site_cap_kw[s, t] + 1e-6, (s, t)
    bought = {}
    for (c, s, o), n in plan.buys.items():
        assert n > 0 and (c, o) in p.buy_price_usd          # available, arrives in the horizon
        assert o + p.lead_quarters[c] < T
        bought[c, o] = bought.get((c, o), 0) + n
    for (c, o), n in bought.items():
        assert n <= p.supply_cap.get(c, math.inf)
    # owned chips serve from delivery (order + lead time) for their life, no earlier
    fleet = {}
    cohorts = [(c, s, o + p.lead_quarters[c], n) for (c, s, o), n in plan.buys.items()]
    cohorts += [(c, s, d, n) for (c, s, d), n in p.existing.items()]
    for c, s, delivered, n in cohorts:
        for t in p.alive_range(c, delivered):
            fleet[c, s, t] = fleet.get((c, s, t), 0) + n
    assert fleet == plan.fleet
    for year, limit in p.capex_budget.items():
        spent = sum(n * p.buy_price_usd[c, o] for (c, _s, o), n in plan.buys.items()
                    if p.years[o] == year)
        assert spent <= limit + 1e-6


def test_greedy_meets_demand_and_respects_caps_on_S(small):
    plan = build_greedy_plan(*small)
    assert not plan.unmet and plan.buys and (plan.rent or plan.reserve)
    _check_plan(plan)


def test_greedy_respects_caps_on_M(medium):
    plan = build_greedy_plan(*medium)
    _check_plan(plan)
    assert set(plan.gangs) | set(plan.unmet_train) == set(plan.params.runs)
    assert plan.cost == pytest.approx(greedy_plan(*medium))


def test_greedy_cost_is_the_mip_objective_of_its_decisions(small):
    """The MIP with the greedy's buys, rentals and reserved terms fixed costs the same
    (allocation is the only freedom left): the greedy is costed by the MIP's conventions."""
    plan = build_greedy_plan(*small)
    assert cost_in_mip(plan, "cbc") == pytest.approx(plan.cost, rel=1e-6)


def test_mip_never_costs_more_than_greedy_on_S(small):
    inp, throughput, training = small
    kwargs = {"diagnose": False} if "diagnose" in inspect.signature(solve_plan).parameters else {}
    result = solve_plan(inp, throughput, training, solver="cbc", time_limit_s=30, mip_gap=0.005,
                        **kwargs)
    assert result.solver.objective_usd is not None
    assert result.solver.objective_usd <= greedy_plan(inp, throughput, training) + 1e-6
