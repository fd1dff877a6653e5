"""The carbon price and the emissions cap as scenario parameters (issue 20): what-if,
sweep and tornado override them like any other parameter."""

from __future__ import annotations

from dataclasses import replace

import pytest
from optimize_fixtures import chip_b, instance, with_settings

from planner.domain import ApiOffer, PlannerError
from planner.domain.estimates import Estimates
from planner.domain.scenarios import Override, ScenarioSpec
from planner.scenarios.jobs import SolveOptions
from planner.scenarios.overrides import apply_scenario
from planner.scenarios.sweep import override_for, sweep, tornado


def _inp(price=(), cap=()):
    inp, throughput = instance(chips=[chip_b(rent_usd_per_chip_hour=20.0)], demand=(1e9,))
    apis = (ApiOffer("dirty", "m", 1.0, gco2e_per_million_tokens=600.0),
            ApiOffer("clean", "m", 1.5, gco2e_per_million_tokens=100.0))
    inp = with_settings(replace(inp, apis=apis), carbon_price_usd_per_tco2e=price,
                        emissions_cap_tco2e=cap)
    return inp, Estimates(throughput)


@pytest.mark.parametrize(("price", "ov", "expected"), [
    ((), Override("carbon_price", "set", 80.0), ((0, 80.0),)),
    (((2027, 50.0), (2029, 100.0)), Override("carbon_price", "multiply", 2.0),
     ((2027, 100.0), (2029, 200.0))),
    ((), Override("carbon_price", "add", 30.0), ((0, 30.0),)),
    (((0, 50.0),), Override("carbon_price", "add", -80.0), ((0, 0.0),)),
])
def test_carbon_price_overrides(price, ov, expected):
    inp, _ = _inp(price=price)
    out = apply_scenario(inp, ScenarioSpec("s", (ov,)))
    assert out.settings.carbon_price_usd_per_tco2e == expected
    assert inp.settings.carbon_price_usd_per_tco2e == price  # the input is not changed


def test_emissions_cap_overrides_and_a_cap_to_multiply_must_exist():
    inp, _ = _inp(cap=((2027, 40.0),))
    scaled = apply_scenario(inp, ScenarioSpec("s", (Override("emissions_cap", "multiply", 0.5),)))
    assert scaled.settings.emissions_cap_tco2e == ((2027, 20.0),)
    uncapped, _ = _inp()
    with pytest.raises(ValueError, match="no emissions_cap_tco2e"):
        apply_scenario(uncapped, ScenarioSpec("s", (Override("emissions_cap", "multiply", 0.5),)))
    with pytest.raises(PlannerError, match="--operation"):
        override_for(uncapped, "emissions_cap", None, "multiply", "0.5")
    with pytest.raises(PlannerError, match="whole plan"):
        override_for(uncapped, "carbon_price", "chat", "set", "50")


def test_a_carbon_price_sweep_raises_cost_and_lowers_emissions():
    """API 'dirty' ($1.00/Mtok, 600 g) against 'clean' ($1.50/Mtok, 100 g): abating
    500 g costs $0.50, $1,000 a tonne.  At $0 and $500/t the plan buys dirty (50 t,
    cost of ownership 83,333.3 Mtok x $1 = $83,333); at $2,000/t it buys clean (8.33 t,
    $125,000).  The tornado gives the same two ends."""
    inp, est = _inp()
    opts = SolveOptions(solver="highs")
    res = sweep(inp, "carbon_price", ["0", "500", "2000"], operation="set", options=opts,
                workers=1, estimates=est)
    costs = [p.outcome.total_cost_usd for p in res.points]
    emitted = [p.outcome.emissions_tco2e for p in res.points]
    assert costs == pytest.approx([83_333.33, 83_333.33, 125_000.0], rel=1e-6)
    assert emitted == pytest.approx([50.0, 50.0, 8.3333], rel=1e-4)
    carbon = res.points[2].outcome.costs.carbon_cost_usd
    assert carbon == pytest.approx(2000 * 8.3333, rel=1e-4)
    fan = tornado(inp, "carbon_price:0:2000", operation="set", options=opts, workers=1,
                  estimates=est)
    assert [p.outcome.emissions_tco2e for p in fan.points] == pytest.approx([50.0, 8.3333],
                                                                            rel=1e-4)


def test_the_sweep_workbook_shows_carbon_cost_emissions_and_their_chart(tmp_path):
    from datetime import datetime, timezone

    import openpyxl

    from planner.scenarios.report_sweep import write_sweep

    inp, est = _inp()
    res = sweep(inp, "carbon_price", ["0", "2000"], operation="set",
                options=SolveOptions(solver="highs"), workers=1, estimates=est)
    out = write_sweep(res, inp, "in.xlsx", tmp_path / "sweep.xlsx",
                      datetime.now(timezone.utc), "sweep")
    ws = openpyxl.load_workbook(out)["Sweep"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    assert [r["emissions_tco2e"] for r in rows] == pytest.approx([50.0, 8.3333], rel=1e-4)
    assert rows[1]["carbon_cost_npv_usd"] == pytest.approx(16_666.7, rel=1e-4)
    assert rows[1]["objective_incl_penalty_npv_usd"] == pytest.approx(125_000 + 16_666.7, rel=1e-4)


def test_whatif_scenarios_price_carbon_and_cap_emissions():
    """Scenarios-sheet overrides through planner whatif: 'priced' sets $2,000/t (the plan
    turns clean: 8.33 t, cost of ownership $125,000), 'capped' sets a 30 t cap (43,333 Mtok
    dirty and 40,000 clean: 43,333 x $1 + 40,000 x $1.50 = $103,333)."""
    from planner.scenarios.whatif import run_whatif

    inp, est = _inp()
    inp = replace(inp, scenarios=(
        ScenarioSpec("base"),
        ScenarioSpec("priced", (Override("carbon_price", "set", 2000.0),)),
        ScenarioSpec("capped", (Override("emissions_cap", "set", 30.0),))))
    w = run_whatif(inp, SolveOptions(solver="highs"), workers=1, estimates=est)
    assert w.optima["base"].emissions_tco2e == pytest.approx(50.0, rel=1e-4)
    assert w.optima["priced"].emissions_tco2e == pytest.approx(8.3333, rel=1e-4)
    assert w.optima["priced"].total_cost_usd == pytest.approx(125_000.0, rel=1e-6)
    assert w.optima["capped"].emissions_tco2e == pytest.approx(30.0, rel=1e-6)
    assert w.optima["capped"].total_cost_usd == pytest.approx(103_333.33, rel=1e-6)
