"""Request-size mixes through the one pipeline: known answers worked by hand (two size
slices, two chip types, measured throughputs), complete measured sets, and every place
that plans (what-if, hedge, re-plan estimates) seeing the slices and returning workloads.

The instance (prices and rates are assumptions chosen for round numbers):

* one workload "chat" (llama-2-7b, bf16) with a request mix of two slices, half of the
  requests each: short = prompt 0-100, output 0-100 (representative 100 + 100 = 200
  tokens) and long = prompt 100-1,000, output 0-100 (1,000 + 100 = 1,100 tokens);
  tokens per request 0.5 x 200 + 0.5 x 1,100 = 650;
* demand 20 requests/s in 2027Q1 and 40 in 2027Q2: 20 x 86,400 x 650 = 1,123,200,000
  tokens/day, of which short 10 x 86,400 x 200 = 172,800,000 and long 10 x 86,400 x 1,100
  = 950,400,000 (slice share of tokens: 0.5 x 200 / 650 and 0.5 x 1,100 / 650);
* rent only, on demand, 2,000 hours a quarter, no discounting, target utilisation 1,
  peak-to-average 1, no software maturity: a chip serving r requests/s serves
  r x 86,400 x (prompt + output) tokens/day;
* L40S at $1/chip-hour, measured 1 request/s of short and 0.5 of long;
  H100 SXM at $2/chip-hour, measured 5 requests/s of short and 0.5 of long.

Dollars per (request/s)-hour: short on L40S 1/1 = 1, on H100 2/5 = 0.4 -> H100;
long on L40S 1/0.5 = 2, on H100 2/0.5 = 4 -> L40S.  So 2027Q1: short 10/5 = 2 H100,
long 10/0.5 = 20 L40S: (2 x 2 + 20 x 1) $/h x 2,000 h = $48,000; 2027Q2 twice that,
4 H100 and 40 L40S, $96,000; total $144,000.  (The unmet penalty, $100 per million
tokens, is far above any of these: long on H100 costs 2 / (0.5 x 1,100 x 3,600 / 10^6)
= $1.01 per million tokens.)
"""

import dataclasses

import pytest

from planner.domain import (
    ChipOffer,
    FixedDecisions,
    InferenceWorkload,
    MeasuredThroughput,
    PlanInput,
    Quarter,
    Settings,
    Site,
)
from planner.domain.inputs import CompleteMeasuredSet
from planner.domain.mixes import RequestMix, SizeSlice, tokens_per_day
from planner.domain.scenarios import Override, ScenarioSpec
from planner.domain.slicing import expand
from planner.perf.catalog import load_chips, load_models
from planner.pipeline import SolveOptions, estimates_for, plan
from planner.scenarios.jobs import Job, run_job

SHORT = SizeSlice(100, 100, 0.5, 100, 100)
LONG = SizeSlice(1000, 100, 0.5, 1000, 100, prompt_tokens_min=100)
SHORT_NAME, LONG_NAME = SHORT.label, LONG.label
MODEL = "llama-2-7b"
H = 2000.0


def rps(chip, prompt, rate):
    return MeasuredThroughput(chip, MODEL, "bf16", None, prompt, 100, "lab",
                              requests_per_s_per_chip=rate)


MEASURED = (rps("L40S", 100, 1.0), rps("L40S", 1000, 0.5),
            rps("H100 SXM", 100, 5.0), rps("H100 SXM", 1000, 0.5))


def make_input(measured=MEASURED, complete=(), requests_per_s=(20.0, 40.0)):
    mix = RequestMix((SHORT, LONG), "hand-made")
    demand = tuple(tokens_per_day(r, "requests_per_s", mix.tokens_per_request)
                   for r in requests_per_s)
    chat = InferenceWorkload("chat", MODEL, "bf16", mix.mean_prompt_tokens,
                             mix.mean_output_tokens, None, None, demand, mix=mix,
                             demand_unit="requests_per_s")
    specs = load_chips()
    settings = Settings(start_quarter=Quarter(2027, 1), quarters=len(requests_per_s),
                        discount_rate_per_year=0.0, target_utilisation=1.0,
                        hours_per_quarter=H, mip_gap=0.0, time_limit_s=60,
                        software_maturity=False)
    return PlanInput(
        settings=settings,
        chips=(ChipOffer("L40S", None, 1.0), ChipOffer("H100 SXM", None, 2.0)),
        sites=(Site("dc", 1000.0, 0.1),), workloads=(chat,), measured=tuple(measured),
        complete_measured=tuple(complete),
        chip_specs={c: specs[c] for c in ("L40S", "H100 SXM")}, model_specs=load_models())


def rented(result) -> dict[tuple[str, str], int]:
    return {(r.quarter, r.chip): r.quantity for r in result.rentals}


def chips_by_slice(result) -> dict[tuple[str, str, str], float]:
    return {(r.quarter, r.slice, r.served_by): round(r.chips, 6)
            for r in result.slices if r.kind == "chip"}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_each_slice_is_served_on_the_chip_cheapest_for_it(solver):
    """Short on H100 (2 then 4 chips), long on L40S (20 then 40): $144,000 (module doc)."""
    result = plan(make_input(), SolveOptions(solver=solver, diagnose=False))
    assert result.solver.termination == "optimal"
    assert rented(result) == {("2027Q1", "H100 SXM"): 2, ("2027Q1", "L40S"): 20,
                              ("2027Q2", "H100 SXM"): 4, ("2027Q2", "L40S"): 40}
    assert chips_by_slice(result) == {
        ("2027Q1", SHORT_NAME, "H100 SXM"): 2, ("2027Q1", LONG_NAME, "L40S"): 20,
        ("2027Q2", SHORT_NAME, "H100 SXM"): 4, ("2027Q2", LONG_NAME, "L40S"): 40}
    assert result.total_cost_usd == pytest.approx(144_000.0)
    assert result.costs.objective_usd == pytest.approx(144_000.0)
    assert not result.has_unmet_demand
    # the plan names the input's workload; the slices carry the detail, all measured
    assert {r.workload for r in result.capacity + result.allocation} == {"chat"}
    q1 = next(r for r in result.capacity if r.quarter == "2027Q1")
    assert q1.demand_tokens_per_day == pytest.approx(1_123_200_000.0)
    assert q1.served_tokens_per_day == pytest.approx(1_123_200_000.0)
    short_q1 = next(r for r in result.slices if r.quarter == "2027Q1" and r.slice == SHORT_NAME)
    assert short_q1.tokens_per_day == pytest.approx(172_800_000.0)
    assert short_q1.requests_per_s == pytest.approx(10.0)
    assert short_q1.share_of_requests == 0.5 and short_q1.workload == "chat"
    assert {r.throughput_source for r in result.slices} == {"measured"}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_size_missing_from_a_complete_set_moves_to_the_other_chip(solver):
    """L40S's long measurement is missing and its set is declared complete: L40S cannot
    serve long, so long goes to H100 too: 2027Q1 short 2 + long 10/0.5 = 20 H100 = 22,
    2027Q2 44; cost 22 x $2 x 2,000 + 44 x $2 x 2,000 = $88,000 + $176,000 = $264,000."""
    measured = tuple(m for m in MEASURED if not (m.chip == "L40S" and m.prompt_tokens == 1000))
    inp = make_input(measured, [CompleteMeasuredSet("L40S", MODEL, None, "profile.csv")])
    result = plan(inp, SolveOptions(solver=solver, diagnose=False))
    assert result.solver.termination == "optimal"
    assert rented(result) == {("2027Q1", "H100 SXM"): 22, ("2027Q2", "H100 SXM"): 44}
    assert chips_by_slice(result) == {
        ("2027Q1", SHORT_NAME, "H100 SXM"): 2, ("2027Q1", LONG_NAME, "H100 SXM"): 20,
        ("2027Q2", SHORT_NAME, "H100 SXM"): 4, ("2027Q2", LONG_NAME, "H100 SXM"): 40}
    assert result.total_cost_usd == pytest.approx(264_000.0)
    long_l40s = estimates_for(inp).throughput[(f"chat [{LONG_NAME}]", "L40S")]
    assert not long_l40s.feasible and long_l40s.source == "measured"
    assert "profile.csv" in long_l40s.reason


def test_without_the_declaration_the_missing_size_is_modelled():
    """Same missing row, no declaration: L40S's long rate comes from the performance
    model (source modelled), and the plan's long-slice rows on L40S, if any, say so."""
    measured = tuple(m for m in MEASURED if not (m.chip == "L40S" and m.prompt_tokens == 1000))
    inp = make_input(measured)
    est = estimates_for(inp).throughput
    assert est[(f"chat [{LONG_NAME}]", "L40S")].source == "modelled"
    assert est[(f"chat [{LONG_NAME}]", "H100 SXM")].source == "measured"
    result = plan(inp, SolveOptions(solver="highs", diagnose=False))
    for r in result.slices:
        if r.kind == "chip":
            modelled = r.slice == LONG_NAME and r.served_by == "L40S"
            assert r.throughput_source == ("modelled" if modelled else "measured")


def test_estimates_are_keyed_by_slice_and_expanding_twice_changes_nothing():
    inp = make_input()
    est = estimates_for(inp)
    assert set(est.throughput) == {(f"chat [{s}]", c) for s in (SHORT_NAME, LONG_NAME)
                                   for c in ("L40S", "H100 SXM")}
    assert estimates_for(expand(inp)).throughput == est.throughput


def test_a_demand_override_on_a_mixed_workload_scales_every_slice():
    """What-if 'demand x 2 for chat' acts on the workload before it is split: every
    slice doubles, so the plan is the 40 then 80 requests/s one: 4 H100 + 40 L40S, then
    8 + 80; cost 2 x $144,000 = $288,000.  The outcome names no slice."""
    job = Job("x", "optimum", ScenarioSpec("double", (Override("demand", "multiply", 2.0,
                                                               target="chat"),)),
              make_input(), SolveOptions(solver="highs"))
    out = run_job(job)
    assert out.status == "ok", out.message
    assert rented(out.result) == {("2027Q1", "H100 SXM"): 4, ("2027Q1", "L40S"): 40,
                                  ("2027Q2", "H100 SXM"): 8, ("2027Q2", "L40S"): 80}
    assert out.total_cost_usd == pytest.approx(288_000.0)
    assert {r.workload for r in out.result.capacity} == {"chat"}
    assert len(out.result.slices) == 4


def test_a_regret_job_with_fixed_decisions_plans_the_slices():
    """Fixing the base plan's first quarter and solving the doubled case: 2027Q1 keeps 2
    H100 and 20 L40S (rentals fixed), so half the doubled traffic is short there; the
    outcome is a plan naming the workload, its unmet tokens priced."""
    base = plan(make_input(), SolveOptions(solver="highs", diagnose=False))
    fixed = FixedDecisions.from_plan(base, "2027Q2")
    job = Job("r", "regret", ScenarioSpec("double", (Override("demand", "multiply", 2.0),)),
              make_input(), SolveOptions(solver="highs"), fixed=fixed, plan_from="base")
    out = run_job(job)
    assert out.has_plan, out.message
    assert rented(out.result)[("2027Q1", "L40S")] == 20
    q1 = next(r for r in out.result.capacity if r.quarter == "2027Q1")
    assert q1.workload == "chat" and q1.unmet_tokens_per_day == pytest.approx(1_123_200_000.0)
    assert {r.kind for r in out.result.slices if r.quarter == "2027Q1"} == {"chip", "unmet"}


def test_a_hedged_plan_folds_every_scenario():
    from planner.pipeline import HedgeCase, plan_hedged
    inp = make_input()
    est = estimates_for(inp)
    low = dataclasses.replace(inp, workloads=tuple(
        dataclasses.replace(w, demand_tokens_per_day=tuple(d / 2 for d in w.demand_tokens_per_day))
        for w in inp.workloads))
    hedge = plan_hedged(inp, [HedgeCase("high", 0.5, inp, est), HedgeCase("low", 0.5, low, est)],
                        1, 0.0, 0.9, SolveOptions(solver="highs"))
    for name, result in hedge.scenarios.items():
        assert {r.workload for r in result.capacity} == {"chat"}, name
        assert result.slices and not result.has_unmet_demand
    assert rented(hedge.scenarios["high"])[("2027Q2", "L40S")] == 40


def test_the_replan_solve_plans_the_slices_and_keeps_the_fixed_past():
    """The quarterly re-plan's solve (estimates, then the plan with 2027Q1's rentals kept):
    2027Q1 stays 2 H100 + 20 L40S and 2027Q2 is planned per slice as before (4 + 40)."""
    from planner.ledger.carry import Carry
    from planner.ledger.replan import _solve
    from planner.optimize.clock import Deadline
    base = plan(make_input(), SolveOptions(solver="highs", diagnose=False))
    carry = Carry(make_input(), FixedDecisions.from_plan(base, "2027Q2"))
    result = _solve(carry, SolveOptions(solver="highs"), lambda _m: None, Deadline(60))
    assert rented(result) == rented(base)
    assert {r.workload for r in result.capacity} == {"chat"} and len(result.slices) == 4


def split_by_hand(inp):
    """The mixed workload typed as one plain workload per slice (name, shape and tokens
    per day of each slice), with the same measured rows: what a user had to do before."""
    (chat,) = inp.workloads
    out = []
    for s in chat.mix.slices:
        share = chat.mix.token_share(s)
        out.append(InferenceWorkload(f"chat {s.label}", MODEL, "bf16", s.prompt_tokens,
                                     s.output_tokens, None, None,
                                     tuple(d * share for d in chat.demand_tokens_per_day)))
    return dataclasses.replace(inp, workloads=tuple(out))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("complete", [False, True])
def test_a_mix_plans_as_its_slices_typed_as_separate_workloads(solver, complete):
    """Same rentals, cost and per-slice chips whether the planner splits the mix or the
    user types the slices in (measured rows matched by the ±25% rule then, by bucket
    now: both find the same row here), with and without L40S's long row missing from a
    set declared complete.  10 and 30 requests/s fill every chip exactly (5 and 15 per
    slice: 1 and 3 H100 for short; 10 and 30 L40S, or H100, for long), so the optimum
    has one allocation and the two must agree on it."""
    measured = MEASURED if not complete else (MEASURED[0],) + MEASURED[2:]
    declared = [CompleteMeasuredSet("L40S", MODEL)] if complete else []
    mixed = make_input(measured, declared, requests_per_s=(10.0, 30.0))
    by_hand = split_by_hand(mixed)
    options = SolveOptions(solver=solver, diagnose=False)
    a, b = plan(mixed, options), plan(by_hand, options)
    expected = ({("2027Q1", "H100 SXM"): 11, ("2027Q2", "H100 SXM"): 33} if complete else
                {("2027Q1", "H100 SXM"): 1, ("2027Q1", "L40S"): 10,
                 ("2027Q2", "H100 SXM"): 3, ("2027Q2", "L40S"): 30})
    assert rented(a) == rented(b) == expected
    assert a.total_cost_usd == pytest.approx(b.total_cost_usd)
    per_slice = {(r.quarter, f"chat {r.slice}", r.served_by): pytest.approx(r.chips)
                 for r in a.slices if r.kind == "chip"}
    assert per_slice == {(r.quarter, r.workload, r.chip): r.chips for r in b.allocation}


def test_a_size_no_chip_has_measured_in_a_complete_set_is_unmet_and_priced():
    """Both chips' sets declared complete, neither with a long row: the long slice cannot
    be served anywhere.  Short still runs on H100 (2, then 4: $8,000 + $16,000 = $24,000
    cost of ownership); long is unmet, 950.4M then 1,900.8M tokens/day, priced at the
    Settings default $100 per million tokens over 2,000 / 24 = 83.33 days a quarter:
    950.4 x 100 x 83.33 + 1,900.8 x 100 x 83.33 = $7,920,000 + $15,840,000 = $23,760,000,
    a penalty, apart from the cost.  The Slices rows say so, one unmet row a quarter."""
    inp = make_input((MEASURED[0], MEASURED[2]), [CompleteMeasuredSet("L40S", MODEL),
                                                  CompleteMeasuredSet("H100 SXM", MODEL)])
    result = plan(inp, SolveOptions(solver="highs", diagnose=False))
    assert result.costs.cost_of_ownership_usd == pytest.approx(24_000.0)
    assert result.costs.unmet_inference_penalty_usd == pytest.approx(23_760_000.0)
    unmet = [(r.quarter, r.slice, r.tokens_per_day, r.requests_per_s)
             for r in result.slices if r.kind == "unmet"]
    assert unmet == [("2027Q1", LONG_NAME, pytest.approx(950.4e6), pytest.approx(10.0)),
                     ("2027Q2", LONG_NAME, pytest.approx(1900.8e6), pytest.approx(20.0))]
    assert [r.unmet_tokens_per_day for r in result.capacity] == [
        pytest.approx(950.4e6), pytest.approx(1900.8e6)]
