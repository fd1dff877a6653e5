"""The Emissions sheet (issue 20): emissions attributed to workloads by hand, both bases,
gCO2e per million prompt+output tokens, the chart and the Summary's sentences."""

from __future__ import annotations

from dataclasses import replace

import openpyxl
import pytest
from optimize_fixtures import chip_a, chip_b, instance, with_settings

from planner.domain import AllocationRow, ApiRow, EmissionRow, PlanResult, Site
from planner.optimize import solve_plan
from planner.report import write_report
from planner.report.emissions import IDLE, attribute, summary_lines
from planner.report.writer import build_workbook

DAYS = 91.3125  # 2,191.5 hours / 24


def _result() -> PlanResult:
    """Quarter 2027Q1: 4 chips A owned at site S (8 MWh, 3.2 t location, 1.6 t market,
    0.4 t embodied) and 1 rented (0.5 t at its factor): a pool of 5.  chat uses 2 chips
    for 100M tokens/day, batch 2 chips for 50M; one chip is idle.  chat also buys 10M
    tokens/day from API 'x' (0.1 t)."""
    result = PlanResult(solver=None, periods=["2027Q1"])  # type: ignore[arg-type]
    result.emissions = [
        EmissionRow("2027Q1", "S", "A", "", 4.0, 8.0, 3.2, 1.6, 0.4, 0.0),
        EmissionRow("2027Q1", "cloud", "A", "", 1.0, 0.0, 0.0, 0.0, 0.0, 0.5),
        EmissionRow("2027Q1", "api", "x", "chat", 0.0, 0.0, 0.0, 0.0, 0.0, 0.1)]
    result.allocation = [AllocationRow("2027Q1", "chat", "A", 2.0, 0.0, 100e6),
                         AllocationRow("2027Q1", "batch", "A", 2.0, 0.0, 50e6)]
    result.api_usage = [ApiRow("2027Q1", "chat", "x", 10e6, 1.0, 0.0)]
    return result


def test_emissions_are_split_by_the_chips_each_workload_uses():
    """Shares of the pool of 5 chips: chat 2/5, batch 2/5, idle 1/5.  At S, chat gets
    0.4 x (8 MWh, 3.2 t, 1.6 t, 0.4 t) = 3.2 MWh, 1.28 t, 0.64 t, 0.16 t, and 4/5 of
    its tokens (S holds 4 of the 5 chips): 100M x 91.3125 days x 0.8 = 7,305 million;
    location intensity (1.28 + 0.16) t / 7,305 Mtok = 197.1 g per million.  In the
    cloud chat gets 0.4 x 0.5 t = 0.2 t and 1/5 of its tokens (1,826.25 Mtok).  The API
    row carries its own 0.1 t and 913.125 Mtok.  Nothing is lost: the lines sum to
    3.2 + 0.4 + 0.5 + 0.1 = 4.2 t location-based."""
    lines = {(x.site, x.workload): x for x in attribute(_result(), DAYS)}
    chat = lines["S", "chat"]
    assert (chat.energy_mwh, chat.grid_location_tco2e, chat.grid_market_tco2e,
            chat.embodied_tco2e) == pytest.approx((3.2, 1.28, 0.64, 0.16))
    assert chat.million_tokens == pytest.approx(7_305.0)
    assert chat.per_million_tokens(chat.location_tco2e) == pytest.approx(1.44e6 / 7_305.0)
    assert lines["S", IDLE].location_tco2e == pytest.approx(0.2 * 3.6)
    assert lines["S", IDLE].million_tokens == 0 and lines["S", IDLE].per_million_tokens(1.0) is None
    assert lines["cloud", "chat"].supplier_tco2e == pytest.approx(0.2)
    assert lines["cloud", "chat"].million_tokens == pytest.approx(1_826.25)
    assert lines["cloud", "batch"].million_tokens == pytest.approx(913.125)
    assert lines["api", "chat"].supplier_tco2e == pytest.approx(0.1)
    assert lines["api", "chat"].million_tokens == pytest.approx(913.125)
    assert sum(x.location_tco2e for x in lines.values()) == pytest.approx(4.2)
    assert sum(x.market_tco2e for x in lines.values()) == pytest.approx(2.6)


def _carbon_plan():
    """The two-chip fixture with site S on a 400 g/kWh grid (half of it contracted
    clean), chip A's embodied 300 kg and rented B at 0.5 kg per chip-hour, and a $50/t
    carbon price."""
    inp, throughput = instance(chips=[chip_a(embodied_kgco2e_per_chip=300.0),
                                      chip_b(rent_kgco2e_per_chip_hour=0.5)],
                               demand=(864e6, 1296e6))
    site = replace(inp.sites[0], grid_gco2e_per_kwh_by_quarter=(400.0, 400.0),
                   market_gco2e_per_kwh_by_quarter=(200.0, 200.0))
    inp = with_settings(replace(inp, sites=(site,)), carbon_price_usd_per_tco2e=((0, 50.0),))
    return inp, solve_plan(inp, throughput, solver="highs")


def test_the_emissions_sheet_round_trips_with_a_chart_and_summary_sentences(tmp_path):
    """The sheet's totals are the plan's; its chart is a stacked column chart; the Summary
    states both totals, the intensity per million prompt+output tokens and the carbon
    cost, said to be apart from the cost of ownership and not cash."""
    inp, result = _carbon_plan()
    assert result.costs.carbon_cost_usd == pytest.approx(50.0 * result.emissions_tco2e(),
                                                         rel=1e-9)  # r = 0: undiscounted
    built = build_workbook(result, inp, {"input_file": "x", "input_sha256": "", "planner_version": "",
                                         "started_at": "", "run_seconds": 0.0})
    charts = built["Emissions"]._charts
    assert len(charts) == 1 and charts[0].grouping == "stacked"
    path = write_report(result, inp, tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(path)["Emissions"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    assert sum(r["location_tco2e"] for r in rows) == pytest.approx(result.emissions_tco2e("location"))
    assert sum(r["market_tco2e"] for r in rows) == pytest.approx(result.emissions_tco2e("market"))
    text = " ".join(summary_lines(result, inp))
    assert "tCO2e location-based" in text and "market-based" in text
    assert "gCO2e per million prompt+output tokens" in text
    assert "not in the cost of ownership" in text and "not cash" in text


def test_no_carbon_input_no_emissions_sheet(tmp_path):
    inp, throughput = instance(chips=[chip_a()], demand=(864e6,))
    result = solve_plan(inp, throughput, solver="highs")
    wb = openpyxl.load_workbook(write_report(result, inp, tmp_path / "plan.xlsx"))
    assert "Emissions" not in wb.sheetnames
    assert summary_lines(result, inp) == []
    assert isinstance(inp.sites[0], Site)
