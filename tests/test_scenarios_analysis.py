"""What-if, regret, sweeps and the hedged plan on a tiny instance (estimates given, so no
performance core): the economics come out the way they must."""

from __future__ import annotations

import dataclasses

import pytest
from optimize_fixtures import chip_a, chip_b, estimate, instance

from planner.domain import Estimates, Quarter
from planner.domain.scenarios import Override, ScenarioSpec
from planner.scenarios.hedge import run_hedge
from planner.scenarios.sweep import sweep, tornado
from planner.scenarios.whatif import regret_matrix, run_whatif

DEMAND = (432e6, 864e6, 1296e6, 1296e6, 1728e6, 1728e6)


def tiny(*scenarios: ScenarioSpec):
    """Two workloads; chip A (buy, 1 kW, one-year life), chip B (rent); 30 kW; 6 quarters."""
    inp, tp = instance(chips=[chip_a(lifetime_years=1), chip_b()], demand=DEMAND,
                       power_cap_kw=30)
    chat = inp.workloads[0]
    batch = dataclasses.replace(chat, name="batch",
                                demand_tokens_per_day=tuple(d / 2 for d in DEMAND))
    tp = {**tp, **{("batch", c): estimate(c, "batch", s) for c, s in (("A", 500), ("B", 250))}}
    inp = dataclasses.replace(inp, workloads=(chat, batch), scenarios=scenarios)
    return inp, Estimates(tp)


def S(name: str, *overrides: Override, p: float = 1.0) -> ScenarioSpec:
    return ScenarioSpec(name, overrides, p)


DOUBLE_CHAT = S("double-chat", Override("demand", "multiply", 2.0, "chat"))
LOW = S("low", Override("demand", "multiply", 0.5), p=0.3)
HIGH = S("high", Override("demand", "multiply", 1.5), p=0.3)
PRICEY = S("pricey", Override("rent_price", "multiply", 2.0), p=0.2)


def test_doubling_one_workloads_demand_costs_more_and_buys_more():
    inp, est = tiny(DOUBLE_CHAT)
    w = run_whatif(inp, workers=1, estimates=est)
    base, double = w.optima["base"], w.optima["double-chat"]
    assert base.status == double.status == "ok"
    assert double.total_cost_usd > base.total_cost_usd * 1.2
    assert double.chips_bought > base.chips_bought
    chat = {r.quarter: r.demand_tokens_per_day for r in double.result.capacity
            if r.workload == "chat"}
    batch = {r.quarter: r.demand_tokens_per_day for r in double.result.capacity
             if r.workload == "batch"}
    assert chat["2027Q1"] == 2 * DEMAND[0] and batch["2027Q1"] == DEMAND[0] / 2


def test_regret_matrix_is_zero_on_the_diagonal_and_never_negative():
    inp, est = tiny(LOW, HIGH, PRICEY)
    w = run_whatif(inp, workers=1, estimates=est)
    cells = regret_matrix(w)
    assert len(cells) == 16
    for c in cells:
        assert c.regret_usd is not None, c
        if c.plan_for == c.scenario:
            assert c.regret_usd == 0
        assert c.regret_usd >= 0
    # planning for low demand and meeting high demand costs something
    low_in_high = next(c for c in cells if (c.plan_for, c.scenario) == ("low", "high"))
    assert low_in_high.regret_usd > 0
    assert w.through == "2028Q1"


def test_hedged_plan_beats_every_single_scenario_plan_in_expectation():
    base = S("base", p=0.2)
    inp, est = tiny(base, LOW, HIGH, PRICEY)
    a = run_hedge(inp, workers=1, estimates=est)
    assert a.hedge.status == "ok"
    w = run_whatif(inp, workers=1, estimates=est)
    probs = {s.name: s.probability for s in inp.scenarios}
    hedged = a.expected_cost_usd
    for plan in probs:
        cells = [c for c in regret_matrix(w) if c.plan_for == plan]
        expected = sum(probs[c.scenario] * c.cost_usd for c in cells)
        assert hedged <= expected * (1 + 1e-6), plan
    assert a.vss_usd >= -1e-6 * hedged
    assert a.evpi_usd >= -1e-6 * hedged
    assert a.eev_usd == pytest.approx(sum(probs[c.scenario] * c.cost_usd for c in regret_matrix(w)
                                          if c.plan_for == "base"), rel=1e-6)
    assert max(a.scenario_costs().values()) >= a.cvar_usd() >= hedged - 1e-6


def test_a_failed_solve_is_reported_and_does_not_sink_the_others():
    broken = S("broken", Override("rent_price", "multiply", 2.0, "A"))  # A has no rent price
    inp, est = tiny(broken, LOW)
    w = run_whatif(inp, workers=1, estimates=est)
    assert w.optima["broken"].status == "error" and not w.optima["broken"].has_plan
    assert "has no rent price" in w.optima["broken"].message
    assert w.optima["base"].status == w.optima["low"].status == "ok"
    cells = {(c.plan_for, c.scenario): c for c in regret_matrix(w)}
    assert cells["base", "broken"].regret_usd is None and cells["base", "low"].regret_usd >= 0


def test_impossible_commitments_are_dropped_and_counted():
    late = S("late", Override("available_from", "set", Quarter(2027, 3), "A"))
    inp, est = tiny(late)
    w = run_whatif(inp, workers=1, estimates=est)
    ev = w.evaluations["base", "late"]
    assert ev.status == "ok" and ev.dropped >= 1


def _costs(res):
    return [(p.value, p.outcome.status, p.outcome.total_cost_usd, p.outcome.chips_bought)
            for p in res.points]


def test_sweep_on_processes_and_on_a_dask_cluster_equals_the_local_run():
    distributed = pytest.importorskip("distributed")
    inp, est = tiny()
    values = ["0.5", "1", "1.5"]
    local = sweep(inp, "demand", values, operation="multiply", workers=1, estimates=est)
    assert [p.outcome.status for p in local.points] == ["ok"] * 3
    costs = [p.outcome.total_cost_usd for p in local.points]
    assert costs == sorted(costs) and costs[0] < costs[-1]
    assert local.points[1].outcome.total_cost_usd == pytest.approx(local.base.total_cost_usd)
    pooled = sweep(inp, "demand", values, operation="multiply", workers=2, estimates=est)
    assert _costs(pooled) == _costs(local)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = sweep(inp, "demand", values, operation="multiply",
                       scheduler=cluster.scheduler_address, estimates=est)
    assert _costs(remote) == _costs(local)
    assert remote.base.total_cost_usd == local.base.total_cost_usd


def test_tornado_has_a_low_and_a_high_point_per_parameter():
    inp, est = tiny()
    res = tornado(inp, "demand:0.8:1.2,rent_price@B:0.5:2", workers=1, estimates=est)
    assert [(p.parameter, p.value) for p in res.points] == [
        ("demand", "0.8"), ("demand", "1.2"), ("rent_price@B", "0.5"), ("rent_price@B", "2")]
    demand = [p.outcome.total_cost_usd for p in res.points[:2]]
    assert demand[0] < res.base.total_cost_usd < demand[1]


def test_vss_words_say_when_the_hedged_solve_stopped_early():
    """EEV $10.7M, hedged expected cost $14.5M from a solve stopped at its time limit: the
    VSS is -$3.8M, and the words say the sign comes from the early stop; priced shortfalls
    in a scenario are named."""
    from planner.domain.scenarios import ScenarioSpec
    from planner.scenarios.hedge import HedgeAnalysis
    from planner.scenarios.jobs import Outcome

    def out(key, cost, termination="optimal", gap=0.0, priced=False):
        o = Outcome(key, "eev", key, "base", "", "ok", termination=termination, gap=gap,
                    objective_usd=cost)
        o.shortfall_priced = priced
        return o

    specs = [ScenarioSpec("base", probability=0.5), ScenarioSpec("late", probability=0.5)]
    hedge = out("hedge", 14.5e6, "time_limit", 0.321)
    eev = {"base": out("base", 10.0e6), "late": out("late", 11.4e6, priced=True)}
    a = HedgeAnalysis(specs, hedge, eev["base"], dict(eev), eev, 4, 0.0, 0.9)
    words = a._vss_words()
    assert words.startswith("VSS: $-3,800,000")
    assert "In late the base plan's first-stage chips cannot all be powered or housed" in words
    assert "stopped early (time_limit, gap 32.10%)" in words
    assert "its sign says the solve stopped, not that hedging loses" in words
