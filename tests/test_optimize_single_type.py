"""The single-chip-type comparison (planner.optimize.single_type): known answers worked by
hand, a type that cannot serve a slice, and the time contract."""

from __future__ import annotations

from dataclasses import replace

import pytest
from optimize_fixtures import estimate

from planner.domain import (
    ChipOffer,
    ChipSpec,
    ExistingChips,
    InferenceWorkload,
    PlanInput,
    Quarter,
    Settings,
    Site,
    ThroughputEstimate,
)
from planner.domain.estimates import Estimates
from planner.optimize import solve_plan
from planner.optimize.clock import Deadline
from planner.optimize.single_type import (
    AUTO_MAX_TYPES,
    compare,
    offered_types,
    restrict_estimates,
    restrict_input,
    wanted,
)

#: tokens/s (prompt+output) per chip of 86.4M and 43.2M tokens/day: output tokens/s of
#: requests of 100 prompt + 100 output tokens are half of that.
FAST, SLOW = 500, 250


def _infeasible(chip: str, workload: str) -> ThroughputEstimate:
    return ThroughputEstimate(chip=chip, model="m", precision="fp8", precision_used="fp8",
                              prompt_tokens=100, output_tokens=100, feasible=False,
                              reason="the model does not fit")


def two_types(with_z: bool = False, existing=()):
    """One quarter of 2,000 hours, zero discount rate, rent-only chips, two workloads.

    X rents at $2/h ($4,000 a quarter), Y at $3/h ($6,000), Z at $1/h ($2,000).
    short (864M tokens/day): X 86.4M/day per chip (10 X), Y 43.2M (20 Y), Z 86.4M (10 Z).
    long (432M tokens/day):  X 43.2M (10 X), Y 86.4M (5 Y), Z cannot serve it.
    """
    settings = Settings(start_quarter=Quarter(2027, 1), quarters=1, discount_rate_per_year=0.0,
                        pue=1.0, target_utilisation=1.0, power_draw_fraction=1.0,
                        hours_per_quarter=2000.0, mip_gap=0.0, time_limit_s=60)
    rents = {"X": 2.0, "Y": 3.0, "Z": 1.0}
    names = ["X", "Y", "Z"] if with_z else ["X", "Y"]
    chips = tuple(ChipOffer(c, None, rents[c], power_kw_per_chip=0.0) for c in names)
    workloads = tuple(InferenceWorkload(name, "m", "fp8", 100, 100, None, None, (demand,))
                      for name, demand in (("short", 864e6), ("long", 432e6)))
    inp = PlanInput(settings=settings, chips=chips,
                    sites=(Site("S", power_cap_kw=1000.0, electricity_usd_per_kwh=0.1),),
                    workloads=workloads, existing=tuple(existing),
                    chip_specs={c: ChipSpec(c, tdp_w=1000) for c in names})
    speed = {("short", "X"): FAST, ("short", "Y"): SLOW, ("long", "X"): SLOW,
             ("long", "Y"): FAST, ("short", "Z"): FAST}
    throughput = {(w.name, c): (estimate(c, w.name, speed[w.name, c]) if (w.name, c) in speed
                                else _infeasible(c, w.name))
                  for w in workloads for c in names}
    return inp, Estimates(throughput)


def _solver(name: str):
    def solve(inp, est, stage):
        return solve_plan(inp, est.throughput, est.training, solver=name, deadline=stage,
                          diagnose=False)
    return solve


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_known_answer_each_type_cheapest_for_one_workload(solver):
    """Worked by hand (one quarter, $ of rent = chips x price x 2,000 h):

    mixed plan: short on 10 X ($40,000) + long on 5 Y ($30,000) = $70,000;
    X only: 10 X + 10 X = 20 X = $80,000;  Y only: 20 Y + 5 Y = 25 Y = $150,000.
    Best single type X at $80,000; mix saving 1 - 70,000 / 80,000 = 12.5%.
    """
    inp, est = two_types()
    plan = solve_plan(inp, est.throughput, solver=solver)
    assert plan.total_cost_usd == pytest.approx(70_000)
    got = compare(inp, est, plan, _solver(solver), Deadline(60))
    by_chip = {o.chip: o for o in got.options}
    assert by_chip["X"].cost_of_ownership_usd == pytest.approx(80_000)
    assert by_chip["Y"].cost_of_ownership_usd == pytest.approx(150_000)
    assert all(o.termination == "optimal" and o.unmet_demand_share == 0 for o in got.options)
    assert got.best_chip == "X"
    assert got.single_type_best_usd == pytest.approx(80_000)
    assert got.mix_saving_share == pytest.approx(0.125)
    assert got.basis == "NPV at 0.0%/yr, annuity basis, pre-tax"
    assert "owned fleet kept" in got.note and "Partial" not in got.note


def test_a_type_that_cannot_serve_a_slice_is_not_best():
    """Z rents cheapest ($2,000 a quarter) and serves short (10 Z = $20,000) but cannot
    serve long at all: its plan costs $20,000 and leaves long's 432M of 1,296M tokens/day
    (1/3) unserved, so it is listed, not called best.  Mixed: 10 Z + 5 Y = $50,000;
    best single type X at $80,000; saving 1 - 50,000 / 80,000 = 37.5%."""
    inp, est = two_types(with_z=True)
    plan = solve_plan(inp, est.throughput)
    assert plan.total_cost_usd == pytest.approx(50_000)
    got = compare(inp, est, plan, _solver("highs"), Deadline(60))
    z = next(o for o in got.options if o.chip == "Z")
    assert z.cost_of_ownership_usd == pytest.approx(20_000)
    assert z.unmet_demand_share == pytest.approx(1 / 3)
    assert not z.serves_all and "unserved" in z.message
    assert got.best_chip == "X" and got.single_type_best_usd == pytest.approx(80_000)
    assert got.mix_saving_share == pytest.approx(0.375)


def test_owned_fleet_is_kept_in_every_single_type_plan():
    """Owning 5 Y (sunk, no power cost here) covers long in every plan: X alone then needs
    only the 10 X for short ($40,000), which equals the mixed plan: saving 0."""
    inp, est = two_types(existing=[ExistingChips("Y", "S", 5, Quarter(2026, 1))])
    plan = solve_plan(inp, est.throughput)
    got = compare(inp, est, plan, _solver("highs"), Deadline(60))
    assert plan.total_cost_usd == pytest.approx(40_000)
    by_chip = {o.chip: o.cost_of_ownership_usd for o in got.options}
    assert by_chip["X"] == pytest.approx(40_000)
    assert by_chip["Y"] == pytest.approx(20 * 6_000)   # short on 20 Y, long on the owned 5
    assert got.mix_saving_share == pytest.approx(0.0, abs=1e-9)


def test_restrictions_remove_other_prices_and_estimates_only():
    inp, est = two_types(with_z=True, existing=[ExistingChips("Y", "S", 1, Quarter(2026, 1))])
    only_x = restrict_input(inp, "X")
    assert [(o.chip, o.rent_usd_per_chip_hour) for o in only_x.chips] == \
        [("X", 2.0), ("Y", None), ("Z", None)]
    assert only_x.existing == inp.existing and only_x.workloads == inp.workloads
    kept = restrict_estimates(est, {"X", "Y"})
    assert {c for _, c in kept.throughput} == {"X", "Y"}
    assert kept.throughput[("short", "X")] is est.throughput[("short", "X")]
    assert offered_types(replace(inp, chips=(*inp.chips, ChipOffer("W", None, None)))) == \
        ["X", "Y", "Z"]


def test_auto_runs_with_two_to_eight_offered_types():
    inp, _ = two_types()
    assert wanted(inp, "auto") and wanted(inp, "yes") and not wanted(inp, "no")
    assert not wanted(replace(inp, chips=inp.chips[:1]), "auto")
    many = tuple(ChipOffer(f"T{i}", None, 1.0) for i in range(AUTO_MAX_TYPES + 1))
    assert wanted(replace(inp, chips=many[:AUTO_MAX_TYPES]), "auto")
    assert not wanted(replace(inp, chips=many), "auto") and wanted(replace(inp, chips=many), "yes")


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_each_type_gets_a_fair_share_and_late_ones_are_listed_as_not_solved():
    """A 10 s run on a fake clock where each solve takes 6 s, 2 s needed per solve:
    X gets 10/3 s, Y then 4/2 = 2 s, Z nothing (12 s have passed): partial, so no
    saving is stated (the headline must not flatter)."""
    inp, est = two_types(with_z=True)
    plan = solve_plan(inp, est.throughput)
    clock = _Clock()
    run = Deadline(10.0, clock=clock)
    stages = []

    def solve(i, e, stage):
        stages.append(round(stage.left(), 6))
        result = _solver("highs")(i, e, None)
        clock.t += 6.0
        return result

    got = compare(inp, est, plan, solve, run, need_s=2.0)
    assert stages == [pytest.approx(10 / 3), pytest.approx(2.0)]
    assert [o.termination for o in got.options] == ["optimal", "optimal", "not_solved"]
    assert got.options[2].cost_of_ownership_usd is None
    assert "Partial" in got.note and "Z" in got.note
    # Z, not solved, might have been cheaper than X: no best and no saving are stated
    assert got.best_chip is None and got.mix_saving_share is None
    assert "cheapest type solved (X) is not stated as the best" in got.note


def test_an_expired_deadline_solves_nothing_and_states_no_saving():
    inp, est = two_types()
    plan = solve_plan(inp, est.throughput)
    called = []
    got = compare(inp, est, plan, lambda *a: called.append(a), Deadline(0.0))
    assert called == []
    assert [o.termination for o in got.options] == ["not_solved", "not_solved"]
    assert got.single_type_best_usd is None and got.mix_saving_share is None
    assert "no saving is stated" in got.note


def test_per_workload_uses_the_attribution_given():
    """With an attribution of USD per Mtok = rent of the chips serving the workload
    (short: 864M x 2,000/24 days = 72,000 Mtok; long 36,000 Mtok):
    short: plan 10 X = $40,000 / 72,000 = $0.556, X only the same, Y only 20 Y = $1.667;
    long: plan 5 Y = $30,000 / 36,000 = $0.833, X only 10 X = $1.111, Y only the same."""
    inp, est = two_types()
    plan = solve_plan(inp, est.throughput)
    days = 2000 / 24

    def attribution(result):
        out = {}
        for w in ("short", "long"):
            cost = sum(a.chips * {"X": 4000, "Y": 6000}[a.chip] for a in result.allocation
                       if a.workload == w)
            tokens = sum(c.served_tokens_per_day for c in result.capacity if c.workload == w)
            out[w] = cost / (tokens * days / 1e6)
        return out

    got = compare(inp, est, plan, _solver("highs"), Deadline(60), cost_per_mtok=attribution)
    rows = {r.workload: r for r in got.per_workload}
    assert rows["short"].best_chip == "X"
    assert rows["short"].plan_usd_per_mtok == pytest.approx(40_000 / 72_000)
    assert rows["short"].saving_share == pytest.approx(0.0, abs=1e-9)
    assert rows["long"].best_chip == "Y"
    assert rows["long"].single_type_usd_per_mtok == pytest.approx(30_000 / 36_000)


def test_every_stage_ends_by_the_run_deadline():
    """A run of 1.5 s (a small limit; nothing about speed is asserted): each single-type
    solve is handed a stage of at least ``need_s`` that ends by the run's end less the
    report's reserve; a type that would get less is not started."""
    inp, est = two_types(with_z=True)
    plan = solve_plan(inp, est.throughput)
    run = Deadline(1.5)
    stages = []

    def solve(i, e, stage):
        stages.append((stage.end, stage.seconds))
        return _solver("highs")(i, e, stage)

    got = compare(inp, est, plan, solve, run, reserve_s=0.5, need_s=0.05)
    # (the clock is read twice inside Deadline.budget: microseconds apart)
    assert all(end <= run.end - 0.5 + 1e-3 and left >= 0.05 for end, left in stages)
    assert len(got.options) == 3
    assert all(o.termination in ("optimal", "time_limit", "not_solved") for o in got.options)


def test_an_interrupted_run_solves_no_more_types():
    inp, est = two_types()
    plan = solve_plan(inp, est.throughput)
    run = Deadline(60)
    run.interrupt()
    got = compare(inp, est, plan, lambda *a: pytest.fail("solved after Ctrl-C"), run)
    assert [o.termination for o in got.options] == ["not_solved", "not_solved"]
