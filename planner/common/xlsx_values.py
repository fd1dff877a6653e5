"""Save a workbook whose formula cells also carry their computed values.

openpyxl writes a formula cell as ``<f>SUM(B2:B9)</f><v/>``: Excel and LibreOffice
recalculate on opening, but a viewer that does not (a file previewer, a mail client,
``openpyxl`` with ``data_only=True``, pandas) shows a blank.  :func:`save_workbook` saves
as openpyxl does, evaluates every formula of the workbook here, and writes each result
into its cell's ``<v>`` element, as Excel itself does when it saves.  The formula stays,
so a spreadsheet still recalculates it and an analyst still sees what it adds up.

The evaluator covers the formulas the planner writes: numbers, cell references (``B7``,
``$B$7``, ``'Cash Flow'!B7``), ``+ - * /``, parentheses, ``SUM`` and ``SUMPRODUCT`` over
ranges.  As in a spreadsheet, ``SUM`` skips text and blanks, a blank counts as 0 in
arithmetic, and ``SUMPRODUCT`` takes non-numbers as 0.  Anything else raises
``ValueError`` naming the cell, so a new kind of formula cannot ship without a value.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

_TOKEN = re.compile(r"""\s*(?:
    (?P<range>(?:(?P<rsheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+)
  | (?P<ref>(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?\$?[A-Z]{1,3}\$?\d+)
  | (?P<func>[A-Z][A-Z0-9.]*)\(
  | (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<op>[-+*/(),])
)""", re.VERBOSE)
_FUNCTIONS = ("SUM", "SUMPRODUCT")


def _tokens(text: str) -> list[tuple[str, str, str | None]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"cannot read {text[pos:]!r}")
        kind = next(k for k in ("range", "ref", "func", "num", "op") if m.group(k) is not None)
        sheet = m.group("rsheet") if kind == "range" else m.group("sheet")
        out.append((kind, m.group(kind), sheet))
        pos = m.end()
    return out


def _sheet_name(quoted: str | None, default: str) -> str:
    if quoted is None:
        return default
    return quoted[1:-1].replace("''", "'") if quoted.startswith("'") else quoted


class _Evaluator:
    """Evaluates the workbook's formulas, each once (formulas may refer to formulas)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.done: dict[tuple[str, str], float] = {}
        self.busy: set[tuple[str, str]] = set()

    def value(self, sheet: str, coord: str) -> object:
        """A cell's value: a formula's result, a number, text or None."""
        raw = self.wb[sheet][coord].value
        if isinstance(raw, str) and raw.startswith("="):
            return self.formula(sheet, coord)
        return raw

    def formula(self, sheet: str, coord: str) -> float:
        key = (sheet, coord)
        if key not in self.done:
            if key in self.busy:
                raise ValueError(f"{sheet}!{coord}: circular reference")
            self.busy.add(key)
            text = self.wb[sheet][coord].value
            try:
                self.done[key] = _Parser(self, sheet, _tokens(text[1:])).run()
            except (ValueError, TypeError, KeyError, ZeroDivisionError) as exc:
                raise ValueError(f"{sheet}!{coord} {text}: {exc}") from exc
            finally:
                self.busy.discard(key)
        return self.done[key]

    def cells(self, sheet: str, text: str) -> list[object]:
        """The values of a range like ``B2:B9``, row by row."""
        min_col, min_row, max_col, max_row = range_boundaries(text.replace("$", ""))
        return [self.value(sheet, f"{get_column_letter(c)}{r}")
                for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def _number(value: object) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Parser:
    """Recursive descent: expr := term (+|- term)*; term := unary (*|/ unary)*;
    unary := -unary | +unary | primary; primary := number | ref | func(args) | (expr)."""

    def __init__(self, ev: _Evaluator, sheet: str, tokens: list) -> None:
        self.ev, self.sheet, self.tokens, self.i = ev, sheet, tokens, 0

    def peek(self) -> tuple | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, op: str | None = None) -> tuple:
        tok = self.peek()
        if tok is None or (op is not None and tok[1] != op):
            raise ValueError(f"expected {op or 'more'} at token {self.i}")
        self.i += 1
        return tok

    def run(self) -> float:
        value = self.expr()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()[1]!r}")
        return value

    def expr(self) -> float:
        value = self.term()
        while (tok := self.peek()) is not None and tok[1] in "+-" and tok[0] == "op":
            self.i += 1
            value = value + self.term() if tok[1] == "+" else value - self.term()
        return value

    def term(self) -> float:
        value = self.unary()
        while (tok := self.peek()) is not None and tok[1] in "*/" and tok[0] == "op":
            self.i += 1
            value = value * self.unary() if tok[1] == "*" else value / self.unary()
        return value

    def unary(self) -> float:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in "+-":
            self.i += 1
            return -self.unary() if tok[1] == "-" else self.unary()
        return self.primary()

    def primary(self) -> float:
        kind, text, sheet = self.take()
        if kind == "num":
            return float(text)
        if kind == "ref":
            return _number(self.ev.value(_sheet_name(sheet, self.sheet), text.split("!")[-1]
                                         .replace("$", "")))
        if kind == "func":
            return self.call(text)
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        raise ValueError(f"unexpected {text!r}")

    def call(self, name: str) -> float:
        if name not in _FUNCTIONS:
            raise ValueError(f"function {name} is not supported")
        args: list[list[object]] = []
        while True:
            kind, text, sheet = self.peek() or (None, None, None)
            if kind == "range":
                self.i += 1
                args.append(self.ev.cells(_sheet_name(sheet, self.sheet), text.split("!")[-1]))
            else:
                args.append([self.expr()])
            if self.take()[1] == ")":
                break
        if name == "SUM":
            return float(sum(v for arg in args for v in arg if _numeric(v)))
        if len({len(a) for a in args}) != 1:
            raise ValueError("SUMPRODUCT ranges differ in size")
        total = 0.0
        for values in zip(*args):
            product = 1.0
            for v in values:
                product *= float(v) if _numeric(v) else 0.0
            total += product
        return total


def formula_values(wb: Workbook) -> dict[str, dict[str, float]]:
    """Sheet title -> {cell coordinate: computed value} for every formula cell."""
    ev = _Evaluator(wb)
    out: dict[str, dict[str, float]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=") \
                        and cell.data_type == "f":
                    out.setdefault(ws.title, {})[cell.coordinate] = ev.formula(ws.title,
                                                                              cell.coordinate)
    return out


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part's name in the zip (from workbook.xml and its rels)."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", _NS)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        part = target[sheet.get(f"{{{_NS['r']}}}id")]
        part = part.lstrip("/") if part.startswith("/") else str(PurePosixPath("xl") / part)
        out[sheet.get("name")] = part
    return out


_EMPTY_V = re.compile(r'<c r="(?P<ref>[A-Z]+\d+)"(?P<attrs>[^>]*)>(?P<f><f>[^<]*</f>)<v\s*/>')


def _fill(xml: str, values: dict[str, float]) -> str:
    def put(m: re.Match) -> str:
        value = values.get(m.group("ref"))
        if value is None or not math.isfinite(value):
            return m.group(0)
        return f'<c r="{m.group("ref")}"{m.group("attrs")}>{m.group("f")}<v>{value!r}</v>'
    return _EMPTY_V.sub(put, xml)


def add_cached_values(path: str | os.PathLike, values: dict[str, dict[str, float]]) -> None:
    """Rewrite the saved workbook at ``path`` in place (same file, so its permissions
    stay) with ``values`` in its formula cells.  Meant for the temporary file of an
    atomic write, before it is renamed over the target."""
    if not values:
        return
    path = Path(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as src:
        parts = {part: values[title] for title, part in _sheet_parts(src).items()
                 if title in values}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename in parts:
                    data = _fill(data.decode("utf-8"), parts[info.filename]).encode("utf-8")
                dst.writestr(info, data)
    with open(path, "r+b") as f:
        f.write(out.getvalue())
        f.truncate()


def save_workbook(wb: Workbook, path: str | os.PathLike) -> None:
    """``wb.save(path)``, then every formula cell given its computed value."""
    values = formula_values(wb)
    wb.save(path)
    add_cached_values(path, values)

