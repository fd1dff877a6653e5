"""The blank input template: a README sheet, then every sheet with its header row.

Both come from :mod:`planner.io.schema`, so the template, the reader and the docs agree.
:func:`new_workbook` is also used by ``inputs/make_example.py`` to lay out the example.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from planner.common.atomic import atomic_path
from planner.io.schema import SETTINGS, SHEETS, SheetSpec, required_text

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_VALIDATED_ROWS = 500


def _names(required: bool) -> str:
    """'A, B and C': the required (or optional) sheets, in schema order."""
    names = [s.name for s in SHEETS if s.required == required]
    return ", ".join(names[:-1]) + " and " + names[-1]


README_INTRO = [
    "Accelerator fleet planner: input workbook",
    ("Fill in the sheets after this one. Each is a table whose header is row 1; column names "
     "are matched ignoring case, spaces and underscores, extra columns are ignored and "
     "column order is free."),
    (f"{_names(True)} are required; {_names(False)} are optional and may be left with "
     "their header only."),
    ("Numbers: use plain numbers (units are in the column names). Quarters: like 2027Q1. "
     "Formulas are fine: the values Excel last calculated and saved are read."),
]
README_HEADER = ["sheet", "column", "unit", "required", "expected", "default", "meaning"]


def style_header(ws: Worksheet, names: list[str], widths: list[int] | None = None) -> None:
    """Bold, shaded header ``names`` in row 1, frozen below, columns sized to fit."""
    for i, name in enumerate(names, start=1):
        cell = ws.cell(row=1, column=i, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        width = widths[i - 1] if widths else max(12, len(name) + 3)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def _add_choice_validation(ws: Worksheet, spec: SheetSpec) -> None:
    for i, col in enumerate(spec.columns, start=1):
        if col.kind != "choice":
            continue
        letter = get_column_letter(i)
        dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"',
                            allow_blank=True, showErrorMessage=True,
                            errorTitle=col.name, error=f"Expected {col.expected}")
        dv.add(f"{letter}2:{letter}{_VALIDATED_ROWS}")
        ws.add_data_validation(dv)


def _data_sheet(wb: Workbook, spec: SheetSpec) -> Worksheet:
    ws = wb.create_sheet(spec.name)
    style_header(ws, [c.name for c in spec.columns])
    for i, col in enumerate(spec.columns, start=1):
        note = f"{col.doc}\nUnit: {col.unit or '-'}. Expected: {col.expected}."
        if col.default_text:
            note += f" Blank: {col.default_text}."
        ws.cell(row=1, column=i).comment = Comment(note, "planner", width=300, height=120)
    _add_choice_validation(ws, spec)
    return ws


def _fill_settings(ws: Worksheet) -> None:
    """One row per setting with its default, unit and meaning (start_quarter blank)."""
    for r, s in enumerate(SETTINGS, start=2):
        ws.cell(row=r, column=1, value=s.name)
        ws.cell(row=r, column=2, value=s.default)
        ws.cell(row=r, column=3, value=s.unit)
        ws.cell(row=r, column=4, value=s.doc)
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 24
    ws.column_dimensions["D"].width = 90


def _readme_rows(spec: SheetSpec) -> list[list[object]]:
    kind = "required sheet" if spec.required else "optional sheet"
    out: list[list[object]] = [[spec.name, "", "", kind, "", "", spec.doc]]
    for col in spec.columns:
        out.append([spec.name, col.name, col.unit, required_text(col), col.expected,
                    col.default_text, col.doc])
    if spec.name == "Settings":
        for s in SETTINGS:
            out.append(["Settings", f"setting: {s.name}", s.unit, required_text(s),
                        s.expected, s.default_text, s.doc])
    return out


def _readme_sheet(wb: Workbook) -> Worksheet:
    ws = wb.active
    ws.title = "README"
    for r, line in enumerate(README_INTRO, start=1):
        ws.cell(row=r, column=1, value=line).font = Font(bold=(r == 1), size=14 if r == 1 else 11)
    top = len(README_INTRO) + 2
    for i, name in enumerate(README_HEADER, start=1):
        cell = ws.cell(row=top, column=i, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    r = top
    for spec in SHEETS:
        for values in _readme_rows(spec):
            r += 1
            section = values[1] == ""
            for i, v in enumerate(values, start=1):
                cell = ws.cell(row=r, column=i, value=v)
                cell.alignment = _WRAP
                if section:
                    cell.font, cell.fill = HEADER_FONT, SECTION_FILL
    for letter, width in zip("ABCDEFG", (12, 44, 22, 16, 30, 26, 80)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    return ws


def new_workbook() -> Workbook:
    """A workbook with the README sheet and every input sheet's styled header.

    The Settings sheet lists every setting with its default value; start_quarter is blank.
    """
    wb = Workbook()
    _readme_sheet(wb)
    for spec in SHEETS:
        ws = _data_sheet(wb, spec)
        if spec.name == "Settings":
            _fill_settings(ws)
    return wb


def write_template(path: str | os.PathLike) -> Path:
    """Write the blank template to ``path`` atomically and return the path."""
    target = Path(path)
    wb = new_workbook()
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
