"""Pieces every scenario workbook shares: the Summary and Runs sheets, chart styling and
saving atomically beside (never over) the input."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart.series import SeriesLabel

from planner import __version__
from planner.common.atomic import atomic_path
from planner.common.xlsx_values import save_workbook
from planner.domain import PENALTY_KINDS, PlanInput
from planner.io.paths import check_output_file
from planner.report.charts import CHART_DATA
from planner.report.styles import (
    NOTE,
    PCT,
    PCT2,
    RED_BOLD,
    SECONDS,
    TITLE,
    USD,
    put,
    set_widths,
)
from planner.report.tables import Column, TableData, table_sheet
from planner.scenarios.jobs import Outcome

PALETTE = ["1F77B4", "FF7F0E", "2CA02C", "9467BD", "8C564B", "E377C2", "7F7F7F", "BCBD22",
           "17BECF", "D62728"]
COST = "total_cost_npv_usd"
OBJECTIVE = "objective_incl_penalty_npv_usd"
#: Penalty columns, one per kind (planner.domain.costs.PENALTY_KINDS), NPV.
PENALTY_COLUMNS = [name.replace("_usd", "_npv_usd") for name, _label in PENALTY_KINDS]


def penalty_values(o: Outcome) -> list[float | None]:
    """The outcome's penalty by kind (None without a plan)."""
    if o.costs is None:
        return [None] * len(PENALTY_KINDS)
    return [getattr(o.costs, name) for name, _label in PENALTY_KINDS]


RUN_COLUMNS = [
    Column("run", max_width=50), Column("kind"), Column("scenario", max_width=30),
    Column("plan_made_for", max_width=30), Column("overrides", max_width=70),
    Column("status"), Column("termination"), Column(COST, USD),
    *[Column(name, USD) for name in PENALTY_COLUMNS], Column(OBJECTIVE, USD),
    Column("gap", PCT2), Column("chips_bought", "#,##0"), Column("unmet_demand_share", PCT),
    Column("commitments_dropped", "#,##0"), Column("solve_s", SECONDS),
    Column("wall_s", SECONDS), Column("worker", max_width=30), Column("message", max_width=80),
]


def runs_table(outcomes: Iterable[Outcome]) -> TableData:
    """Every solve: what went in (scenario, overrides) and what came out."""
    rows = [(o.key, o.kind, o.scenario, o.plan_from, o.overrides, o.status, o.termination,
             o.total_cost_usd, *penalty_values(o), o.objective_usd, o.gap, o.chips_bought if o.has_plan else None,
             o.unmet_demand_share, o.dropped, o.solve_seconds, o.wall_seconds, o.worker,
             o.message) for o in outcomes]
    return TableData("runs", RUN_COLUMNS, rows, "No solves were run.")


def penalty_warnings(named: Sequence[tuple[str, Outcome]]) -> list[str]:
    """A red 'WARNING:' line for each named outcome that pays a penalty, by kind."""
    out = []
    for name, o in named:
        if o.costs is None:
            continue
        for label, value in o.costs.penalties():
            if value >= 0.5:
                out.append(f"WARNING: {name}: {label} penalty ${value:,.0f} NPV on top of its "
                           f"${o.costs.cost_of_ownership_usd:,.0f} cost of ownership "
                           "(see its plan's Summary for the years and amounts).")
    return out


def run_info(workbook: str | os.PathLike, inp: PlanInput, started: datetime) -> list[tuple]:
    return [("Input file", Path(workbook).name), ("Input SHA-256", inp.source_sha256),
            ("Started at", started.isoformat(timespec="seconds")),
            ("Planner version", __version__)]


def summary_sheet(wb: Workbook, title: str, lines: Sequence[str],
                  figures: Sequence[tuple[str, object, str | None]], info: Sequence[tuple]):
    """The first sheet: a title, sentences, key figures, and the run."""
    ws = wb.create_sheet("Summary", 0)
    put(ws, 1, 1, title, font=TITLE)
    row = 3
    for line in lines:
        put(ws, row, 1, line, font=RED_BOLD if line.startswith("WARNING") else None)
        row += 1
    row += 1
    for label, value, fmt in list(figures) + [(k, v, None) for k, v in info]:
        put(ws, row, 1, label)
        put(ws, row, 2, value, fmt)
        row += 1
    put(ws, row + 1, 1, "Every other sheet is a tidy table (units in the column names); "
        "Runs lists every solve with its inputs and outcome.", font=NOTE)
    set_widths(ws, {1: 48, 2: 70})
    return ws



def color_series(chart, names: Sequence[str], line: bool = False) -> None:
    for i, series in enumerate(chart.series):
        series.tx = SeriesLabel(v=names[i])
        color = PALETTE[i % len(PALETTE)]
        if line:
            series.graphicalProperties.line.solidFill = color
            series.graphicalProperties.line.width = 28575
            series.smooth = False
        else:
            series.graphicalProperties.solidFill = color
            series.graphicalProperties.line.solidFill = color


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def add_runs(wb: Workbook, outcomes: Iterable[Outcome]) -> None:
    table_sheet(wb, "Runs", runs_table(outcomes))


def default_out(workbook: str | os.PathLike, suffix: str) -> Path:
    """``outputs/<input-name>-<suffix>.xlsx``."""
    return Path("outputs") / f"{Path(workbook).stem}-{suffix}.xlsx"


def check_out(out: str | os.PathLike, workbook: str | os.PathLike, force: bool = False) -> Path:
    """``out``, refused before any solve if it cannot be written: the input workbook, a
    folder or device, under a file, or a workbook the planner did not write (unless
    ``force``); see :func:`planner.io.paths.check_output_file`."""
    return check_output_file(out, inputs=(workbook,), force=force)


def save(wb: Workbook, out: str | os.PathLike, workbook: str | os.PathLike,
         title: str) -> Path:
    """Save atomically; refuse to overwrite the input workbook."""
    wb.active = 0
    if CHART_DATA in wb.sheetnames:
        wb[CHART_DATA].sheet_state = "hidden"  # the charts' pivots, not for reading
    wb.properties.title = title
    wb.properties.creator = f"planner {__version__}"
    with atomic_path(out, protect=(workbook,)) as tmp:
        save_workbook(wb, tmp)
    return Path(out)


def now() -> datetime:
    return datetime.now(timezone.utc)

