"""The workbook's shape: sheets in story order, tidy tables, frozen headers, charts."""

from __future__ import annotations

import openpyxl
import pytest
from report_fixtures import make_plan

from planner.report import write_report

CORE = ["Summary", "Purchases", "Rentals", "Fleet", "Allocation", "Capacity", "Utilisation",
        "Power", "CashFlow", "P&L", "UnitEconomics", "Throughput", "Training", "TrainingEstimates", "Assumptions", "Solver",
        "ChartData"]
HEADERS = {
    "Purchases": ["chip", "site", "quarter_ordered", "quarter_delivered", "quantity_chips",
                  "unit_price_usd", "total_usd"],
    "Rentals": ["chip", "kind", "term_quarters", "quarter", "quantity_chips",
                "price_usd_per_chip_hour", "total_usd"],
    "Fleet": ["quarter", "chip", "site", "ownership", "vintage", "quantity_chips"],
    "Allocation": ["quarter", "workload", "chip", "chips", "prompt_output_tokens_per_s",
                   "tokens_per_day", "throughput_source"],
    "Capacity": ["quarter", "workload", "demand_tokens_per_day", "served_tokens_per_day",
                 "unmet_tokens_per_day", "met_share"],
    "Utilisation": ["quarter", "chip", "owned_chips", "rented_chips", "reserved_chips",
                    "available_chips", "inference_chips", "training_chips", "used_chips",
                    "idle_chips", "utilisation_share"],
    "Power": ["quarter", "site", "it_power_kw", "facility_power_kw", "cap_kw", "headroom_kw",
              "energy_mwh"],
    "P&L": ["quarter", "depreciation_chips_usd", "depreciation_expansions_usd", "rental_usd",
            "power_usd", "api_usd", "stack_usd", "resale_proceeds_usd", "book_value_sold_usd",
            "gain_on_resale_usd", "total_operating_cost_usd", "capital_spent_usd"],
    "UnitEconomics": ["year", "workload", "kind", "served_million_prompt_output_tokens",
                      "served_million_output_tokens", "api_million_prompt_output_tokens",
                      "allocated_cost_usd", "usd_per_million_prompt_output_tokens",
                      "usd_per_million_output_tokens", "avg_chips_allocated",
                      "avg_chip_served_prompt_output_tokens_per_s",
                      "avg_chip_served_output_tokens_per_s", "avg_facility_power_kw",
                      "prompt_output_tokens_per_s_per_watt", "output_tokens_per_s_per_watt"],
    "CashFlow": ["quarter", "capital_usd", "rental_usd", "power_usd", "api_usd",
                 "expansion_usd", "stack_usd", "resale_usd", "net_cash_usd",
                 "capital_charge_usd", "residual_credit_usd", "cost_usd", "discount_factor",
                 "discounted_cost_usd", "unmet_inference_penalty_usd",
                 "unmet_training_penalty_usd", "budget_overrun_penalty_usd",
                 "emissions_overrun_penalty_usd", "discounted_penalty_usd", "carbon_cost_usd",
                 "discounted_carbon_cost_usd"],
    "Throughput": ["chip", "model", "precision", "precision_used", "dense_precision_used",
                   "prompt_tokens", "output_tokens", "feasible", "output_tokens_per_s_per_chip",
                   "prompt_output_tokens_per_s_per_chip", "chips_per_replica", "tensor_parallel",
                   "pipeline_parallel", "data_parallel", "expert_parallel", "batch_size",
                   "ttft_ms", "tpot_ms", "bound", "source",
                   "reason", "best_ttft_ms", "best_tpot_ms"],
    "Training": ["run", "model", "quarter", "chip", "site", "chips", "share_of_run"],
    "TrainingEstimates": ["chip", "model", "method", "tokens", "chips", "precision_used",
                          "feasible", "mfu", "hours", "chip_hours", "reason"],
    "Assumptions": ["section", "item", "parameter", "value", "unit", "note"],
    "Solver": ["field", "value"],
}


def _write(tmp_path, name="plan.xlsx", **kw):
    result, inp = make_plan(**kw)
    path = write_report(result, inp, tmp_path / name, run_info={"run_seconds": 3.2})
    return openpyxl.load_workbook(path), result, inp


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("wb"))[0]


def header(ws) -> list:
    return [c.value for c in ws[1] if c.value is not None]


def test_sheets_in_story_order(wb):
    assert wb.sheetnames == CORE
    assert wb.active.title == "Summary"


@pytest.mark.parametrize("sheet", sorted(HEADERS))
def test_tidy_table_with_one_header_row(wb, sheet):
    ws = wb[sheet]
    assert header(ws)[:len(HEADERS[sheet])] == HEADERS[sheet]
    assert ws.freeze_panes == "A2"
    tables = list(ws.tables.values())
    assert len(tables) == 1
    ref = tables[0].ref
    assert ref.startswith("A1:")
    assert ws.column_dimensions["A"].width >= 8


def test_table_names_unique_and_rows_cover_data(wb):
    names = [t.displayName for ws in wb.worksheets for t in ws.tables.values()]
    assert len(names) == len(set(names))
    purchases = wb["Purchases"]
    assert purchases.tables["tbl_purchases"].ref == "A1:G3"


def test_number_formats(wb):
    p = wb["Purchases"]
    assert p["F2"].number_format == "#,##0"
    assert p["G2"].number_format == "#,##0"
    assert wb["Capacity"]["F2"].number_format == "0.0%"
    assert wb["Rentals"]["F2"].number_format == "#,##0.00"
    assert wb["CashFlow"]["M2"].number_format == "0.0000"


def test_charts_on_the_sheets_they_summarise(wb):
    assert len(wb["Fleet"]._charts) == 1
    assert len(wb["Capacity"]._charts) == 1
    assert len(wb["Power"]._charts) == 2  # one per site
    assert len(wb["CashFlow"]._charts) == 1
    fleet_chart = wb["Fleet"]._charts[0]
    assert fleet_chart.grouping == "stacked" and fleet_chart.overlap == 100


def test_chart_data_pivots_fleet_by_chip(wb):
    ws = wb["ChartData"]
    assert [ws.cell(1, c).value for c in range(1, 4)] == ["quarter", "H100 SXM", "H200 SXM"]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == ["2027Q3", "2027Q4", "2028Q1",
                                                          "2028Q2"]
    assert ws["B4"].value == 32  # 2028Q1: 16 owned + 16 reserved H100


def test_solver_sheet_lists_every_solver_field(wb):
    ws = wb["Solver"]
    fields = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    for name in ("solver", "status", "termination", "objective_usd", "best_bound_usd", "gap",
                 "solve_seconds", "build_seconds", "variables", "integer_variables",
                 "constraints", "time_limit_s", "mip_gap", "message", "input_sha256"):
        assert name in fields


def test_assumptions_cover_settings_chips_sites_workloads(wb):
    ws = wb["Assumptions"]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows(min_row=2)]
    sections = {r[0] for r in rows}
    assert {"settings", "chip", "chip spec", "site", "workload", "demand", "training run",
            "model", "input"} <= sections
    price = next(r for r in rows if r[1] == "H100 SXM" and r[2] == "purchase_usd_per_chip")
    assert price[3:5] == (27500, "USD")
    assert "all-in per accelerator" in price[5] and "server" in price[5] and \
        "network" in price[5] and "installation" in price[5]  # what the price includes
    derived = next(r for r in rows if r[1] == "H100 SXM" and r[2] == "power_kw_per_chip")
    assert derived[3] == pytest.approx(0.945) and "derived" in derived[5]
    assert any(r[2] == "peak_tflops_bf16" for r in rows)
    assert ("demand", "chat", "2027Q3", 4e9, "tokens per day", "prompt + output tokens") in rows


def test_infeasible_estimate_leaves_rates_blank(wb):
    ws = wb["Throughput"]
    last = [c.value for c in ws[ws.max_row]]
    assert last[7] == "no" and last[8] is None and last[20].startswith("TPOT")


def test_no_training_sheets_without_training(tmp_path):
    wb, _, _ = _write(tmp_path, training=False)
    assert "Training" not in wb.sheetnames and "TrainingEstimates" not in wb.sheetnames


def test_empty_plan_still_valid(tmp_path):
    wb, _, _ = _write(tmp_path, empty=True, training=False)
    for sheet in ("Purchases", "Rentals", "Fleet", "Allocation"):
        ws = wb[sheet]
        assert header(ws) == HEADERS[sheet]
        assert not ws.tables  # an Excel Table needs a data row: none is made
        assert ws["A2"].value.endswith(".")  # a note says why the sheet is empty
        assert ws.freeze_panes == "A2"
    assert not wb["Fleet"]._charts


OPTIONAL = {
    "Retirements": (["chip", "site", "vintage", "quarter_sold", "quantity_chips",
                     "resale_usd_per_chip", "total_usd"],
                    ["H100 SXM", "Site B", "2026Q1", "2028Q1", 8, 27500 * 0.65 ** 2,
                     8 * 27500 * 0.65 ** 2]),
    "Expansions": (["site", "expansion", "quarter_ordered", "quarter_available", "extra_kw",
                    "cost_usd"], ["Site B", "hall 2", "2028Q1", "2028Q2", 40, 150000]),
    "Stacks": (["stack", "adoption_usd"], ["ROCm", 50000]),
    "ApiUsage": (["quarter", "workload", "offering", "tokens_per_day",
                  "usd_per_million_prompt_output_tokens",
                  "total_usd"], ["2028Q2", "code", "Groq Llama 8B", 5e8, 0.05,
                                 5e8 * 0.05 * 8766 / 4 / 24 / 1e6]),
    "Diagnostics": (["constraint", "where", "quarter", "unit", "shadow_price_usd", "message"],
                    ["site_power", "Site B", "2028Q2", "kW", 1234.5,
                     "Site B power cap binds in 2028Q2: each extra kW would save $1,234.50"]),
}


def test_optional_feature_sheets(tmp_path):
    wb, result, _ = _write(tmp_path, extras=True)
    names = wb.sheetnames
    counts = {"Retirements": len(result.retirements), "Expansions": 1, "Stacks": 1,
              "ApiUsage": 1, "Diagnostics": 1}
    for sheet, (head, first) in OPTIONAL.items():
        ws = wb[sheet]
        assert header(ws) == head and ws.freeze_panes == "A2"
        (table,) = ws.tables.values()
        assert table.ref == f"A1:{chr(64 + len(head))}{1 + counts[sheet]}"
        assert [c.value for c in ws[2]] == pytest.approx(first)
    assert names.index("Rentals") < names.index("Retirements") < names.index("Fleet")
    assert names.index("Allocation") < names.index("ApiUsage") < names.index("Capacity")
    assert names.index("Solver") < names.index("Diagnostics")
    sections = {r[0].value for r in wb["Assumptions"].iter_rows(min_row=2)}
    assert {"budget", "software stack", "api offer", "site expansion", "existing chips"} <= sections


@pytest.mark.parametrize("kw", [{}, {"extras": True}, {"unmet": True}])
def test_viewer_without_recalculation_reads_every_total_as_a_number(tmp_path, kw):
    """Every formula cell (TOTAL rows, per-year sums, P&L, the Summary's spend table)
    carries its value: openpyxl with data_only=True, which never recalculates, reads a
    number, and the CashFlow TOTALs of discounted cost and penalties add up to the
    optimizer's objective."""
    result, inp = make_plan(**kw)
    path = write_report(result, inp, tmp_path / "plan.xlsx")
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    seen = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    seen += 1
                    value = values[ws.title][cell.coordinate].value
                    assert isinstance(value, (int, float)), (ws.title, cell.coordinate, value)
    assert seen > 20
    cash = values["CashFlow"]
    header = [c.value for c in cash[1]]
    total = next(r for r in range(1, cash.max_row + 1) if cash.cell(r, 1).value == "TOTAL")
    cost = cash.cell(total, header.index("discounted_cost_usd") + 1).value
    penalty = cash.cell(total, header.index("discounted_penalty_usd") + 1).value
    assert cost + penalty == pytest.approx(result.solver.objective_usd, abs=1.0)


def test_chart_data_is_hidden(wb):
    assert wb["ChartData"].sheet_state == "hidden"
    assert all(wb[name].sheet_state == "visible" for name in wb.sheetnames if name != "ChartData")
