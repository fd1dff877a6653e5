"""The report's Slices sheet, the Summary's single-type comparison and their CSV files,
written and read back.

The plan is test_optimize_single_type's hand-worked instance, planned through the
pipeline with ``single_type_comparison = yes``: mixed plan $70,000, X alone $80,000,
Y alone $150,000, so mixing saves 12.5% ($10,000).  The Slices rows are typed in (what
planner.optimize.slices makes of a plan with a request mix) so that each column's value
is known."""

from __future__ import annotations

import csv
import dataclasses

import openpyxl
import pytest
from optimize_fixtures import with_settings
from test_optimize_single_type import two_types

from planner.domain.results import SliceRow
from planner.optimize.clock import Deadline
from planner.pipeline import plan
from planner.report import write_csv, write_report
from planner.report.mix_saving import cost_attribution
from planner.report.slices import slices_table

ROWS = [
    SliceRow("2027Q1", "short", "prompt 0-100, output 0-100", 0.75, 100, 100, "chip", "X", 10.0,
             864e6, 864e6 / 200 / 86_400, "measured"),
    SliceRow("2027Q1", "short", "prompt 100-300, output 0-100", 0.25, 300, 100, "chip", "Y",
             2.5, 216e6, 216e6 / 400 / 86_400, "modelled"),
    SliceRow("2027Q1", "short", "prompt 100-300, output 0-100", 0.25, 300, 100, "unmet", "",
             0.0, 1e6, 1e6 / 400 / 86_400),
]


@pytest.fixture(scope="module")
def planned():
    inp, est = two_types()
    inp = with_settings(inp, single_type_comparison="yes")
    result = plan(inp, estimates=est, deadline=Deadline(60), cost_per_mtok=cost_attribution(inp))
    return dataclasses.replace(result, slices=list(ROWS)), inp


def test_slices_table_has_one_row_per_slice_row_with_its_source(planned):
    table = slices_table(planned[0])
    assert table.headers == ["quarter", "workload", "slice", "share_of_requests",
                             "prompt_tokens", "output_tokens", "kind", "served_by", "chips",
                             "prompt_output_tokens_per_day", "requests_per_s",
                             "throughput_source"]
    assert [(r[7], r[11]) for r in table.rows] == [("X", "measured"), ("Y", "modelled"),
                                                  ("unmet", "")]
    assert table.rows[0][10] == pytest.approx(50.0)  # 864M tokens / 200 per request / 86,400 s


def _values(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_workbook_shows_the_slices_sheet_and_its_chart(tmp_path, planned):
    result, inp = planned
    wb = openpyxl.load_workbook(write_report(result, inp, tmp_path / "plan.xlsx"))
    assert wb.sheetnames.index("Slices") == wb.sheetnames.index("Capacity") + 1
    rows = _values(wb["Slices"])
    assert rows[0][-1] == "throughput_source"
    assert rows[1][:3] == ["2027Q1", "short", "prompt 0-100, output 0-100"]
    assert [r[7] for r in rows[1:]] == ["X", "Y", "unmet"]
    assert len(wb["Slices"]._charts) == 1


def test_summary_states_the_saving_against_the_best_single_type(tmp_path, planned):
    """$80,000 - $70,000 = $10,000 saved, 12.5% of the best single-type plan's cost."""
    result, inp = planned
    wb = openpyxl.load_workbook(write_report(result, inp, tmp_path / "plan.xlsx"))
    text = [row for row in _values(wb["Summary"]) if any(v is not None for v in row)]
    titles = [r[0] for r in text if isinstance(r[0], str)]
    section = next(i for i, t in enumerate(titles) if t.startswith("What mixing chip types saves"))
    assert "new chips of one type, owned fleet kept" in titles[section]
    assert "NPV at 0.0%/yr, annuity basis, pre-tax" in titles[section]
    assert titles[section + 1] == (
        "The plan costs $70,000 against $80,000 for the best plan with a single chip type "
        "(X; new chips of one type, owned fleet kept): mixing chip types saves 12.5% "
        "($10,000), cost of ownership, NPV at 0.0%/yr, annuity basis, pre-tax.")
    options = {r[0]: r for r in text if r[0] in ("X", "Y")}
    assert options["X"][2] == pytest.approx(80_000) and options["X"][6] == "yes"
    assert options["Y"][2] == pytest.approx(150_000) and options["Y"][6] == "no"
    assert any(isinstance(r[0], str) and r[0].startswith("Each single-type plan may buy or "
                                                         "rent only that chip type")
               for r in text)


def test_csv_holds_the_slices_and_the_comparison(tmp_path, planned):
    result, inp = planned
    write_csv(result, inp, tmp_path)

    def read(name):
        with open(tmp_path / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f))

    slices = read("slices")
    assert len(slices) == 1 + len(ROWS) and slices[1][-1] == "measured"
    options = read("single_type_comparison")
    assert options[0][:3] == ["chip", "termination", "cost_of_ownership_npv_usd"]
    assert [(r[0], float(r[2]), r[6]) for r in options[1:]] == [("X", 80_000.0, "yes"),
                                                                ("Y", 150_000.0, "no")]
    per_workload = read("mix_saving_by_workload")
    assert {r[0] for r in per_workload[1:]} == {"short", "long"}


def test_without_slices_or_comparison_the_sheet_and_section_are_left_out(tmp_path):
    inp, est = two_types()
    result = plan(with_settings(inp, single_type_comparison="no"), estimates=est)
    wb = openpyxl.load_workbook(write_report(result, inp, tmp_path / "plan.xlsx"))
    assert "Slices" not in wb.sheetnames
    assert not any(isinstance(v, str) and v.startswith("What mixing chip types saves")
                   for row in _values(wb["Summary"]) for v in row)


def test_a_planned_request_mix_reads_back_from_slices_and_summary(tmp_path):
    """test_pipeline_single_type's mixed workload, planned and written: the Slices sheet
    says short is served by 5 X and long by 10 Y, both modelled, at 432M and 864M tokens a
    day (2,500 requests/s each: 432M / 200 and 864M / 400 tokens per request / 86,400 s);
    the Summary gives chat's $0.741 per Mtok against $0.926 on X alone (20% saved)."""
    from test_pipeline_single_type import mixed_workload

    inp, est = mixed_workload()
    result = plan(inp, estimates=est, deadline=Deadline(60), cost_per_mtok=cost_attribution(inp))
    wb = openpyxl.load_workbook(write_report(result, inp, tmp_path / "mix.xlsx"))
    rows = _values(wb["Slices"])[1:]
    got = {(r[2], r[7]): (r[8], r[9], r[10], r[11]) for r in rows}
    assert got == {
        ("prompt 0-100, output 0-100", "X"): (pytest.approx(5), pytest.approx(432e6),
                                              pytest.approx(432e6 / 200 / 86_400), "modelled"),
        ("prompt 100-300, output 0-100", "Y"): (pytest.approx(10), pytest.approx(864e6),
                                                pytest.approx(864e6 / 400 / 86_400), "modelled")}
    summary = _values(wb["Summary"])
    header = next(i for i, r in enumerate(summary) if r[2] == "best_single_chip")
    chat = summary[header + 1]
    assert chat[0] == "chat" and chat[2] == "X"
    assert chat[1] == pytest.approx(80_000 / 108_000)
    assert chat[3] == pytest.approx(100_000 / 108_000) and chat[4] == pytest.approx(0.2)
    allocation = _values(wb["Allocation"])
    assert allocation[0][-1] == "throughput_source"
    assert {r[-1] for r in allocation[1:]} == {"modelled"}
