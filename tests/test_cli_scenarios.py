"""planner whatif, planner sweep and planner plan --hedge, end to end on a small workbook."""

from __future__ import annotations

import json

import openpyxl
import pytest
from workbooks import fill_rows, write_minimal

from planner.cli import main

SCENARIOS = [
    {"scenario": "base", "probability": 0.5},
    {"scenario": "busy", "parameter": "demand", "selector": "chat", "operation": "multiply",
     "value": 2, "probability": 0.3},
    {"scenario": "dear-rent", "parameter": "rent_price", "operation": "multiply", "value": 2},
]


@pytest.fixture
def workbook(tmp_path):
    path = write_minimal(tmp_path, "small.xlsx")
    wb = openpyxl.load_workbook(path)
    fill_rows(wb, "Scenarios", SCENARIOS)
    wb.save(path)
    return path


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _charts(ws) -> int:
    return len(ws._charts)


def _check_tables(wb, sheets):
    for name in sheets:
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert ws.tables, name


def test_whatif_writes_costs_purchases_regret_and_runs(workbook, tmp_path, capsys):
    out = tmp_path / "w.xlsx"
    code, stdout, err = run(["whatif", workbook, "--out", out, "--workers", "1", "--json"], capsys)
    assert code == 0, err
    summary = json.loads(stdout)
    assert [s["scenario"] for s in summary["scenarios"]] == ["base", "busy", "dear-rent"]
    costs = {s["scenario"]: s["total_cost_usd"] for s in summary["scenarios"]}
    assert costs["busy"] > costs["base"] and costs["dear-rent"] >= costs["base"] * (1 - 1e-3)
    assert "[3/3]" in err and "[6/6]" in err  # a line per solve: 3 optima, 6 regret solves
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Costs", "Purchases", "RegretMatrix", "Regret", "Runs",
                             "ChartData"]
    _check_tables(wb, ["Costs", "Purchases", "RegretMatrix", "Regret", "Runs"])
    assert wb["ChartData"].sheet_state == "hidden"
    assert _charts(wb["Costs"]) == 1 and _charts(wb["Purchases"]) == 1
    header = [c.value for c in wb["Costs"][1]]
    assert "total_cost_npv_usd" in header and "difference_from_base_usd" in header
    matrix = list(wb["RegretMatrix"].iter_rows(values_only=True))
    assert matrix[0][2:5] == ("base_usd", "busy_usd", "dear-rent_usd")
    regrets = [row for row in matrix[1:] if row[1] == "regret_usd"]
    assert [row[0] for row in regrets] == ["base", "busy", "dear-rent"]
    for i, row in enumerate(regrets, start=2):
        assert row[i] == 0
        assert all(v >= 0 for v in row[2:5] if isinstance(v, (int, float)))
    # every plan's cost of ownership and penalties beside its regret, by scenario
    by = {(row[0], row[1]): row for row in matrix[1:]}
    for plan in ("base", "busy", "dear-rent"):
        regret, money, penalty = (by[plan, f][2:5] for f in (
            "regret_usd", "regret_cost_of_ownership_usd", "regret_penalties_usd"))
        for r, m, p in zip(regret, money, penalty):
            assert r == pytest.approx(m + p, abs=1e-6)
    assert by["busy", "cost_of_ownership_npv_usd"][3] == pytest.approx(costs["busy"])
    runs = list(wb["Runs"].iter_rows(values_only=True))
    assert len(runs) == 1 + 9
    assert {r[5] for r in runs[1:]} == {"ok"}


def test_sweep_writes_a_line_chart_and_tornado_a_bar_chart(workbook, tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    code, stdout, err = run(["sweep", workbook, "--param", "demand", "--selector", "chat",
                             "--operation", "multiply", "--values", "0.5,1,2", "--out", out,
                             "--workers", "1", "--quiet"], capsys)
    assert code == 0, err
    assert err == "" and "demand = 2: ok" in stdout
    wb = openpyxl.load_workbook(out)
    rows = list(wb["Sweep"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == [0.5, 1, 2]  # numbers, not text
    assert all(wb["Sweep"].cell(r, 2).data_type == "n" for r in range(2, 5))
    assert wb["ChartData"].sheet_state == "hidden"
    costs = [r[4] for r in rows[1:]]
    assert costs[0] < costs[1] < costs[2]
    assert type(wb["Sweep"]._charts[0]).__name__ == "LineChart"
    _check_tables(wb, ["Sweep", "Runs"])

    out = tmp_path / "t.xlsx"
    code, stdout, err = run(["sweep", workbook, "--tornado", "demand:0.8:1.2,rent_price:0.5:2",
                             "--out", out, "--workers", "1", "--json"], capsys)
    assert code == 0, err
    tornado = json.loads(stdout)["tornado"]
    assert {t["parameter"] for t in tornado} == {"demand", "rent_price"}
    wb = openpyxl.load_workbook(out)
    assert type(wb["Tornado"]._charts[0]).__name__ == "BarChart"
    assert {(t["low"], t["high"]) for t in tornado} == {(0.8, 1.2), (0.5, 2)}
    lows = [r[1:3] for r in list(wb["Tornado"].iter_rows(values_only=True))[1:]]
    assert sorted(lows) == [(0.5, 2), (0.8, 1.2)]


def test_plan_hedge_reports_vss_and_evpi(workbook, tmp_path, capsys):
    out = tmp_path / "h.xlsx"
    ledger = tmp_path / "plans.sqlite"
    code, stdout, err = run(["plan", workbook, "--hedge", "--out", out, "--workers", "1",
                             "--json", "--quiet", "--ledger", ledger], capsys)
    assert code == 0, err
    summary = json.loads(stdout)
    assert summary["status"] == "ok" and summary["hedged"] is True
    assert summary["scenarios"] == 3
    money = summary["expected_costs"]
    assert money["objective_npv_usd"] == pytest.approx(summary["expected_cost_usd"], rel=1e-6)
    assert money["objective_npv_usd"] == pytest.approx(
        money["cost_of_ownership_npv_usd"] + money["penalties_npv_usd"])
    # the hedged run is in the ledger
    code, shown, err = run(["show", str(summary["run_id"]), "--ledger", ledger, "--json"],
                           capsys)
    assert code == 0, err
    assert "plan --hedge" in shown
    tol = 0.01 * summary["expected_cost_usd"]  # the workbook's gap, on both sides
    assert summary["vss_usd"] >= -tol and summary["evpi_usd"] >= -tol
    assert set(summary["scenario_costs_usd"]) == {"base", "busy", "dear-rent"}
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Summary"
    assert {"Purchases", "Hedge", "HedgeValue", "Runs"} <= set(wb.sheetnames)
    first = [wb["Summary"].cell(r, 1).value for r in range(1, 5)]
    assert first[0].startswith("Hedged accelerator plan")
    assert first[1].startswith("HEDGED PLAN over 3 scenarios")
    assert "base" in first[2] and "busy" in first[2] and "dear-rent" in first[2]
    assert first[3].startswith("Expected cost (probability-weighted NPV)")
    # Runs: the hedge row's chips_bought are the shared first stage's purchases
    runs = list(wb["Runs"].iter_rows(values_only=True))
    col = runs[0].index("chips_bought")
    hedge_row = next(r for r in runs[1:] if r[0] == "hedge")
    quarters = [r[0] for r in wb["CashFlow"].iter_rows(min_row=2, values_only=True)]
    through = quarters[4]  # hedge_first_stage_quarters = 4 (the default)
    head = [c.value for c in wb["Purchases"][1]]
    bought = [dict(zip(head, r)) for r in wb["Purchases"].iter_rows(min_row=2, values_only=True)]
    first_stage = sum(r["quantity_chips"] for r in bought if r["quarter_ordered"] < through)
    assert hedge_row[col] == first_stage
    measures = [r[0] for r in wb["HedgeValue"].iter_rows(min_row=2, values_only=True)]
    assert "value_of_stochastic_solution_usd" in measures
    assert "expected_value_of_perfect_information_usd" in measures


def test_a_bad_override_on_the_command_line_names_the_option(workbook, tmp_path, capsys):
    code, _out, err = run(["sweep", workbook, "--param", "rent_price", "--selector", "H10",
                           "--operation", "set", "--values", "1", "--out", tmp_path / "x.xlsx"],
                          capsys)
    assert code == 2 and "--selector: unknown chip 'H10'" in err and "Traceback" not in err
    code, _out, err = run(["sweep", workbook, "--param", "demnd", "--values", "1"], capsys)
    assert code == 2 and "--param: unknown parameter 'demnd'" in err


def test_a_bad_scenarios_row_stops_whatif_naming_row_and_column(tmp_path, capsys):
    path = write_minimal(tmp_path, "bad.xlsx")
    wb = openpyxl.load_workbook(path)
    fill_rows(wb, "Scenarios", [{"scenario": "x", "parameter": "power_cap_kw",
                                 "selector": "mars", "operation": "set", "value": 1}])
    wb.save(path)
    code, _out, err = run(["whatif", path, "--out", tmp_path / "w.xlsx"], capsys)
    assert code == 2
    assert "sheet 'Scenarios', row 2, column 'selector'" in err
    assert not (tmp_path / "w.xlsx").exists()


def test_whatif_never_overwrites_its_input(workbook, capsys):
    code, _out, err = run(["whatif", workbook, "--out", workbook, "--workers", "1", "--quiet"],
                          capsys)
    assert code == 2 and "refusing to overwrite the input file" in err


def test_hedge_without_scenarios_is_an_input_problem(tmp_path, capsys):
    code, _out, err = run(["plan", write_minimal(tmp_path), "--hedge", "--quiet"], capsys)
    assert code == 2 and "needs scenarios" in err


def test_a_sweep_line_says_which_money_each_figure_is(workbook, tmp_path, capsys):
    """Each point's one-line answer names its own NPV rate (a discount-rate sweep changes
    it), the cost basis and the tax basis, as the plan's line does."""
    code, stdout, err = run(["sweep", workbook, "--param", "discount_rate", "--operation", "set",
                             "--values", "0.05,0.1", "--out", tmp_path / "r.xlsx",
                             "--workers", "1", "--quiet"], capsys)
    assert code == 0, err
    lines = [line for line in stdout.splitlines() if line.startswith("discount_rate")]
    assert len(lines) == 2
    assert "(NPV at 5.0%/yr, annuity basis, pre-tax)" in lines[0]
    assert "(NPV at 10.0%/yr, annuity basis, pre-tax)" in lines[1]
