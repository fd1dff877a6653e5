"""The sensitivity workbook: a sweep with a line chart, or a tornado with a bar chart."""

from __future__ import annotations

import math
import os
from collections import OrderedDict
from datetime import datetime
from pathlib import Path

from openpyxl.chart import BarChart, LineChart, Reference

from planner.domain import PlanInput
from planner.report.charts import CHART_DATA, style_chart
from planner.report.styles import INT, NUM1, PCT, USD
from planner.report.tables import Column, TableData, table_sheet, write_table
from planner.scenarios import report_common as rc
from planner.scenarios.sweep import SweepResult


def shown_value(text: str) -> float | str:
    """A swept value as the workbook shows it: a number when the text is one (so it sorts,
    charts and sums as a number), else the text (a quarter such as 2027Q3)."""
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _diff(value: float | None, base: float | None) -> float | None:
    return None if value is None or base is None else value - base


def sweep_table(res: SweepResult) -> TableData:
    base = res.base.total_cost_usd
    rows = [(p.parameter, shown_value(p.value), p.outcome.overrides, p.outcome.status,
             p.outcome.total_cost_usd, _diff(p.outcome.total_cost_usd, base),
             *rc.penalty_values(p.outcome),
             _carbon(p.outcome), p.outcome.emissions_tco2e,
             p.outcome.objective_usd, p.outcome.chips_bought if p.outcome.has_plan else None,
             p.outcome.unmet_demand_share) for p in res.points]
    return TableData("sweep", [
        Column("parameter"), Column("value"), Column("override", max_width=60),
        Column("status"), Column(rc.COST, USD), Column("difference_from_base_usd", USD),
        *[Column(name, USD) for name in rc.PENALTY_COLUMNS],
        Column("carbon_cost_npv_usd", USD), Column("emissions_tco2e", NUM1),
        Column(rc.OBJECTIVE, USD), Column("chips_bought", INT),
        Column("unmet_demand_share", PCT)], rows)


def _carbon(o) -> float | None:
    """The carbon cost (emissions x the internal carbon price, NPV; not cash)."""
    return o.costs.carbon_cost_usd if o.costs is not None else None


def _penalties(o) -> float | None:
    return o.costs.penalties_usd if o.costs is not None else None


def tornado_rows(res: SweepResult) -> list[tuple]:
    """(parameter, low, high, cost low, cost high, low - base, high - base, swing,
    penalties low, penalties high), widest swing first.  Costs are costs of ownership
    (real money); penalties (NPV) apart."""
    base = res.base.total_cost_usd
    pairs: OrderedDict[str, list] = OrderedDict()
    for p in res.points:
        pairs.setdefault(p.parameter, []).append(p)
    rows = []
    for name, (low, high) in pairs.items():
        lo, hi = low.outcome.total_cost_usd, high.outcome.total_cost_usd
        d_lo, d_hi = _diff(lo, base), _diff(hi, base)
        swing = abs(d_hi - d_lo) if d_lo is not None and d_hi is not None else None
        rows.append((name, shown_value(low.value), shown_value(high.value), lo, hi, d_lo, d_hi, swing,
                     _penalties(low.outcome), _penalties(high.outcome)))
    return sorted(rows, key=lambda r: -(r[7] or 0.0))


def tornado_table(res: SweepResult) -> TableData:
    return TableData("tornado", [
        Column("parameter"), Column("low_value"), Column("high_value"),
        Column("cost_at_low_usd", USD), Column("cost_at_high_usd", USD),
        Column("low_minus_base_usd", USD), Column("high_minus_base_usd", USD),
        Column("swing_usd", USD), Column("penalties_at_low_npv_usd", USD),
        Column("penalties_at_high_npv_usd", USD)], tornado_rows(res))


def _line_chart(ws, data_ws, res: SweepResult) -> None:
    rows = [(shown_value(p.value), p.outcome.total_cost_usd, res.base.total_cost_usd) for p in res.points]
    write_table(data_ws, TableData("chart_sweep", [Column("value"), Column(rc.COST, USD),
                                                   Column("base_usd", USD)], rows),
                excel_table=False)
    chart = LineChart()
    n = len(rows)
    chart.add_data(Reference(data_ws, min_col=2, max_col=3, min_row=1, max_row=n + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=1, min_row=2, max_row=n + 1))
    rc.color_series(chart, ["Total cost of ownership (NPV)", "Base"], line=True)
    chart.series[1].graphicalProperties.line.dashStyle = "dash"
    style_chart(chart, f"Cost against {res.points[0].parameter}", "USD (NPV)")
    first = res.points[0].override
    if first is not None:
        chart.x_axis.title = f"{first.parameter} ({first.operation})"
    ws.add_chart(chart, "L2")
    if any(p.outcome.emissions_tco2e is not None for p in res.points):
        _emissions_chart(ws, data_ws, res)


def _emissions_chart(ws, data_ws, res: SweepResult) -> None:
    """Emissions (tCO2e, the plan's basis) against the swept value, below the cost chart."""
    rows = [(shown_value(p.value), p.outcome.emissions_tco2e) for p in res.points]
    col = data_ws.max_column + 2
    write_table(data_ws, TableData("chart_sweep_emissions", [Column("value"),
                Column("emissions_tco2e", NUM1)], rows), col=col, excel_table=False)
    chart = LineChart()
    n = len(rows)
    chart.add_data(Reference(data_ws, min_col=col + 1, min_row=1, max_row=n + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=col, min_row=2, max_row=n + 1))
    rc.color_series(chart, ["Emissions (tCO2e)"], line=True)
    style_chart(chart, f"Emissions against {res.points[0].parameter}", "tCO2e", "#,##0")
    ws.add_chart(chart, "L22")


def _bar_chart(ws, data_ws, res: SweepResult) -> None:
    rows = [(r[0], r[5], r[6]) for r in reversed(tornado_rows(res))]
    write_table(data_ws, TableData("chart_tornado", [
        Column("parameter"), Column("low_minus_base_usd", USD),
        Column("high_minus_base_usd", USD)], rows), excel_table=False)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "clustered", 100
    n = len(rows)
    chart.add_data(Reference(data_ws, min_col=2, max_col=3, min_row=1, max_row=n + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=1, min_row=2, max_row=n + 1))
    rc.color_series(chart, ["Low value", "High value"])
    style_chart(chart, "Tornado: change in cost from the base", "USD (NPV)")
    ws.add_chart(chart, "J2")


def write_sweep(res: SweepResult, inp: PlanInput, workbook: str | os.PathLike,
                out: str | os.PathLike, started: datetime, mode: str) -> Path:
    """``mode`` is ``sweep`` (Sweep sheet, line chart) or ``tornado`` (bar chart)."""
    wb = rc.new_workbook()
    failed = sum(not o.has_plan for o in res.outcomes)
    lines = [(f"{len(res.points)} solve(s) of the base with one override each, and the base "
             "itself; costs are total cost of ownership (NPV, USD, penalties excluded); "
             "penalties (priced shortfalls, not cash) are in their own columns."),
             f"{failed} solve(s) failed: see Runs." if failed else "Every solve made a plan."]
    lines = rc.penalty_warnings([("base", res.base)] + [
        (f"{p.parameter} = {p.value}", p.outcome) for p in res.points]) + lines
    figures = [("Base total cost of ownership, NPV (USD)", res.base.total_cost_usd, USD)]
    title = "Sensitivity sweep" if mode == "sweep" else "Tornado: sensitivity at low and high values"
    rc.summary_sheet(wb, title, lines, figures, rc.run_info(workbook, inp, started))
    ws = table_sheet(wb, "Sweep", sweep_table(res))
    if mode == "tornado":
        ws = table_sheet(wb, "Tornado", tornado_table(res))
    rc.add_runs(wb, res.outcomes)
    data_ws = wb.create_sheet(CHART_DATA)
    (_line_chart if mode == "sweep" else _bar_chart)(ws, data_ws, res)
    return rc.save(wb, out, workbook, title)
