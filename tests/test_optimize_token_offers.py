"""Catalog token offers in the plan: cheapest supply at the latency target (issue 22)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from optimize_fixtures import chip_b, instance

from planner.domain import ApiOffer
from planner.optimize import solve_plan
from planner.perf.token_offers import load_token_offers

MODEL = "llama-3.1-70b"


def catalog_api(name: str) -> ApiOffer:
    """The ApiOffer an APIs row naming catalog offer ``name`` (and nothing else) reads as."""
    o = load_token_offers()[name]
    return ApiOffer(name, o.model, o.usd_per_million_output_tokens,
                    usd_per_million_input_tokens=o.usd_per_million_input_tokens,
                    usd_per_million_output_tokens=o.usd_per_million_output_tokens,
                    output_tokens_per_s_per_user=o.output_tokens_per_s_per_user,
                    catalog_offer=name)


def chat(tpot_ms: float | None, apis: tuple[ApiOffer, ...]):
    """One quarter (2,000 h = 83.33 days), 864M tokens/day of 100 prompt / 100 output
    tokens for llama-3.1-70b; chip B rents at $2/h and serves 43.2M tokens/day."""
    inp, tp = instance(chips=[chip_b()], demand=(864e6,))
    w = replace(inp.workloads[0], model=MODEL, tpot_ms=tpot_ms)
    return replace(inp, workloads=(w,), apis=apis), tp


def test_a_catalog_token_offer_is_the_cheapest_supply_and_switching_it_off_moves_to_chips():
    """Chips: 864M / 43.2M = 20 B x $2/h x 2,000 h = $80,000 for the quarter.
    cerebras/llama3.1-70b (catalog: $0.60 per million input and output tokens, 450 output
    tokens/s per user): at 100/100 tokens the mix is $0.60/Mtok, so 864M x 83.33 days x
    0.6e-6 = $43,200, and 1000 / 450 = 2.2 ms per token meets the 20 ms TPOT target: the
    whole workload is bought as tokens.  With the offer switched off (no APIs row) it
    moves to 20 B chips at $80,000."""
    on, tp = chat(20.0, (catalog_api("cerebras/llama3.1-70b"),))
    r = solve_plan(on, tp)
    assert r.solver.objective_usd == pytest.approx(43_200)
    assert [(a.offering, a.tokens_per_day) for a in r.api_usage] == \
        [("cerebras/llama3.1-70b", pytest.approx(864e6))]
    assert r.api_usage[0].usd_per_million_tokens == pytest.approx(0.60)
    assert sum(x.quantity for x in r.rentals) == 0 and not r.purchases
    off, tp = chat(20.0, ())
    r = solve_plan(off, tp)
    assert r.solver.objective_usd == pytest.approx(80_000)
    assert not r.api_usage and sum(x.quantity for x in r.rentals) == 20


def test_an_offer_too_slow_for_the_tpot_target_does_not_serve():
    """TPOT 2 ms: cerebras/llama3.1-70b streams a token every 1000 / 450 = 2.22 ms > 2 ms,
    so it may not serve although it is cheaper: 20 B chips, $80,000."""
    slow, tp = chat(2.0, (catalog_api("cerebras/llama3.1-70b"),))
    r = solve_plan(slow, tp)
    assert r.solver.objective_usd == pytest.approx(80_000)
    assert not r.api_usage


def test_a_workload_pays_the_input_output_mix_at_its_shape():
    """groqcloud/llama-3.1-70b-versatile: $0.59 input, $0.79 output per million; at 100
    prompt / 100 output tokens (0.59 + 0.79) / 2 = $0.69/Mtok: 864M x 83.33 x 0.69e-6 =
    $49,680 (250 tokens/s per user = 4 ms per token meets 20 ms)."""
    inp, tp = chat(20.0, (catalog_api("groqcloud/llama-3.1-70b-versatile"),))
    r = solve_plan(inp, tp)
    assert r.solver.objective_usd == pytest.approx(49_680)
    assert r.api_usage[0].usd_per_million_tokens == pytest.approx(0.69)
