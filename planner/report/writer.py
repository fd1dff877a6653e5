"""Orchestration: build every sheet in story order and save the workbook atomically."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook

from planner.common.atomic import atomic_path
from planner.common.xlsx_values import save_workbook
from planner.domain import PlanInput, PlanResult
from planner.report import (
    emissions,
    runinfo,
    sheets_audit,
    sheets_decisions,
    sheets_money,
    sheets_pnl,
    summary,
)
from planner.report.charts import CHART_DATA
from planner.report.tables import table_sheet
from planner.report.unit_economics import unit_economics_table


def build_workbook(result: PlanResult, inp: PlanInput, info: dict) -> Workbook:
    """The report as an openpyxl Workbook (not yet saved)."""
    wb = Workbook()
    wb.remove(wb.active)
    summary.build(wb, result, inp, info)
    sheets = sheets_decisions.build(wb, result, inp)
    carbon_ws = (table_sheet(wb, "Emissions", emissions.emissions_table(result, inp))
                 if result.emissions else None)
    sheets_money.build(wb, result)
    sheets_pnl.build(wb, result, inp)
    table_sheet(wb, "UnitEconomics", unit_economics_table(result, inp))
    sheets_decisions.build_estimates(wb, result, inp)
    sheets_audit.build(wb, result, inp, info)
    sheets_decisions.build_diagnostics(wb, result)
    data_ws = wb.create_sheet(CHART_DATA)
    sheets_decisions.add_charts(sheets, data_ws, result)
    if carbon_ws is not None:
        emissions.chart(carbon_ws, data_ws, result, inp, carbon_ws.max_column)
    if data_ws.max_row == 1 and data_ws.max_column == 1 and data_ws["A1"].value is None:
        wb.remove(data_ws)
    else:
        data_ws.sheet_state = "hidden"  # the charts' pivots, not for reading
    wb.active = 0
    wb.properties.title = "Accelerator plan"
    wb.properties.creator = f"planner {info.get('planner_version', '')}".strip()
    return wb


def write_report(result: PlanResult, inp: PlanInput, path: str | os.PathLike, *,
                 input_path: str | os.PathLike | None = None,
                 run_info: dict | None = None) -> Path:
    """Write the Excel report to ``path`` atomically and return the path.

    Refuses (PlannerError) to overwrite ``input_path``.  A failure while building or saving
    leaves no partial file behind.
    """
    path = Path(path)
    protect = (input_path,) if input_path else ()
    with atomic_path(path, protect=protect) as tmp:
        info = runinfo.resolve(inp, input_path, run_info)
        save_workbook(build_workbook(result, inp, info), tmp)
    return path
