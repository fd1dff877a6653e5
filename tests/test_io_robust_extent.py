"""Tiny files that would expand into huge tables (issue 18 case 2) are refused before a
row is parsed: a row number past Excel's 1,048,576, a cell past column XFD, and rows padded
out to a far-right cell, all by the sheet scan's exact count of what reading row by row
materialises (at most ``Limits.max_cells`` = 1,000,000 cells per sheet)."""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path

import pytest
from robust_parts import rewrite, sheet_part
from workbooks import catalogs, write_minimal

from planner.domain import PlannerError
from planner.io.guard import Limits
from planner.io.reader import read_workbook


def _edit_demand(tmp_path: Path, edit) -> Path:
    path = write_minimal(tmp_path)
    return rewrite(path, tmp_path / "hostile.xlsx", {sheet_part(path, "Demand"): edit})


def _drop_dimension(data: bytes) -> bytes:
    return re.sub(rb"<dimension [^>]*/>", b"", data)


def _refused(path: Path, limits: Limits | None = None) -> tuple[str, float]:
    start = time.perf_counter()
    with pytest.raises(PlannerError) as exc:
        read_workbook(path, *catalogs(), limits=limits)
    return str(exc.value), time.perf_counter() - start


@pytest.mark.parametrize("row", [1_048_577, 2_000_000_000, 10**14])
def test_a_row_past_excels_last_row_is_refused(tmp_path, row):
    def edit(data: bytes) -> bytes:
        cell = f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>x</t></is></c></row>'
        return _drop_dimension(data).replace(b"</sheetData>", cell.encode() + b"</sheetData>")

    message, seconds = _refused(_edit_demand(tmp_path, edit))
    assert f"row {row:,}" in message and "beyond Excel's last row" in message
    assert seconds < 10


def test_a_cell_past_column_xfd_is_refused(tmp_path):
    def edit(data: bytes) -> bytes:
        cell = b'<row r="50"><c r="XFE50"><v>1</v></c></row>'
        return _drop_dimension(data).replace(b"</sheetData>", cell + b"</sheetData>")

    message, _ = _refused(_edit_demand(tmp_path, edit))
    assert "column XFE" in message


def test_rows_padded_to_a_far_right_cell_are_refused_before_reading(tmp_path):
    """20,000 rows each with one cell in column XFD: 20,000 x 16,384 = 327,680,000 cells
    once padded (the 168 KB file of the issue took 2.6 GB and 23 s); the scan refuses it
    with the padded count, fast and in little memory."""
    rows = b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (r, r)
                    for r in range(100, 20_100))

    def edit(data: bytes) -> bytes:
        return _drop_dimension(data).replace(b"</sheetData>", rows + b"</sheetData>")

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message, seconds = _refused(_edit_demand(tmp_path, edit))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert "would fill" in message and "cells or more when read row by row" in message
    assert seconds < 10
    assert grown_mb < 200


def test_cells_without_references_are_followed_like_openpyxl(tmp_path):
    """Cells without ``r`` take the next column: row 900 holding 41 unreferenced cells
    materialises 900 row slots + 41 cells + the table above it, over a 950-cell budget
    (the same sheet without that row is far under it)."""
    cells = b"<c><v>1</v></c>" * 41

    def edit(data: bytes) -> bytes:
        return _drop_dimension(data).replace(b"</sheetData>",
                                             b'<row r="900">' + cells + b"</row></sheetData>")

    message, _ = _refused(_edit_demand(tmp_path, edit), Limits(max_cells=950))
    assert "would fill" in message
