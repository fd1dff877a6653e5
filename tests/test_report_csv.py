"""CSV export: one file per table, same headers as the workbook, atomic writes."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from report_fixtures import make_plan

from planner.report import write_csv, write_report

TABLES = ["cashflow_by_year", "cost_per_million_tokens", "purchases", "rentals", "retirements",
          "expansions", "stacks", "fleet", "allocation", "api_usage", "capacity", "slices",
          "single_type_comparison", "mix_saving_by_workload", "utilisation",
          "power", "emissions", "cashflow", "pnl", "unit_economics", "throughput", "training", "training_estimates", "assumptions", "solver",
          "diagnostics"]


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_one_csv_per_table(tmp_path):
    result, inp = make_plan()
    paths = write_csv(result, inp, tmp_path / "csv")
    assert [p.stem for p in paths] == TABLES
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == sorted(
        f"{t}.csv" for t in TABLES)  # no temporary files left


def test_csv_matches_workbook_tables(tmp_path):
    result, inp = make_plan()
    write_csv(result, inp, tmp_path)
    wb = openpyxl.load_workbook(write_report(result, inp, tmp_path / "plan.xlsx"))
    for sheet, table in [("Purchases", "purchases"), ("Fleet", "fleet"),
                         ("CashFlow", "cashflow"), ("Capacity", "capacity")]:
        rows = read(tmp_path / f"{table}.csv")
        ws = wb[sheet]
        assert rows[0] == [c.value for c in ws[1] if c.value is not None]
        last_row = int(next(iter(ws.tables.values())).ref.split(":")[1][1:])
        assert len(rows) == last_row
    cash = read(tmp_path / "cashflow.csv")
    discounted = sum(float(r[-1]) + float(r[13]) for r in cash[1:])
    assert discounted == pytest.approx(result.costs.objective_usd, abs=1e-6)


def test_empty_tables_have_a_header(tmp_path):
    result, inp = make_plan(empty=True, training=False)
    write_csv(result, inp, tmp_path)
    assert read(tmp_path / "purchases.csv") == [["chip", "site", "quarter_ordered",
                                                 "quarter_delivered", "quantity_chips",
                                                 "unit_price_usd", "total_usd"]]


def test_booleans_and_blanks(tmp_path):
    result, inp = make_plan()
    write_csv(result, inp, tmp_path)
    rows = read(tmp_path / "throughput.csv")
    feasible = rows[0].index("feasible")
    assert {r[feasible] for r in rows[1:]} == {"yes", "no"}


def test_plan_workbook_passes_run_info_to_csv(tmp_path, monkeypatch):
    """The CSV solver table carries the same run time and start as the workbook."""
    from planner import api

    result, inp = make_plan()
    monkeypatch.setattr(api, "load_workbook", lambda path: inp)
    monkeypatch.setattr(api, "solve", lambda inp, **kw: result)
    source = tmp_path / "plan_inputs.xlsx"
    source.write_bytes(b"input")
    api.plan_workbook(source, tmp_path / "plan.xlsx", csv_dir=tmp_path / "csv")
    fields = dict(read(tmp_path / "csv" / "solver.csv")[1:])
    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    sheet = {r[0].value: r[1].value for r in wb["Solver"].iter_rows(min_row=2)}
    assert fields["started_at"] and fields["started_at"] == sheet["started_at"]
    assert float(fields["run_seconds"]) == pytest.approx(sheet["run_seconds"])
