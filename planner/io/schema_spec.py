"""The building blocks of the workbook schema: cell kinds, column and sheet specs.

:mod:`planner.io.schema` lists the sheets themselves (and re-exports these names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planner.domain.bounds import plausible_max, range_text
from planner.io.guard import ENV_MAX_FILE_MB, Limits

#: What each kind of cell must hold, as said in messages and in the README sheet.
KINDS: dict[str, str] = {
    "text": "text",
    "name": "a name",
    "names": "names separated by commas",
    "number": "a number >= 0",
    "positive": "a number > 0",
    "fraction": "a number in (0, 1]",
    "rate": "a fraction in [0, 1) (0.08 means 8%)",
    "share": "a fraction in [0, 1] (1 means 100%)",
    "shares": "fractions separated by commas that add up to 1 (20%, 32%, ...)",
    "ratio": "a number >= 1",
    "count": "a whole number >= 0",
    "count1": "a whole number >= 1",
    "year": "a year like 2027",
    "quarter": "a quarter like 2027Q1",
    "choice": "one of",
    "bool": "yes or no",
    "by_year": "a number >= 0 for every year, or year: number pairs like 2027: 50, 2029: 100",
}

#: Kinds whose cells hold numbers (each has a lower bound; see :data:`KINDS`).
NUMERIC_KINDS = ("number", "positive", "fraction", "rate", "share", "ratio", "count", "count1",
                 "year", "by_year")


#: Other header names accepted for a column, by the column's name (on any sheet that has
#: it).  Headers are matched by :func:`header_key`, so "Tokens/day", "tokens per day" and
#: "Power cap (kW)" need no entry here.  Keep each name specific: a synonym must never be
#: another column's name or synonym on the same sheet (tests/test_io_robust_headers.py).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "purchase_usd_per_chip": ("price_usd", "purchase_price", "purchase_price_usd",
                              "price_per_chip_usd"),
    "rent_usd_per_chip_hour": ("rent_per_hour", "rent_usd_per_hour", "rent_per_chip_hour",
                               "hourly_rent_usd"),
    "tokens_per_day": ("tokens/day", "daily_tokens"),
    "power_kw_per_chip": ("kw_per_chip", "power_per_chip_kw", "chip_power_kw"),
    "power_cap_kw": ("facility_power_kw", "power_limit_kw"),
    "extra_kw": ("extra_power_kw", "added_kw"),
    "electricity_usd_per_kwh": ("electricity_price_usd_per_kwh", "usd_per_kwh"),
    "lifetime_years": ("lifetime", "life_years"),
    "prompt_tokens": ("input_tokens",),
    "quarter_bought": ("purchase_quarter", "delivery_quarter"),
}


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text: object) -> str:
    """A header as matched: lower case, letters and digits only ('Tokens/day' ->
    'tokensday', 'Power cap [kW]' -> 'powercapkw')."""
    return _NOT_ALNUM.sub("", str(text).lower())


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a sheet (or one key of the Settings sheet)."""

    name: str
    unit: str
    kind: str
    required: bool
    default: object = None
    doc: str = ""
    choices: tuple[str, ...] = ()
    blank: str = ""
    header_required: bool = False
    synonyms: tuple[str, ...] = ()
    upper: float | None = None  # largest plausible value (planner.domain.bounds)

    @property
    def expected(self) -> str:
        """What the cell must hold, e.g. 'a number >= 0' or 'one of cbc, highs'."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        return KINDS[self.kind]

    @property
    def needs_header(self) -> bool:
        return self.required or self.header_required

    @property
    def default_text(self) -> str:
        """The default as the README shows it: a value, or what a blank cell means."""
        if self.default is not None:
            return str(self.default)
        return self.blank


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the input workbook."""

    name: str
    required: bool
    doc: str
    columns: list[ColumnSpec] = field(default_factory=list)

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"sheet {self.name} has no column {name}")


def col(name: str, unit: str, kind: str, required: bool = False, default: object = None,
        doc: str = "", **extra: object) -> ColumnSpec:
    """A ColumnSpec, positional in the order the schema tables read; its synonyms (see
    :data:`SYNONYMS`) are attached and listed at the end of its doc."""
    synonyms = SYNONYMS.get(name, ())
    upper = plausible_max(name) if kind in NUMERIC_KINDS else None
    if upper is not None:
        doc = f"{doc} Plausible range: {range_text(name)}.".strip()
    if synonyms:
        doc = f"{doc} Header also accepted as: {', '.join(synonyms)}."
    return ColumnSpec(name, unit, kind, required, default, doc,  # type: ignore[arg-type]
                      synonyms=synonyms, upper=upper, **extra)


_LIMITS = Limits()

#: What the reader accepts beyond the plain form, for docs/workbook.md.
ACCEPTS: list[str] = [
    "## What the reader accepts", "",
    ("- **Headers** in any order, with extra columns (ignored), matched ignoring case, "
     "spaces and punctuation: `Power cap (kW)` and `POWER-CAP [kW]` are `power_cap_kw`. A "
     "few columns have other names, listed in their meaning below (`price_usd` for "
     "`purchase_usd_per_chip`, `tokens/day` for `tokens_per_day`, ...); two headers for the "
     "same column are a problem."),
    ("- **Quarters** as `2027Q1`, `2027-Q1`, `Q1 2027` or an Excel date (the quarter it "
     "falls in)."),
    ("- **Numbers stored as text** where they are unambiguous: `1,200`, `30 000`, `$2.50`, "
     "`USD 2.50`, `1.2e9`. A decimal comma (`1,2`, `1.200,5`) is refused with a problem "
     "naming the cell, because another locale reads it as another number."),
    ("- **Fractions** as `0.3`, `30%` or a cell formatted as a percentage; `30` in a "
     "fraction column is a problem that suggests `30%`."),
    ("- **Formulas**: their values as last calculated and saved. A workbook written by a "
     "script that never calculated them is refused with the cells named: open and save it "
     "in Excel or LibreOffice, or write values."),
    ("- **Hidden** sheets and rows are read like any other; blank rows are skipped. "
     "**Merged cells** hold their value in the first cell only, so a blank read from "
     "inside a merged range is a problem naming the range (unmerge and fill each cell)."),
    "- **`.xlsm`** workbooks are read for their data; macros never run.",
    (f"- **Limits**: a file over {_LIMITS.max_file_mb:g} MB (the environment variable "
     f"`{ENV_MAX_FILE_MB}` changes it), a sheet over {_LIMITS.max_cells:,} cells (counted "
     f"as reading pads them: every row up to the last, each row out to its last cell), "
     f"sheets over {_LIMITS.max_total_cells:,} cells in all, a row past Excel's 1,048,576 "
     f"or a column past XFD, or a zip archive that expands more than "
     f"{_LIMITS.max_ratio:g} times or past {_LIMITS.max_uncompressed_mb:g} MB (a zip bomb) "
     "is refused before it is read, so the reader's memory stays bounded whatever the "
     "file holds: reading a sheet just under the cell limit peaked at 0.3 GB (measured), "
     "so a workbook at the limits stays under 1 GB."),
    ("- **Plausible ranges**: every number column has an upper bound far above any real "
     "fleet (given in its meaning below: `purchase_usd_per_chip` at most 10,000,000, "
     "`tokens_per_day` at most 1e+16, `quarters` at most 200, `lifetime_years` at most "
     "30, ...); a value past it is a problem naming the cell and the range. Demand grown "
     "by Drivers or History and values changed by a scenario are held to the same ranges "
     "before any solve."),
    "",
]
