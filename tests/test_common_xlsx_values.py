"""Formula cells saved with their computed values, so that a viewer which does not
recalculate (openpyxl ``data_only=True``, previewers, pandas) shows numbers."""

from __future__ import annotations

import os
import stat

import openpyxl
import pytest

from planner.common.xlsx_values import formula_values, save_workbook


def _book() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cash Flow"
    for row in ([2027, 10.0, 3.0], [2028, 20.0, 0.5], ["note", "text", None]):
        ws.append(row)
    ws["B4"] = "=SUM(B1:B3)"                    # 10 + 20, the text skipped = 30
    ws["C4"] = "=SUMPRODUCT(B1:B2,C1:C2)"       # 10*3 + 20*0.5 = 40
    ws["D4"] = "=B4-SUMPRODUCT(B1:B2,C1:C2)"    # 30 - 40 = -10
    ws["E4"] = "=-(B4+C4)*2/4"                  # -(30 + 40) * 2 / 4 = -35
    ws["F4"] = "=$B$4-C3"                       # 30 - blank (0) = 30
    other = wb.create_sheet("P&L")
    other["A1"] = "='Cash Flow'!D4+1.5e1"       # -10 + 15 = 5
    other["A2"] = "=SUM('Cash Flow'!B1:C2)"     # 10 + 3 + 20 + 0.5 = 33.5
    other["A3"] = "=TOTAL"                      # text written as text, not a formula
    other["A3"].data_type = "s"
    return wb


def test_known_answers_read_back_without_recalculation(tmp_path):
    """Hand-worked values (see the comments in _book) are what data_only=True reads."""
    path = tmp_path / "book.xlsx"
    save_workbook(_book(), path)
    values = openpyxl.load_workbook(path, data_only=True)
    cf, pnl = values["Cash Flow"], values["P&L"]
    assert [cf[c].value for c in ("B4", "C4", "D4", "E4", "F4")] == [30, 40, -10, -35, 30]
    assert pnl["A1"].value == 5 and pnl["A2"].value == 33.5
    assert pnl["A3"].value == "=TOTAL"
    formulas = openpyxl.load_workbook(path)
    assert formulas["Cash Flow"]["D4"].value == "=B4-SUMPRODUCT(B1:B2,C1:C2)"  # kept


def test_every_formula_gets_a_value():
    values = formula_values(_book())
    assert set(values["Cash Flow"]) == {"B4", "C4", "D4", "E4", "F4"}
    assert set(values["P&L"]) == {"A1", "A2"}


@pytest.mark.parametrize("formula, why", [
    ("=AVERAGE(B1:B2)", "AVERAGE is not supported"),
    ("=B3+1", "'text' is not a number"),
    ("=A5", "circular"),
])
def test_a_formula_it_cannot_evaluate_names_the_cell(formula, why):
    wb = _book()
    wb["Cash Flow"]["A5"] = formula
    with pytest.raises(ValueError, match=r"Cash Flow!A5") as err:
        formula_values(wb)
    assert why.split()[0].strip("'") in str(err.value)


def test_saving_in_place_keeps_the_files_mode(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"")
    os.chmod(path, 0o644)
    save_workbook(_book(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
