"""Emissions in the optimizer (issue 20): known answers worked by hand.

Instances are built on the two-chip fixture's settings (tests/optimize_fixtures.py): zero
discount rate (so every figure is undiscounted), PUE 1, power drawn at nameplate,
2,000 hours a quarter (83.33 days), utilisation 1.  Chip A: $10,000, 1 kW, a two-quarter
life (annuity at r = 0: $5,000 a quarter in service), 86.4M tokens/day; one chip-quarter
draws 1 kW x 2,000 h = 2,000 kWh.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from optimize_fixtures import chip_a, chip_b, instance, with_settings

from planner.domain import ApiOffer, Site
from planner.optimize import solve_plan
from planner.optimize.model import build_model
from planner.optimize.parameters import prepare

KWH = 2_000.0  # one A-quarter: 1 kW x 2,000 h at PUE 1 and draw 1


def two_sites(price_usd_per_t: float | None):
    """Four A-quarters of demand (345.6M tokens/day = 4 x 86.4M) for one quarter, two
    sites: 'dirty' at $0.05/kWh and 700 gCO2e/kWh, 'clean' at $0.08/kWh and 100 g/kWh."""
    inp, throughput = instance(chips=[chip_a()], demand=(4 * 86.4e6,))
    sites = (Site("dirty", 100.0, 0.05, grid_gco2e_per_kwh_by_quarter=(700.0,),
                  market_gco2e_per_kwh_by_quarter=(700.0,)),
             Site("clean", 100.0, 0.08, grid_gco2e_per_kwh_by_quarter=(100.0,),
                  market_gco2e_per_kwh_by_quarter=(100.0,)))
    price = ((0, price_usd_per_t),) if price_usd_per_t is not None else ()
    inp = with_settings(replace(inp, sites=sites), carbon_price_usd_per_tco2e=price)
    return inp, throughput


@pytest.mark.parametrize(("price", "site", "objective", "carbon"), [
    # below the threshold: 4 x ($5,000 + 2,000 x $0.05) + 4 x 1.4 t x $45
    (45.0, "dirty", 20_400 + 252, 252),
    # above it: 4 x ($5,000 + 2,000 x $0.08) + 4 x 0.2 t x $55
    (55.0, "clean", 20_640 + 44, 44),
])
def test_a_carbon_price_moves_load_to_the_cleaner_site_exactly_past_the_threshold(
        price, site, objective, carbon):
    """Per chip-quarter the clean site costs 2,000 kWh x ($0.08 - $0.05) = $60 more in
    electricity and emits 2,000 kWh x (700 - 100) g = 1.2 tCO2e less, so load moves when
    price x 1.2 t > $60, i.e. above $50/tCO2e: $45 keeps it dirty, $55 moves it.  The
    carbon cost is its own line, not in the cost of ownership."""
    inp, throughput = two_sites(price)
    result = solve_plan(inp, throughput, solver="highs")
    assert {(r.site, r.quantity) for r in result.purchases} == {(site, 4)}
    assert result.solver.objective_usd == pytest.approx(objective, abs=1e-3)
    costs = result.costs
    assert costs.carbon_cost_usd == pytest.approx(carbon, abs=1e-6)
    assert costs.cost_of_ownership_usd == pytest.approx(objective - carbon, abs=1e-3)
    assert costs.objective_usd == pytest.approx(objective, abs=1e-3)
    grams_per_kwh = 700.0 if site == "dirty" else 100.0
    assert result.emissions_tco2e() == pytest.approx(4 * KWH * grams_per_kwh / 1e6, rel=1e-9)


def api_instance(cap_t: float | None):
    """One quarter of 1e9 tokens/day (83,333 million tokens in the quarter) for a
    workload that may buy from two APIs: 'dirty' at $1.00/Mtok and 600 gCO2e/Mtok,
    'clean' at $1.50/Mtok and 100 g/Mtok.  The only chip is B rented at $20/h (about
    $5.56/Mtok), so the APIs serve it."""
    inp, throughput = instance(chips=[chip_b(rent_usd_per_chip_hour=20.0)], demand=(1e9,))
    apis = (ApiOffer("dirty", "m", 1.0, gco2e_per_million_tokens=600.0),
            ApiOffer("clean", "m", 1.5, gco2e_per_million_tokens=100.0))
    cap = ((0, cap_t),) if cap_t is not None else ()
    return with_settings(replace(inp, apis=apis), emissions_cap_tco2e=cap), throughput


def test_a_binding_cap_reports_its_shadow_price_equal_to_the_marginal_abatement_cost():
    """All dirty: 83,333.3 Mtok x 600 g = 50 t.  A 30 t cap: x Mtok dirty with
    600x + 100 (83,333.3 - x) = 30e6 g gives x = 43,333.3 Mtok.  Abating one more tonne
    moves 1e6 g / (600 - 100) g = 2,000 Mtok from dirty to clean at $0.50 each: the
    marginal abatement cost is $1,000 per tCO2e, so one more tonne of cap saves $1,000
    (zero discount rate: the shadow price is undiscounted)."""
    inp, throughput = api_instance(30.0)
    result = solve_plan(inp, throughput, solver="highs")
    bought = {r.offering: r.tokens_per_day * 2000 / 24 / 1e6 for r in result.api_usage}
    assert bought["dirty"] == pytest.approx(43_333.333, rel=1e-6)
    assert result.emissions_tco2e() == pytest.approx(30.0, rel=1e-6)
    caps = [d for d in result.diagnostics if d.constraint == "emissions cap"]
    assert len(caps) == 1 and caps[0].quarter == "2027"
    assert caps[0].unit == "tCO2e"
    assert caps[0].shadow_price_usd == pytest.approx(1_000.0, rel=1e-6)
    assert result.costs.emissions_overrun_penalty_usd == pytest.approx(0.0, abs=1e-6)


def test_a_cap_below_what_must_be_emitted_is_priced_not_infeasible():
    """A 5 t cap is below the APIs' least (all clean: 83,333.3 Mtok x 100 g = 8.33 t).
    Abating the last 3.33 t by leaving demand unmet would cost $100/Mtok / 100 g =
    $1,000,000 per tonne, over the default $10,000/t overrun price, so the plan buys all
    clean and pays 3.33 t x $10,000 as the emissions-cap overrun penalty (not an
    infeasible model)."""
    inp, throughput = api_instance(5.0)
    result = solve_plan(inp, throughput, solver="highs")
    over = 83_333.333 * 100 / 1e6 - 5.0
    assert result.costs.emissions_overrun_penalty_usd == pytest.approx(over * 10_000, rel=1e-6)
    assert any(d.constraint == "emissions cap overrun" for d in result.diagnostics)


def test_without_carbon_inputs_nothing_is_added_and_the_plan_is_unchanged():
    """No intensity, factor, price or cap: the model has no carbon row, variable or cost
    term, and the plan is the fixture's known answer.  Carbon figures without a price or
    cap change nothing either: they are only reported."""
    inp, throughput = instance(chips=[chip_a(), chip_b()], demand=(864e6, 1296e6))
    model = build_model(prepare(inp, throughput))
    assert model.emissions is None
    assert "emissions_cap" not in model.rows and not model.variables.emissions_overrun
    assert not any(cat in ("carbon", "emissions_overrun") for cat, _t in model.costs.terms)
    plain = solve_plan(inp, throughput, solver="highs")
    assert plain.emissions == [] and plain.costs.carbon_cost_usd == 0.0
    site = replace(inp.sites[0], grid_gco2e_per_kwh_by_quarter=(400.0, 300.0),
                   market_gco2e_per_kwh_by_quarter=(0.0, 0.0))
    reported = replace(inp, sites=(site,), chips=(chip_a(embodied_kgco2e_per_chip=300.0),
                                                  chip_b(rent_kgco2e_per_chip_hour=0.5)))
    carbon = solve_plan(reported, throughput, solver="highs")
    assert carbon.emissions  # reported ...
    assert carbon.solver.objective_usd == pytest.approx(plain.solver.objective_usd, abs=1e-6)
    assert carbon.purchases == plain.purchases and carbon.rentals == plain.rentals
