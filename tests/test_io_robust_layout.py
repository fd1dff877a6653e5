"""Sheet layout: hidden sheets and rows are read like any other, blank and formatted-empty
rows are skipped, a wrong declared size does not drop rows, and merged cells either read
correctly or are named as problems."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl.styles import PatternFill
from robust_parts import rewrite, sheet_part
from workbooks import column_of, mutate, problems, read, write_minimal


@pytest.fixture
def plain(tmp_path: Path):
    return read(write_minimal(tmp_path, "plain.xlsx"))


def _same(a, b) -> bool:
    return (a.settings, a.chips, a.sites, a.workloads, a.training) == \
        (b.settings, b.chips, b.sites, b.workloads, b.training)


def test_hidden_sheets_and_rows_are_read(tmp_path: Path, plain) -> None:
    def hide(wb) -> None:
        wb["Chips"].sheet_state = "hidden"
        wb["Demand"].sheet_state = "veryHidden"
        wb["Workloads"].row_dimensions[3].hidden = True
        wb["Demand"].row_dimensions[2].hidden = True
    assert _same(read(mutate(tmp_path, "hidden.xlsx", hide)), plain)


def test_blank_and_formatted_empty_rows_are_skipped(tmp_path: Path, plain) -> None:
    def pad(wb) -> None:
        ws = wb["Demand"]
        ws.insert_rows(4, 2)  # blank rows inside the table
        ws.cell(ws.max_row + 3, 1, "   ")  # spaces only
        ws.cell(20000, 3).fill = PatternFill("solid", fgColor="FFFF00")  # styled, empty
        for r in range(ws.max_row + 1, ws.max_row + 50):
            ws.cell(r, 2).number_format = "0.00"
    assert _same(read(mutate(tmp_path, "padded.xlsx", pad)), plain)


def test_a_declared_size_smaller_than_the_data_does_not_drop_rows(tmp_path: Path,
                                                                   plain) -> None:
    path = write_minimal(tmp_path, "sized.xlsx")
    part = sheet_part(path, "Demand")
    lying = rewrite(path, tmp_path / "lying.xlsx", {
        part: lambda data: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)})
    assert _same(read(lying), plain)


def _merge(sheet: str, column: str, rows: tuple[int, int]):
    def change(wb) -> None:
        ws = wb[sheet]
        c = column_of(ws, column)
        ws.merge_cells(start_row=rows[0], end_row=rows[1], start_column=c, end_column=c)
    return change


def test_a_merged_name_is_a_problem_on_each_hidden_cell(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "m.xlsx", _merge("Workloads", "model", (2, 3))))
    assert (p.sheet, p.row, p.column) == ("Workloads", 3, "model")
    assert p.message == ("is blank: it is inside the merged cells B2:B3, whose value "
                         "'llama-3.1-8b' only the first cell B2 holds; unmerge the cells and "
                         "fill each one")


def test_a_merged_optional_cell_is_not_silently_blank(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "m.xlsx", _merge("Workloads", "ttft_ms", (2, 3))))
    assert (p.sheet, p.row, p.column) == ("Workloads", 3, "ttft_ms")
    assert "inside the merged cells F2:F3, whose value 500" in p.message


def test_a_merged_header_over_an_empty_column_reads(tmp_path: Path, plain) -> None:
    def change(wb) -> None:
        ws = wb["Sites"]
        last = ws.max_column
        ws.merge_cells(start_row=1, end_row=1, start_column=last, end_column=last + 1)
    assert _same(read(mutate(tmp_path, "h.xlsx", change)), plain)


def test_a_merged_header_over_values_is_named(tmp_path: Path) -> None:
    def change(wb) -> None:
        ws = wb["Chips"]
        c = column_of(ws, "purchase_usd_per_chip")
        assert ws.cell(1, c + 1).value == "rent_usd_per_chip_hour"
        ws.merge_cells(start_row=1, end_row=1, start_column=c, end_column=c + 1)
    found = problems(mutate(tmp_path, "h.xlsx", change))
    merged = [p for p in found if "merged" in p.message]
    assert [(p.sheet, p.row, p.column) for p in merged] == [
        ("Chips", None, "purchase_usd_per_chip")]
    assert merged[0].message.startswith("the header is merged across B1:C1, so column(s) C "
                                        "hold values under no header of their own")
    assert any(p.column == "rent_usd_per_chip_hour" and "missing" in p.message for p in found)
