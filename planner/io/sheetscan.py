"""A worksheet's XML, looked at before its rows are parsed.

One streaming pass over the sheet's part (never held in memory whole) finds its declared
size (``<dimension ref="A1:X40"/>``), how many cells it stores, its merged ranges and
whether any cell has a formula.  A sheet over :attr:`Limits.max_cells` cells is refused
before openpyxl parses it.  Formula cells without a saved value (a workbook written by a
script and never calculated: openpyxl writes ``<f>A1*2</f><v/>``) are found by a second
pass, run only for sheets with formulas.  That pass reads the XML because openpyxl's
cached values (``data_only=True``) give None both for a formula never calculated and for
one whose saved result is empty text (``t="str"`` and an empty ``<v>``, as Excel and
LibreOffice save ``=IF(A1>0,"",1)``), and only the first is a problem.

The sheet's part is found through openpyxl's read-only worksheet (``_worksheet_path`` and
the workbook's open ``_archive``), the one place this module relies on openpyxl's
internals; tests/test_io_robust_limits.py fails if they change.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field

from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.functions import iterparse

from planner.domain.errors import PlannerError, Problem
from planner.io.guard import Limits

_CHUNK = 1 << 20
_TAIL = 4096
#: Excel's own limits: a row or column past them comes from no spreadsheet program.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
_TAG = re.compile(rb"<(?:\w{1,16}:)?(row|c)((?:\s[^<>]{0,3000})?)/?>")
_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{0,4})(\d{1,15})[\"']")
_CELL = re.compile(rb"<(?:\w{1,16}:)?c[\s>/]")
_FORMULA = re.compile(rb"<(?:\w{1,16}:)?f[\s>/]")
_MERGE = re.compile(rb"<(?:\w{1,16}:)?mergeCell\s[^>]*?ref=\"([A-Za-z]{1,3}\d{1,7}(?::[A-Za-z]{1,3}"
                    rb"\d{1,7})?)\"")
_DIMENSION = re.compile(rb"<(?:\w{1,16}:)?dimension\s[^>]*?ref=\"([^\"]{1,40})\"")
#: Errors a damaged part raises while it is read.
DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
          SyntaxError, IndexError, TypeError, AttributeError, NotImplementedError)


@dataclass
class SheetScan:
    """What one worksheet's XML holds, as far as the reader cares before parsing it."""

    title: str
    dimension: str | None = None
    declared_cells: int = 0
    cells: int = 0
    has_formulas: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # c1, r1, c2, r2
    extent: Extent = field(default_factory=lambda: Extent())


@dataclass
class Extent:
    """What reading the sheet row by row will materialise, followed tag by tag the way
    openpyxl's reader numbers rows and cells: every row up to the last one (missing rows
    are filled in) and each row padded up to its last cell's column."""

    row: int = 0          # the current row number
    column: int = 0       # the current cell's column
    width: int = 0        # the widest column of the current row
    padded: int = 0       # cells of the rows finished so far, padding included
    parsed: int = 0       # cell tags followed (compared with SheetScan.cells)
    too_far: str = ""     # the first reference past Excel's limits

    def finish_row(self) -> None:
        self.padded += self.width
        self.width = 0

    def total(self, opened_cells: int) -> int:
        """Cells materialised: padded rows, one per row number, and every cell tag the
        pattern could not follow counted at the full width of a sheet."""
        unfollowed = max(0, opened_cells - self.parsed)
        return self.padded + self.width + self.row + unfollowed * EXCEL_COLUMNS

    def follow(self, kind: bytes, attrs: bytes) -> None:
        ref = _REF.search(attrs)
        if kind == b"row":
            self.finish_row()
            self.column = 0
            self.row = int(ref.group(2)) if ref else self.row + 1
            if self.row > EXCEL_ROWS and not self.too_far:
                self.too_far = f"row {self.row:,}"
            return
        self.parsed += 1
        letters = ref.group(1) if ref else b""
        if letters:
            self.column = column_number(letters.decode("ascii"))
        else:
            self.column += 1
        if self.column > EXCEL_COLUMNS and not self.too_far:
            self.too_far = f"column {letters.decode('ascii') or self.column}"
        self.width = max(self.width, self.column)


def column_number(letters: str) -> int:
    """'A' -> 1, 'XFD' -> 16384 (and past it for longer letters)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _part(ws) -> tuple[zipfile.ZipFile, str] | None:
    archive = getattr(getattr(ws, "parent", None), "_archive", None)
    path = getattr(ws, "_worksheet_path", None)
    if archive is None or path is None:
        return None
    return archive, path


def damaged(title: str, exc: BaseException) -> PlannerError:
    """The error for a sheet whose part cannot be read."""
    return PlannerError(f"sheet '{title}' is damaged and cannot be read "
                        f"({type(exc).__name__}: {exc}); this is not a readable Excel "
                        f"workbook: open and save it again in Excel or LibreOffice")


def _area(ref: str) -> int:
    try:
        c1, r1, c2, r2 = range_boundaries(ref)
    except (ValueError, TypeError):
        return 0
    if None in (c1, r1, c2, r2):
        return 0
    return (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)


def _beyond_excel(scan: SheetScan) -> PlannerError:
    return PlannerError(f"sheet '{scan.title}' refers to {scan.extent.too_far}, beyond "
                        f"Excel's last row ({EXCEL_ROWS:,}) or column (XFD, {EXCEL_COLUMNS:,}); "
                        "no spreadsheet program writes that, so the file is damaged or was "
                        "made to exhaust memory: it was not read")


def _over_budget(scan: SheetScan, limits: Limits) -> bool:
    return (scan.declared_cells > limits.max_cells or scan.cells > limits.max_cells
            or scan.extent.total(scan.cells) > limits.max_cells)


def _too_big(scan: SheetScan, limits: Limits) -> PlannerError:
    if scan.extent.too_far:
        return _beyond_excel(scan)
    if scan.declared_cells <= limits.max_cells and scan.cells <= limits.max_cells:
        return PlannerError(
            f"sheet '{scan.title}' would fill {scan.extent.total(scan.cells):,} cells or more "
            f"when read row by row (its rows run to row {scan.extent.row:,} and as far right "
            f"as its cells go), over the {limits.max_cells:,}-cell limit for an input sheet, "
            "so it was not read: delete the empty rows and far-right cells after the table "
            "(Ctrl+End shows the last cell in use) and save")
    if scan.declared_cells > limits.max_cells:
        what = f"spans {scan.dimension} ({scan.declared_cells:,} cells)"
        hint = ("delete the rows and columns after the table (Ctrl+End shows the last cell "
                "in use) and save")
    else:
        what = f"holds {scan.cells:,} cells or more"
        hint = "an input sheet needs far fewer; keep only the table the planner reads"
    return PlannerError(f"sheet '{scan.title}' {what}, over the {limits.max_cells:,}-cell "
                        f"limit for an input sheet, so it was not read: {hint}")


def _consume(scan: SheetScan, buf: bytes, fresh_from: int) -> None:
    """Count what ``buf`` holds, skipping matches that end before ``fresh_from`` (already
    counted with the previous chunk)."""
    scan.cells += sum(1 for m in _CELL.finditer(buf) if m.end() > fresh_from)
    for m in _TAG.finditer(buf):
        if m.end() > fresh_from:
            scan.extent.follow(m.group(1), m.group(2))
    scan.has_formulas = scan.has_formulas or _FORMULA.search(buf) is not None
    for m in _MERGE.finditer(buf):
        if m.end() > fresh_from:
            try:
                scan.merged.append(range_boundaries(m.group(1).decode("ascii").upper()))
            except ValueError:
                continue


def scan_sheet(ws, limits: Limits) -> SheetScan:
    """Scan ``ws`` (a read-only worksheet); PlannerError if it is too big or damaged."""
    scan = SheetScan(ws.title)
    part = _part(ws)
    if part is None:
        return scan
    archive, path = part
    tail = b""
    try:
        with archive.open(path) as src:
            while chunk := src.read(_CHUNK):
                buf = tail + chunk
                if scan.dimension is None and not tail:
                    found = _DIMENSION.search(buf)
                    if found:
                        scan.dimension = found.group(1).decode("ascii", "replace")
                        scan.declared_cells = _area(scan.dimension)
                _consume(scan, buf, len(tail))
                if scan.extent.too_far or _over_budget(scan, limits):
                    raise _too_big(scan, limits)
                tail = buf[-_TAIL:]
    except DAMAGE as exc:
        raise damaged(ws.title, exc) from None
    return scan


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _uncached(cell) -> bool:
    """A ``<c>`` element with a formula and no saved result (an empty ``<v>`` is a saved
    result only for a text cell: an empty text)."""
    children = {_local(child.tag): child for child in cell}
    if "f" not in children:
        return False
    value = children.get("v")
    if value is None:
        return True
    return not (value.text or "").strip() and cell.get("t") not in ("str", "s", "inlineStr")


def uncached_formulas(ws) -> list[str]:
    """Coordinates of the formula cells of ``ws`` that have no saved value."""
    part = _part(ws)
    if part is None:
        return []
    archive, path = part
    found: list[str] = []
    try:
        with archive.open(path) as src:
            for _event, el in iterparse(src, events=("end",)):
                if _local(el.tag) != "c":
                    continue
                if _uncached(el):
                    found.append(el.get("r") or "?")
                el.clear()
    except DAMAGE as exc:
        raise damaged(ws.title, exc) from None
    return found


def formula_problems(sheets: dict, scans: dict[str, SheetScan]) -> list[Problem]:
    """One problem per sheet (``sheets`` by title) with formulas lacking saved values."""
    problems = []
    for title, ws in sheets.items():
        if not scans[title].has_formulas:
            continue
        cells = uncached_formulas(ws)
        if not cells:
            continue
        listed = ", ".join(cells[:8]) + (f" and {len(cells) - 8} more" if len(cells) > 8 else "")
        what = "cell {} holds a formula" if len(cells) == 1 else "cells {} hold formulas"
        problems.append(Problem(title, None, None, (
            f"{what.format(listed)} without a saved value (the workbook was written "
            "by a program that does not calculate formulas), so the values cannot be read: "
            "open and save it in Excel or LibreOffice, or write values instead of formulas")))
    return problems
