"""The blank template: README first, every sheet's header from the schema, reads back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from workbooks import MINIMAL, MINIMAL_SETTINGS, catalogs, fill_rows, fill_settings

from planner.domain import InputError
from planner.io.reader import read_workbook
from planner.io.schema import SETTINGS, SHEETS
from planner.io.template import write_template


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write_template(tmp_path / "blank.xlsx")


def test_readme_first_then_every_sheet_in_schema_order(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["README"] + [s.name for s in SHEETS]


def test_headers_are_the_schema_columns_bold_frozen_and_sized(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    for spec in SHEETS:
        ws = wb[spec.name]
        header = [c.value for c in ws[1]]
        assert header == [c.name for c in spec.columns]
        assert all(c.font.bold for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert all(ws.column_dimensions[c.column_letter].width >= 12 for c in ws[1])
        assert all(c.comment is not None and c.comment.text for c in ws[1])


def test_readme_lists_every_sheet_column_and_setting(template: Path) -> None:
    ws = openpyxl.load_workbook(template)["README"]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    listed = {(r[0], r[1]) for r in rows}
    for spec in SHEETS:
        assert (spec.name, "") in listed or (spec.name, None) in listed
        for col in spec.columns:
            assert (spec.name, col.name) in listed, (spec.name, col.name)
    for s in SETTINGS:
        assert ("Settings", f"setting: {s.name}") in listed
    header = next(r for r in rows if r[:2] == ("sheet", "column"))
    assert header == ("sheet", "column", "unit", "required", "expected", "default", "meaning")


def test_settings_sheet_lists_every_setting_with_its_default(template: Path) -> None:
    ws = openpyxl.load_workbook(template)["Settings"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == [s.name for s in SETTINGS]
    assert rows["start_quarter"] is None
    assert rows["quarters"] == 12 and rows["solver"] == "highs"


def test_choice_columns_get_a_dropdown(template: Path) -> None:
    ws = openpyxl.load_workbook(template)["Workloads"]
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"fp4,fp8,int8,bf16,fp16"' in formulas


def test_empty_template_reads_back_as_clear_problems(template: Path) -> None:
    with pytest.raises(InputError) as info:
        read_workbook(template, *catalogs())
    text = [str(p) for p in info.value.problems]
    assert text == [
        ("sheet 'Settings', row 2, column 'value': start_quarter is empty: expected a "
         "quarter like 2027Q1"),
        "sheet 'Chips': has no rows: add at least one chip below the header",
        "sheet 'Sites': has no rows: add at least one site below the header",
        "sheet 'Workloads': has no rows: add at least one workload below the header",
    ]


def test_round_trip_template_filled_programmatically_reads_back(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    fill_settings(wb, MINIMAL_SETTINGS)
    for sheet, rows in MINIMAL.items():
        fill_rows(wb, sheet, rows)
    wb.save(template)
    plan = read_workbook(template, *catalogs())
    assert len(plan.periods) == MINIMAL_SETTINGS["quarters"]
    assert [c.chip for c in plan.chips] == ["H100 SXM", "L40S"]
    assert [w.name for w in plan.workloads] == [w["workload"] for w in MINIMAL["Workloads"]]
    assert [len(w.demand_tokens_per_day) for w in plan.workloads] == [4, 4]
    assert [t.name for t in plan.training] == ["pretrain"]


def test_write_template_replaces_atomically_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "blank.xlsx"
    target.parent.mkdir()
    target.write_text("old")
    assert write_template(target) == target
    assert openpyxl.load_workbook(target).sheetnames[0] == "README"
    assert sorted(p.name for p in target.parent.iterdir()) == ["blank.xlsx"]
