"""Folding a plan solved on size slices back into the input's workloads."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optimize_fixtures import estimate

from planner.domain import InferenceWorkload, PlanInput, PlanResult, Quarter, Settings, Site
from planner.domain.mixes import RequestMix, SizeSlice
from planner.domain.results import (
    AllocationRow,
    ApiRow,
    CapacityRow,
    EmissionRow,
    SolverInfo,
)
from planner.domain.slicing import expand
from planner.domain.status import Status, Termination
from planner.optimize.slices import fold

SHORT = SizeSlice(100, 100, 0.25, 100, 100)
LONG = SizeSlice(1000, 500, 0.75, 900, 300, 100, 100)
PERIODS = ["2027Q1", "2027Q2"]


def info() -> SolverInfo:
    return SolverInfo("highs", Status.OK, Termination.OPTIMAL, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0,
                      60.0, 0.0)


def make_input(slices=(SHORT, LONG)) -> PlanInput:
    mix = RequestMix(tuple(slices))
    workloads = (InferenceWorkload("chat", "m", "fp8", mix.mean_prompt_tokens,
                                   mix.mean_output_tokens, None, None, (1e9, 2e9), mix=mix),
                 InferenceWorkload("plain", "m", "fp8", 100, 100, None, None, (5e8, 5e8)))
    return PlanInput(Settings(start_quarter=Quarter(2027, 1), quarters=2), (),
                     (Site("dc", 100.0, 0.1),), workloads)


def test_nothing_expanded_is_the_identity():
    inp = make_input()
    plain = dataclasses.replace(inp, workloads=inp.workloads[1:])
    result = PlanResult(info(), PERIODS, capacity=[CapacityRow("2027Q1", "plain", 1.0, 1.0, 0.0)])
    assert fold(result, expand(plain)) is result


def test_slice_rows_are_summed_into_their_workload_and_listed_per_slice():
    """chat's short slice (200 tokens per request) has 2 chips of A serving 17.28M
    tokens/day and 1 of B with 0.864M; its long slice (1,200 tokens) 3 chips of A with
    103.68M and 10.368M via API 'api' at $2/Mtok, 5.184M unmet.  Folded: chat on A = 5
    chips, 120.96M tokens/day; on B 1 chip; API 10.368M at $2; capacity sums per quarter.
    Slices: short on A = 17.28M / 200 / 86,400 = 1 request/s; long via API = 10.368M /
    1,200 / 86,400 = 0.1 request/s; long unmet 5.184M = 0.05 request/s."""
    x = expand(make_input())
    short, long_ = (w.name for w in x.workloads[:2])
    q = "2027Q1"
    result = PlanResult(info(), PERIODS, capacity=[
        CapacityRow(q, short, 18.144e6, 18.144e6, 0.0), CapacityRow(q, long_, 119.232e6,
                                                                    114.048e6, 5.184e6),
        CapacityRow(q, "plain", 5e8, 5e8, 0.0)], allocation=[
        AllocationRow(q, short, "A", 2.0, 200.0, 17.28e6), AllocationRow(q, short, "B", 1.0, 10.0, 0.864e6),
        AllocationRow(q, long_, "A", 3.0, 1200.0, 103.68e6), AllocationRow(q, "plain", "A", 1.0, 1.0, 5e8)],
        api_usage=[ApiRow(q, long_, "api", 10.368e6, 2.0, 10.368 * 2 * 91.3125)])
    est = {(short, "A"): estimate("A", short, 1.0), (short, "B"): dataclasses.replace(
        estimate("B", short, 1.0), source="measured"), (long_, "A"): estimate("A", long_, 1.0)}
    out = fold(result, x, est)
    assert [(r.workload, r.chip, r.chips, r.tokens_per_day) for r in out.allocation] == [
        ("chat", "A", 5.0, pytest.approx(120.96e6)), ("chat", "B", 1.0, 0.864e6),
        ("plain", "A", 1.0, 5e8)]
    assert [(r.workload, r.demand_tokens_per_day, r.unmet_tokens_per_day) for r in out.capacity] == [
        ("chat", pytest.approx(137.376e6), 5.184e6), ("plain", 5e8, 0.0)]
    assert [(r.workload, r.tokens_per_day) for r in out.api_usage] == [("chat", 10.368e6)]
    rows = [(r.slice, r.kind, r.served_by, r.chips, pytest.approx(r.requests_per_s),
             r.throughput_source) for r in out.slices]
    assert rows == [
        (SHORT.label, "chip", "A", 2.0, 1.0, "modelled"),
        (SHORT.label, "chip", "B", 1.0, 0.05, "measured"),
        (LONG.label, "chip", "A", 3.0, 1.0, "modelled"),
        (LONG.label, "api", "api", 0.0, 0.1, ""),
        (LONG.label, "unmet", "", 0.0, 0.05, "")]
    assert {r.workload for r in out.slices} == {"chat"}
    assert out.slices[3].share_of_requests == 0.75 and out.slices[3].prompt_tokens == 900


def test_api_rows_keep_their_dollars_at_a_token_weighted_price():
    """Slices pay $1 and $3 per million on 1M and 3M tokens/day: folded 4M at
    (1 x 1 + 3 x 3) / 4 = $2.50, dollars 1 + 9 = 10 (per-row totals as given)."""
    x = expand(make_input())
    short, long_ = (w.name for w in x.workloads[:2])
    result = PlanResult(info(), PERIODS, api_usage=[ApiRow("2027Q1", short, "api", 1e6, 1.0, 1.0),
                                                    ApiRow("2027Q1", long_, "api", 3e6, 3.0, 9.0)])
    (row,) = fold(result, x).api_usage
    assert (row.workload, row.tokens_per_day, row.usd_per_million_tokens, row.total_usd) == (
        "chat", 4e6, 2.5, 10.0)


def test_a_slice_served_disaggregated_counts_prompt_tokens_on_prefill_and_output_on_decode():
    """Long slice: 900 prompt + 300 output tokens.  Prefill chips P serve 120M tokens/day
    of requests, decode chips D the same: the Slices rows count 120M x 900/1,200 = 90M on
    P and 120M x 300/1,200 = 30M on D, adding up to the 120M served."""
    x = expand(make_input())
    long_ = x.workloads[1].name
    result = PlanResult(info(), PERIODS, allocation=[
        AllocationRow("2027Q1", long_, "P", 2.0, 0.0, 120e6, "prefill"),
        AllocationRow("2027Q1", long_, "D", 4.0, 0.0, 120e6, "decode")])
    out = fold(result, x, {(long_, "P", "prefill"): estimate("P", long_, 1.0)})
    assert [(r.served_by, r.chips, r.tokens_per_day, r.throughput_source) for r in out.slices] == [
        ("D", 4.0, 30e6, ""), ("P", 2.0, 90e6, "modelled")]
    assert [r.phase for r in out.allocation] == ["decode", "prefill"]


amounts = st.floats(min_value=0.0, max_value=1e9, allow_nan=False)


@st.composite
def solved(draw):
    """A random expanded input (chat with 1-3 slices, plain without) and random rows of
    a plan of it: any subset of (quarter, workload) x chips x phase, APIs and emissions."""
    n = draw(st.integers(1, 3))
    shares = [1.0 / n] * n
    slices = tuple(SizeSlice(100 * (i + 1), 100, shares[i], 100 * (i + 1), 50, 100 * i)
                   for i in range(n))
    x = expand(make_input(slices))
    names = [w.name for w in x.workloads]
    result = PlanResult(info(), PERIODS)
    for q in PERIODS:
        for w in names:
            demand, unmet = draw(amounts), draw(amounts)
            result.capacity.append(CapacityRow(q, w, demand + unmet, demand, unmet))
            for chip in draw(st.lists(st.sampled_from(["A", "B"]), unique=True)):
                result.allocation.append(AllocationRow(q, w, chip, draw(amounts), 0.0, draw(amounts)))
            for api in draw(st.lists(st.sampled_from(["x", "y"]), unique=True)):
                tokens, price = draw(amounts), draw(st.floats(0.1, 10.0))
                result.api_usage.append(ApiRow(q, w, api, tokens, price, tokens * price))
                result.emissions.append(EmissionRow(q, "api", api, w, 0.0, 0.0, 0.0, 0.0, 0.0,
                                                    draw(amounts)))
        result.emissions.append(EmissionRow(q, "dc", "A", "", 3.0, 1.0, 2.0, 1.0, 0.5, 0.0))
    return x, result


@settings(max_examples=60, deadline=None)
@given(solved())
def test_folding_keeps_every_total(case):
    """Demand, served, unmet, chips, allocated tokens, API tokens and dollars and
    emissions add up to the same before and after folding; every slice's chip, API and
    unmet rows add up to its allocated, API and unmet tokens."""
    x, result = case
    out = fold(result, x)
    sums = {
        "demand": lambda r: sum(c.demand_tokens_per_day for c in r.capacity),
        "served": lambda r: sum(c.served_tokens_per_day for c in r.capacity),
        "unmet": lambda r: sum(c.unmet_tokens_per_day for c in r.capacity),
        "chips": lambda r: sum(a.chips for a in r.allocation),
        "tokens": lambda r: sum(a.tokens_per_day for a in r.allocation),
        "api_tokens": lambda r: sum(a.tokens_per_day for a in r.api_usage),
        "api_usd": lambda r: sum(a.total_usd for a in r.api_usage),
        "api_priced": lambda r: sum(a.tokens_per_day * a.usd_per_million_tokens for a in r.api_usage),
        "tco2e": lambda r: r.emissions_tco2e("location") + r.emissions_tco2e("market"),
    }
    for name, total in sums.items():
        assert total(out) == pytest.approx(total(result), rel=1e-9, abs=1e-6), name
    assert {c.workload for c in out.capacity} == {"chat", "plain"}
    assert len(out.capacity) == 2 * len(PERIODS)
    sliced = {w.name for w in x.workloads if w.parent}
    by_kind = {k: sum(s.tokens_per_day for s in out.slices if s.kind == k)
               for k in ("chip", "api", "unmet")}
    assert by_kind["chip"] == pytest.approx(sum(a.tokens_per_day for a in result.allocation
                                                if a.workload in sliced), abs=1e-6)
    assert by_kind["api"] == pytest.approx(sum(a.tokens_per_day for a in result.api_usage
                                               if a.workload in sliced), abs=1e-6)
    expected_unmet = sum(c.unmet_tokens_per_day for c in result.capacity if c.workload in sliced
                         and c.unmet_tokens_per_day > PlanResult.UNMET_TOLERANCE * c.demand_tokens_per_day)
    assert by_kind["unmet"] == pytest.approx(expected_unmet, abs=1e-6)
