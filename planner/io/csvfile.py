"""CSV files a workbook names (request lengths, serving profiles), read like a sheet.

A path is taken relative to the workbook's folder.  Headers are matched as the workbook's
are (:func:`~planner.io.schema_spec.header_key`, with each column's other names), cells
parsed by the same kinds (:func:`~planner.io.cells.parse_cell`), and every problem is a
message naming the file, its line and its column; the caller files them under the
workbook cell that named the file.  At most :data:`MAX_SHOWN` bad cells are listed, then
how many more there are.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from planner.io.cells import CellError, is_blank, parse_cell
from planner.io.guard import MB, Limits, limits_from_env
from planner.io.schema_spec import ColumnSpec, header_key

__all__ = ["MAX_SHOWN", "CsvError", "CsvRow", "CsvTable", "capped", "read_csv"]

#: Bad cells listed per file before the rest are counted.
MAX_SHOWN = 20


class CsvError(Exception):
    """A file that cannot be read at all, or cells that do not hold what they should:
    ``messages`` says each, naming the file, line and column."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class CsvRow:
    """One data line: its line number (the header is line 1) and parsed values by column."""

    line: int
    values: dict[str, object]


@dataclass
class CsvTable:
    name: str                      # the path as the workbook wrote it
    headers: dict[str, str]        # column name -> header as written in the file
    rows: list[CsvRow] = field(default_factory=list)  # the lines without a bad cell
    errors: list[str] = field(default_factory=list)   # bad cells, by file, line and column


def _resolve(text: str, base_dir: Path | None) -> Path:
    path = Path(text).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def _load_text(text: str, base_dir: Path | None, limits: Limits) -> str:
    """The file's text, or CsvError saying why it cannot be read."""
    if not text.strip():
        raise CsvError(["is empty: name a CSV file"])
    path = _resolve(text, base_dir)
    where = f"{text} (looked for at {path})" if path != Path(text) else text
    if not path.is_file():
        kind = "is a folder, not a CSV file" if path.is_dir() else "was not found"
        raise CsvError([f"{where} {kind}"])
    try:
        size = path.stat().st_size
        if size > limits.max_file_mb * MB:
            over = f"{limits.max_file_mb:g} MB limit for an input file"
            raise CsvError([f"{text} is {size / MB:,.1f} MB, over the {over}"])
        data = path.read_bytes()
    except OSError as exc:
        raise CsvError([f"{text} cannot be read: {exc.strerror or exc}"]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError([f"{text} is not UTF-8 text: save it as CSV (UTF-8)"]) from None


def _header_map(name: str, header: list[str], columns: list[ColumnSpec]) -> dict[str, int]:
    """Column name -> position in the file; CsvError for a missing or doubled column."""
    wanted = {header_key(n): c.name for c in columns for n in (c.name, *c.synonyms)}
    positions: dict[str, int] = {}
    errors = []
    for i, cell in enumerate(header):
        col = wanted.get(header_key(cell)) if cell.strip() else None
        if col is None:
            continue
        if col in positions:
            errors.append(f"{name} line 1: columns '{header[positions[col]]}' and '{cell}' "
                          f"both hold {col}: delete or rename one")
            continue
        positions[col] = i
    for c in columns:
        if c.required and c.name not in positions:
            others = ", ".join(c.synonyms)
            also = f" (or {others})" if others else ""
            errors.append(f"{name} line 1: no column '{c.name}'{also} in the header "
                          f"({', '.join(h for h in header if h.strip()) or 'empty'})")
    if errors:
        raise CsvError(errors)
    return positions


def _parse_line(name: str, number: int, cells: list[str], headers: list[str],
                positions: dict[str, int], columns: list[ColumnSpec],
                errors: list[str]) -> CsvRow | None:
    values: dict[str, object] = {}
    ok = True
    for c in columns:
        if c.name not in positions:
            values[c.name] = None
            continue
        i = positions[c.name]
        raw = cells[i] if i < len(cells) else ""
        where = f"{name} line {number}, column '{headers[i]}'"
        if is_blank(raw):
            if c.required:
                errors.append(f"{where}: is empty: expected {c.expected}")
                ok = False
            values[c.name] = None
            continue
        try:
            values[c.name] = parse_cell(raw.strip(), c)
        except CellError as exc:
            errors.append(f"{where}: {exc}")
            ok = False
    return CsvRow(number, values) if ok else None


def capped(errors: list[str], name: str) -> list[str]:
    """The first :data:`MAX_SHOWN` messages, then how many more there are."""
    more = len(errors) - MAX_SHOWN
    return errors[:MAX_SHOWN] + ([f"{name}: {more} more problems not listed"]
                                 if more > 0 else [])


def read_csv(text: str, base_dir: Path | None, columns: list[ColumnSpec],
             limits: Limits | None = None) -> CsvTable:
    """The CSV file ``text`` names (relative to ``base_dir``; at most ``limits``' file size,
    by default the workbook's, PLANNER_MAX_FILE_MB included), its cells parsed as
    ``columns`` say (other columns ignored; blank lines skipped).  Bad cells are listed in
    the table's ``errors`` (their lines left out); CsvError if the file cannot be read,
    lacks a column or holds no data line."""
    content = _load_text(text, base_dir, limits or limits_from_env())
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise CsvError([f"{text} is empty: line 1 must hold the column names"])
        positions = _header_map(text, header, columns)
        table = CsvTable(text, {c: header[i].strip() for c, i in positions.items()})
        errors = table.errors
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            row = _parse_line(text, reader.line_num, cells, header, positions, columns, errors)
            if row is not None:
                table.rows.append(row)
    except csv.Error as exc:
        raise CsvError([f"{text} line {reader.line_num}: not valid CSV ({exc})"]) from None
    if not table.rows and not errors:
        raise CsvError([f"{text} has no data lines below its header"])
    return table
