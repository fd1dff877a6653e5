"""Opening an input workbook and reading its sheets as tables of rows.

Everything here records problems in a shared list instead of raising, so the reader can
report every problem of a workbook at once.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from planner.domain.errors import PlannerError, Problem
from planner.domain.names import find_by_name, normalise, suggest
from planner.io.cells import CellError, default_value, is_blank, parse_cell
from planner.io.guard import Limits, check_archive, check_file_size
from planner.io.merged import merged_problems
from planner.io.schema import ColumnSpec, SheetSpec
from planner.io.schema_spec import header_key
from planner.io.sheetscan import DAMAGE, SheetScan, damaged, scan_sheet


@dataclass(frozen=True)
class Source:
    """An input file's bytes, read once: hashed, then parsed from memory."""

    path: Path
    data: bytes

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_source(path: str | os.PathLike, limits: Limits | None = None) -> Source:
    """Read the file's bytes, or raise PlannerError saying why it cannot be read (a file
    over the size limit is refused before it is read)."""
    limits = limits or Limits()
    p = Path(path)
    if not p.exists():
        raise PlannerError(f"input file not found: {p}")
    if p.is_dir():
        raise PlannerError(f"{p} is a folder, not an Excel workbook (.xlsx)")
    if not p.is_file():
        raise PlannerError(f"{p} is not a regular file, so not an Excel workbook (.xlsx)")
    try:
        check_file_size(p.name, p.stat().st_size, limits)
        return Source(p, p.read_bytes())
    except PermissionError:
        raise PlannerError(f"cannot read {p}: permission denied") from None
    except OSError as exc:
        raise PlannerError(f"cannot read {p}: {exc.strerror or exc}") from None


def load_workbook(source: Source, limits: Limits | None = None) -> Workbook:
    """Parse the bytes as an .xlsx or .xlsm workbook: read-only, cached formula values,
    macros and external links ignored (never run), after :func:`check_archive`."""
    if not source.data:
        raise PlannerError(f"{source.name} is empty, not an Excel workbook (.xlsx)")
    if not source.data.startswith(b"PK"):
        hint = ""
        if source.data.startswith(b"\xd0\xcf\x11\xe0"):
            hint = (" (it looks like an old .xls file or a password-protected workbook: "
                    "save it as an unprotected .xlsx)")
        raise PlannerError(f"{source.name} is not an Excel workbook (.xlsx){hint}")
    check_archive(source.name, source.data, limits or Limits())
    try:
        return openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True,
                                      keep_vba=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        raise PlannerError(f"{source.name} is not a readable Excel workbook (.xlsx): "
                           f"{type(exc).__name__}: {exc}") from None


@dataclass
class Row:
    """One non-blank row: its Excel row number and raw values by spec column name."""

    number: int
    values: dict[str, object]


@dataclass
class Table:
    """A sheet read against its spec.  ``headers`` maps spec column names to the header
    text as written in the workbook (absent columns are missing)."""

    spec: SheetSpec
    title: str
    headers: dict[str, str]
    rows: list[Row] = field(default_factory=list)
    merged: set[tuple[int, str]] = field(default_factory=set)  # (row, column): reported

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def sheet_key(title: object) -> str:
    """A sheet title as matched: Unicode-compatibility folded (full-width letters are
    letters), invisible format characters dropped, then :func:`normalise`d."""
    text = unicodedata.normalize("NFKC", str(title))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return normalise(text).casefold()


def find_sheet(wb: Workbook, name: str):
    """The worksheet whose title matches ``name`` ignoring case, spaces and punctuation
    (see :func:`sheet_key`), or None.  Two sheets that both match ("Chips" and
    "Chips_") are a PlannerError naming both: reading either would be a guess."""
    key = sheet_key(name)
    found = [ws for ws in wb.worksheets if sheet_key(ws.title) == key]
    if len(found) > 1:
        titles = " and ".join(f"sheet '{ws.title}'" for ws in found)
        raise PlannerError(f"{titles} both read as the {name} sheet: delete or rename all "
                           "but one of them")
    return found[0] if found else None


def _header_keys(spec: SheetSpec) -> dict[str, str]:
    """:func:`header_key` of each column's name and synonyms -> the column's name."""
    keys: dict[str, str] = {}
    for col in spec.columns:
        for name in (col.name, *col.synonyms):
            keys.setdefault(header_key(name), col.name)
    return keys


def _header_map(header: Iterable[object], spec: SheetSpec, title: str,
                problems: list[Problem]) -> tuple[dict[str, int], dict[str, str]]:
    """Spec column name -> (0-based position, header text as written).  Two headers
    naming the same column (say price_usd and purchase_usd_per_chip) are a problem."""
    wanted = _header_keys(spec)
    positions: dict[str, int] = {}
    texts: dict[str, str] = {}
    for i, cell in enumerate(header):
        name = None if is_blank(cell) else wanted.get(header_key(cell))
        if name is None:
            continue
        text = str(cell).strip()
        if name in positions:
            first = positions[name]
            problems.append(Problem(title, None, texts[name], (
                f"columns {get_column_letter(first + 1)} ('{texts[name]}') and "
                f"{get_column_letter(i + 1)} ('{text}') both hold {name}: delete or rename "
                "one of them")))
            continue
        positions[name] = i
        texts[name] = text
    return positions, texts


def _missing_column_message(col: ColumnSpec, present: Iterable[str]) -> str:
    close = difflib.get_close_matches(header_key(col.name), [header_key(p) for p in present],
                                      n=1, cutoff=0.75)
    actual = {header_key(p): p for p in present}
    hint = f" (is '{actual[close[0]]}' meant to be it?)" if close else ""
    return f"required column '{col.name}' is missing from the header row{hint}"


def sheet_values(ws) -> list[tuple]:
    """Every row of a read-only worksheet, as values, from row 1.  The sheet's declared
    size is ignored (a wrong one would drop rows); a damaged part is a PlannerError."""
    try:
        ws.reset_dimensions()
        return list(ws.iter_rows(values_only=True))
    except DAMAGE as exc:
        raise damaged(ws.title, exc) from None


def read_table(wb: Workbook, spec: SheetSpec, problems: list[Problem],
               scans: Mapping[str, SheetScan] | None = None) -> Table | None:
    """The sheet as a table, or None (with a problem if the sheet is required) when it
    is absent.  A missing required column is a problem; blank rows are skipped.

    The sheet is scanned first (``scans`` may hold the scan, by sheet title): a sheet
    over the cell limit raises PlannerError; a blank read from a merged cell is a problem.
    """
    ws = find_sheet(wb, spec.name)
    if ws is None:
        if spec.required:
            problems.append(Problem(spec.name, None, None, "required sheet is missing"))
        return None
    scan = (scans or {}).get(ws.title) or scan_sheet(ws, Limits())
    values = sheet_values(ws)
    rows = iter(values)
    header = next(rows, None) or ()
    if all(is_blank(h) for h in header):
        if spec.required:
            names = ", ".join(c.name for c in spec.columns if c.needs_header)
            problems.append(Problem(ws.title, None, None,
                                    f"is empty: row 1 must hold the column names {names}"))
        return None
    positions, texts = _header_map(header, spec, ws.title, problems)
    table = Table(spec, ws.title, texts)
    present = [str(h).strip() for h in header if not is_blank(h)]
    for col in spec.columns:
        if col.needs_header and col.name not in positions:
            problems.append(Problem(ws.title, None, col.name,
                                    _missing_column_message(col, present)))
    for number, cells_in_row in enumerate(rows, start=2):
        if cells_in_row is None or all(is_blank(v) for v in cells_in_row):
            continue
        cells = {name: cells_in_row[i] if i < len(cells_in_row) else None
                 for name, i in positions.items()}
        table.rows.append(Row(number, cells))
    header_of = {i + 1: texts[name] for name, i in positions.items()}
    found = merged_problems(ws.title, scan.merged, values, header_of)
    name_of = {text: name for name, text in texts.items()}
    table.merged = {(p.row, name_of[p.column]) for p in found if p.row is not None}
    problems.extend(found)
    return table


class RowReader:
    """Parses one row's cells, recording a problem for each bad or missing one.

    ``reader.get(name)`` returns the parsed value, or None when the cell is blank or bad;
    ``reader.ok`` stays True while no problem was recorded for the row.
    """

    def __init__(self, table: Table, row: Row, problems: list[Problem]) -> None:
        self.table = table
        self.row = row
        self.problems = problems
        self.ok = True

    @property
    def number(self) -> int:
        return self.row.number

    def problem(self, column: str | None, message: str) -> None:
        col = self.table.header(column) if column else None
        self.problems.append(Problem(self.table.title, self.row.number, col, message))
        self.ok = False

    def raw(self, name: str) -> object:
        return self.row.values.get(name)

    def has(self, name: str) -> bool:
        return not is_blank(self.raw(name))

    def get(self, name: str) -> object:
        col = self.table.spec.column(name)
        value = self.raw(name)
        if is_blank(value) and (self.number, name) in self.table.merged:
            self.ok = False  # already reported as a blank inside merged cells
            return None
        if is_blank(value):
            if col.required:
                if name in self.table.headers:  # else the missing column is reported
                    self.problem(name, f"is empty: expected {col.expected}")
                self.ok = False
            return default_value(col)
        try:
            return parse_cell(value, col)
        except CellError as exc:
            self.problem(name, str(exc))
            return None


def rows(table: Table | None, problems: list[Problem]) -> Iterable[RowReader]:
    """A RowReader for each non-blank row of ``table`` (none if the table is absent)."""
    if table is None:
        return []
    return [RowReader(table, row, problems) for row in table.rows]


def require_rows(table: Table | None, problems: list[Problem], what: str) -> None:
    """A problem if a present sheet has no data rows ("add at least one chip")."""
    if table is not None and not table.rows:
        problems.append(Problem(table.title, None, None,
                                f"has no rows: add at least one {what} below the header"))


def unknown_name_message(kind: str, name: str, specs: Mapping[str, object], hint: str) -> str:
    """"unknown chip 'H10' (closest: H100 SXM, H200 SXM); <hint>"."""
    close = suggest(name, specs)
    closest = f" (closest: {', '.join(close)})" if close else ""
    return f"unknown {kind} '{name}'{closest}; {hint}"


def span(periods: list) -> str:
    """'2027Q1 to 2029Q4': the plan's quarters, as messages name them."""
    return f"{periods[0]} to {periods[-1]}"


def is_duplicate(reader: RowReader, column: str, what: str, name: object,
                 seen: dict[object, int], key: object = None) -> bool:
    """Record ``key`` (default: ``name`` normalised) in ``seen``; a problem and True if
    it was there already ("run 'x' is listed twice (also on row 3)")."""
    key = normalise(name) if key is None else key
    if key in seen:
        reader.problem(column, f"{what} '{name}' is listed twice (also on row {seen[key]})")
        return True
    seen[key] = reader.number
    return False


def listed_names(table: Table | None, column: str,
                 catalog: Mapping[str, object] | None = None) -> frozenset[str]:
    """Normalised names in ``column`` of every row, valid or not, with the canonical name
    and aliases of each catalog entry named, so another sheet naming a row that has its
    own problems is not reported again as naming something unknown."""
    names = set()
    for row in table.rows if table is not None else []:
        raw = row.values.get(column)
        if is_blank(raw):
            continue
        spec = find_by_name(raw, catalog) if catalog is not None else None
        spellings = [raw, getattr(spec, "name", raw), *getattr(spec, "aliases", ())]
        names.update(normalise(n) for n in spellings)
    return frozenset(names)
