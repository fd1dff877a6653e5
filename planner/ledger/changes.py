"""What a re-plan changed, why, and how good the last forecast was, added to its report.

The report is written by :func:`planner.report.write_report` as for any plan; this module
then opens it and adds a **Changes** sheet (one row per chip, quarter and kind of decision
whose quantity changed), a **ForecastAccuracy** sheet (the previous plan's demand forecast
against the Actuals sheet) and a "Re-plan" paragraph at the end of the Summary sheet, and
saves it atomically (:mod:`planner.common.atomic`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from planner.common.atomic import atomic_path
from planner.common.xlsx_values import save_workbook
from planner.domain import Quarter
from planner.domain.actuals import demand_actuals
from planner.ledger.drivers import Driver
from planner.ledger.records import Decisions, InputSnapshot
from planner.report.styles import INT, NOTE, PCT, SECTION, put
from planner.report.tables import Column, TableData, table_sheet

SIGNED = "+#,##0;-#,##0;0"


@dataclass(frozen=True)
class ChangeRow:
    chip: str
    quarter: str
    kind: str
    previous_quantity: int
    new_quantity: int
    change: int


@dataclass(frozen=True)
class AccuracyRow:
    """``error_pct`` is (actual - forecast) / forecast: positive when demand beat it."""

    workload: str
    quarter: str
    forecast_tokens_per_day: float
    actual_tokens_per_day: float
    error_tokens_per_day: float
    error_pct: float | None


@dataclass
class ChangeReport:
    """Everything the re-plan's report and CLI say about the change."""

    previous_run: int
    as_of: str
    previous_cost_usd: float | None
    new_cost_usd: float | None
    rows: list[ChangeRow] = field(default_factory=list)
    accuracy: list[AccuracyRow] = field(default_factory=list)
    drivers: list[Driver] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    previous_start: str = ""
    new_start: str = ""

    @property
    def cost_change_usd(self) -> float | None:
        if self.previous_cost_usd is None or self.new_cost_usd is None:
            return None
        return self.new_cost_usd - self.previous_cost_usd


def _rental_kind(kind: str, term: int) -> str:
    if kind != "reserved":
        return kind
    return f"reserved {term // 4}y" if term % 4 == 0 else f"reserved {term}q"


def tally(d: Decisions) -> dict[tuple[str, str, str], int]:
    """Quantities by (chip, quarter decided, kind); sites summed; an expansion counts 1."""
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    for p in d.purchases:
        out[p.chip, p.quarter_ordered, "purchase"] += p.quantity
    for r in d.rentals:
        out[r.chip, r.quarter, _rental_kind(r.kind, r.term_quarters)] += r.quantity
    for r in d.retirements:
        out[r.chip, r.quarter, "retirement"] += r.quantity
    for x in d.expansions:
        out[f"{x.site}/{x.name}", x.quarter_ordered, "expansion"] += 1
    return dict(out)


def change_rows(previous: Decisions, new: Decisions, periods: list[str]) -> list[ChangeRow]:
    """Decisions whose quantity differs, in the new plan's quarters."""
    before, after = tally(previous), tally(new)
    keys = sorted((k for k in set(before) | set(after) if k[1] in periods),
                  key=lambda k: (Quarter.parse(k[1]), k[2], k[0]))
    rows = []
    for chip, quarter, kind in keys:
        was, now = before.get((chip, quarter, kind), 0), after.get((chip, quarter, kind), 0)
        if was != now:
            rows.append(ChangeRow(chip, quarter, kind, was, now, now - was))
    return rows


def accuracy_rows(previous: InputSnapshot, new: InputSnapshot) -> list[AccuracyRow]:
    """The previous run's forecast against each demand actual it has a forecast for."""
    rows = []
    for a in demand_actuals(new.actuals):
        forecast = previous.demand.get((a.workload, str(a.quarter)))
        if forecast is None:
            continue
        error = a.tokens_per_day - forecast
        rows.append(AccuracyRow(a.workload, str(a.quarter), forecast, a.tokens_per_day, error,
                                error / forecast if forecast else None))
    return sorted(rows, key=lambda r: (Quarter.parse(r.quarter), r.workload))


def _usd(x: float) -> str:
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def _cost_sentence(r: ChangeReport) -> str:
    if r.cost_change_usd is None:
        return "No cost comparison: one of the two runs has no plan."
    rel = r.cost_change_usd / r.previous_cost_usd if r.previous_cost_usd else 0.0
    sign = "+" if r.cost_change_usd >= 0 else "-"
    text = (f"Total cost of ownership: {_usd(r.new_cost_usd)} NPV against "
            f"{_usd(r.previous_cost_usd)}, {sign}{_usd(abs(r.cost_change_usd))} ({rel:+.1%}).")
    if r.previous_start != r.new_start:
        text += (f" The two are discounted to different first quarters ({r.previous_start} "
                 f"and {r.new_start}) and cover different quarters.")
    return text


def _decision_sentence(rows: list[ChangeRow]) -> str:
    if not rows:
        return "No decision changed."
    bought = sum(r.change for r in rows if r.kind == "purchase")
    rented = sum(r.change for r in rows if r.kind != "purchase" and r.kind not in
                 ("retirement", "expansion"))
    return (f"{len(rows)} decision(s) changed (Changes sheet): {bought:+,} chips bought, "
            f"{rented:+,} chips rented (summed over quarters and terms).")


def _accuracy_sentence(rows: list[AccuracyRow], as_of: str) -> str | None:
    last = str(Quarter.parse(as_of).shift(-1))
    parts = [f"{r.workload} {r.error_pct:+.1%}" for r in rows
             if r.quarter == last and r.error_pct is not None]
    if not parts:
        return None
    return (f"Demand served in {last} against the previous forecast: {', '.join(parts)} "
            "(ForecastAccuracy sheet).")


def paragraph(r: ChangeReport) -> list[str]:
    """The Summary sheet's Re-plan paragraph, one sentence per line."""
    lines = [(f"Re-plan as of {r.as_of} of run {r.previous_run}: decisions made before "
              f"{r.as_of} are kept as made (with actual deliveries); the rest is re-optimised."),
             _cost_sentence(r), _decision_sentence(r.rows)]
    if r.drivers:
        lines.append("Drivers: " + " ".join(d.text for d in r.drivers))
    else:
        lines.append("Drivers: no recorded input changed (demand forecast, chip prices, chips "
                     "offered, power caps); any difference is actual deliveries or solver "
                     "tolerance.")
    if (accuracy := _accuracy_sentence(r.accuracy, r.as_of)) is not None:
        lines.append(accuracy)
    return lines + [f"Note: {n}" for n in r.notes]


def _tables(r: ChangeReport) -> list[tuple[str, TableData]]:
    changes = TableData("changes", [
        Column("chip"), Column("quarter"), Column("kind"), Column("previous_quantity", INT),
        Column("new_quantity", INT), Column("change", SIGNED)],
        [(c.chip, c.quarter, c.kind, c.previous_quantity, c.new_quantity, c.change)
         for c in r.rows], empty_note="No decision changed.")
    accuracy = TableData("forecast_accuracy", [
        Column("workload"), Column("quarter"), Column("forecast_tokens_per_day", INT),
        Column("actual_tokens_per_day", INT), Column("error_tokens_per_day", SIGNED),
        Column("error_pct", PCT)],
        [(a.workload, a.quarter, a.forecast_tokens_per_day, a.actual_tokens_per_day,
          a.error_tokens_per_day, a.error_pct) for a in r.accuracy],
        empty_note="No demand actuals with a previous forecast.")
    return [("Changes", changes), ("ForecastAccuracy", accuracy)]


def add_to_report(path: str | Path, r: ChangeReport) -> Path:
    """Add the Changes and ForecastAccuracy sheets (after Summary) and the Re-plan
    paragraph (at the end of Summary) to the report at ``path``, atomically."""
    path = Path(path)
    wb = openpyxl.load_workbook(path)
    for i, (title, table) in enumerate(_tables(r), start=1):
        ws = table_sheet(wb, title, table)
        wb.move_sheet(ws, offset=i - wb.index(ws))
    summary = wb["Summary"]
    row = summary.max_row + 2
    put(summary, row, 1, "Re-plan", font=SECTION)
    for i, line in enumerate(paragraph(r), start=row + 1):
        put(summary, i, 1, line, font=NOTE if line.startswith("Note:") else None)
    with atomic_path(path) as tmp:
        save_workbook(wb, tmp)
    return path
