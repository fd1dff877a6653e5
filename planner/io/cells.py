"""Parsing one cell's value according to its column's kind.

>>> from planner.io.schema import ColumnSpec
>>> parse_cell(12.0, ColumnSpec("quarters", "", "count1", False))
12
>>> parse_cell(" 8% ", ColumnSpec("rate", "", "rate", False))
0.08
>>> parse_cell("CUDA, rocm,", ColumnSpec("stacks", "", "names", False))
('CUDA', 'rocm')
>>> parse_cell("abc", ColumnSpec("price", "", "number", False))
Traceback (most recent call last):
...
planner.io.cells.CellError: expected a number >= 0, got 'abc'
"""

from __future__ import annotations

import datetime as dt
import math
import re

from planner.domain.bounds import range_text
from planner.domain.names import normalise
from planner.domain.periods import Quarter
from planner.io.numbers import NotANumber, parse_number_text
from planner.io.schema import KINDS, ColumnSpec

_RANGES = {
    "number": lambda x: x >= 0,
    "positive": lambda x: x > 0,
    "fraction": lambda x: 0 < x <= 1,
    "rate": lambda x: 0 <= x < 1,
    "share": lambda x: 0 <= x <= 1,
    "ratio": lambda x: x >= 1,
    "count": lambda x: x >= 0,
    "count1": lambda x: x >= 1,
    "year": lambda x: 1900 <= x <= 2200,
}
_INTEGER_KINDS = ("count", "count1", "year")
_FRACTIONS = ("fraction", "rate", "share")


class CellError(ValueError):
    """A cell that does not hold what its column expects; the message says what."""


def is_blank(value: object) -> bool:
    """True for an empty cell or one holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: object) -> str:
    """A cell's value as a message quotes it."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"'{text}'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date)):
        return f"the date {value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_number(value: object) -> float:
    """A finite float from a numeric cell or numeric text ('1e9', '1,200', '$2.50', ' 8% ').

    Raises TypeError for a boolean, date or other non-number, and
    :class:`~planner.io.numbers.NotANumber` (a ValueError) for text that is not a number,
    is ambiguous (a decimal comma) or is not finite; see :mod:`planner.io.numbers`.
    """
    if isinstance(value, (bool, dt.date, dt.datetime, dt.time)):
        raise TypeError("not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        number = parse_number_text(value)
    else:
        raise TypeError("not a number")
    if not math.isfinite(number):
        raise NotANumber("not finite")
    return number


def _percent_hint(value: object, number: float, col: ColumnSpec) -> str:
    """Why a number is out of range, where a likely slip explains it."""
    if isinstance(value, str) and value.strip().endswith("%") and col.kind not in _FRACTIONS:
        return ": a percentage fits only a fraction column; write the number alone"
    if col.kind in _FRACTIONS and 1 < number <= 100:
        return f" ({show(value)} would be {number * 100:g}%; write {number:g}% or {number / 100:g})"
    return ""


def _parse_number(value: object, col: ColumnSpec) -> float | int:
    expected = f"expected {col.expected}, got {show(value)}"
    try:
        number = to_number(value)
    except NotANumber as exc:
        raise CellError(f"{expected}: {exc.reason}" if exc.reason else expected) from None
    except (TypeError, ValueError):
        raise CellError(expected) from None
    hint = _percent_hint(value, number, col)
    if hint.startswith(":"):
        raise CellError(expected + hint)
    if col.kind in _INTEGER_KINDS:
        if not number.is_integer():
            raise CellError(expected)
        number = int(number)
    if not _RANGES[col.kind](number):
        raise CellError(expected + hint)
    if col.upper is not None and number > col.upper:
        raise CellError(f"{show(value) if isinstance(value, str) else f'{number:.6g}'} is "
                        f"outside the plausible range of {col.name} ({col.unit}): "
                        f"{KINDS[col.kind]}, {range_text(col.name)}; no real fleet has more")
    return number


def _parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        raise CellError(f"expected text, got {show(value)}")
    return str(value).strip()


def _parse_choice(value: object, col: ColumnSpec) -> str:
    key = normalise(_parse_text(value))
    for choice in col.choices:
        if normalise(choice) == key:
            return choice
    raise CellError(f"expected {col.expected}, got {show(value)}")


_TRUE = ("yes", "y", "true", "1")
_FALSE = ("no", "n", "false", "0")


def _parse_bool(value: object, col: ColumnSpec) -> bool:
    if isinstance(value, bool):
        return value
    key = normalise(_parse_text(value))
    if key in _TRUE or key in _FALSE:
        return key in _TRUE
    raise CellError(f"expected {col.expected}, got {show(value)}")


def _parse_quarter(value: object, col: ColumnSpec) -> Quarter:
    if isinstance(value, (bool, int, float)):
        raise CellError(f"expected {col.expected}, got {show(value)}")
    try:
        return Quarter.parse(value)
    except ValueError:
        raise CellError(f"expected {col.expected}, got {show(value)}") from None


def _parse_names(value: object) -> tuple[str, ...]:
    """'CUDA, ROCm' -> ('CUDA', 'ROCm'): split on commas (or semicolons), blanks dropped."""
    parts = re.split(r"[,;]", _parse_text(value))
    return tuple(p.strip() for p in parts if p.strip())


def _parse_by_year(value: object, col: ColumnSpec) -> tuple[tuple[int, float], ...]:
    """'80' -> ((0, 80.0),) (every year); '2027: 50, 2029: 100' -> ((2027, 50.0), (2029,
    100.0)) (a year not listed keeps the latest listed year's value; planner.domain.carbon)."""
    number = ColumnSpec(col.name, col.unit, "number", False, upper=col.upper)
    if isinstance(value, (int, float)) or ":" not in str(value):
        try:
            return ((0, float(_parse_number(value, number))),)
        except CellError as exc:
            if str(exc).startswith("expected"):  # not a number: say what the cell takes
                raise CellError(f"expected {col.expected}, got {show(value)}") from None
            raise
    pairs: dict[int, float] = {}
    for part in (p.strip() for p in re.split(r"[,;]", str(value)) if p.strip()):
        year_text, _, amount = part.partition(":")
        try:
            year = int(year_text.strip())
        except ValueError:
            year = 0
        if not 1900 <= year <= 2200 or not amount.strip():
            raise CellError(f"expected {col.expected}, got {show(value)}: '{part}' is not "
                            "year: number")
        if year in pairs:
            raise CellError(f"{year} is given twice in {show(value)}")
        pairs[year] = float(_parse_number(amount.strip(), number))
    return tuple(sorted(pairs.items()))
def _parse_shares(value: object, col: ColumnSpec) -> tuple[float, ...]:
    """'20%, 32%, 19.2%, 11.52%, 11.52%, 5.76%' -> (0.2, 0.32, ...): shares of a whole, each
    in [0, 1], adding up to 1 (a depreciation schedule by year).

    >>> _parse_shares("50%, 30%, 20%", ColumnSpec("s", "", "shares", False))
    (0.5, 0.3, 0.2)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        parts = [value]
    else:
        parts = [p.strip() for p in re.split(r"[;,]", str(value)) if p.strip()]
    one = ColumnSpec(col.name, col.unit, "share", False)
    try:
        shares = tuple(float(_parse_number(p, one)) for p in parts)
    except CellError as exc:
        raise CellError(f"expected {col.expected}, got {show(value)}: {exc}") from None
    if not shares or abs(sum(shares) - 1.0) > 1e-6:
        raise CellError(f"expected {col.expected}, got {show(value)}: they add up to "
                        f"{sum(shares):.4g}")
    return shares


def parse_cell(value: object, col: ColumnSpec) -> object:
    """The cell's value as ``col.kind`` says, or None for a blank cell.

    Raises :class:`CellError` whose message says what was expected and what was found.
    Blank cells are not checked here: whether they are allowed is the caller's business.
    """
    if is_blank(value):
        return None
    if col.kind == "by_year":
        return _parse_by_year(value, col)
    if col.kind == "shares":
        return _parse_shares(value, col)
    if col.kind in _RANGES:
        return _parse_number(value, col)
    if col.kind == "quarter":
        return _parse_quarter(value, col)
    if col.kind == "choice":
        return _parse_choice(value, col)
    if col.kind == "bool":
        return _parse_bool(value, col)
    if col.kind == "names":
        return _parse_names(value)
    return _parse_text(value)


def default_value(col: ColumnSpec) -> object:
    """What a blank cell of ``col`` holds: its default parsed as the column's kind (so a
    'no' default is False), or None."""
    return None if col.default is None else parse_cell(col.default, col)
