"""The ``planner forecast`` workbook: demand by method, bands, growth, drivers, the monthly
history with its projection, backtests, and a native line chart per history workload.

:mod:`planner.forecast` knows nothing of Excel; this module, in the report layer, writes
its results with the plan report's table and cell helpers (:mod:`planner.report.tables`,
:mod:`planner.report.styles`).
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties

from planner import __version__
from planner.common.atomic import atomic_path
from planner.domain.inputs import PlanInput
from planner.forecast.analysis import WorkloadForecast
from planner.forecast.months import month_label
from planner.forecast.project import Z90
from planner.report.styles import INT, NOTE, NUM1, NUM2, PCT, PCT2, TITLE, put, set_widths
from planner.report.tables import Column as C
from planner.report.tables import TableData, table_sheet, write_table

SCALE, UNIT = 1e9, "billion tokens per day"
#: Series of a history chart: header, colour, dashed (the actuals last, drawn on top).
SERIES = (("p50", "1F77B4", False), ("p10", "7F7F7F", True), ("p90", "7F7F7F", True),
          ("actual", "000000", False))
LABELS = ("P50 (fit, then projection)", "P10", "P90", "actual (History sheet)")


def forecast_table(forecasts: list[WorkloadForecast]) -> TableData:
    rows = [(f.name, f.method, q, d, f.p10[i] if f.p10 else None,
             d if f.p10 else None, f.p90[i] if f.p90 else None)
            for f in forecasts for i, (q, d) in enumerate(zip(f.quarters, f.demand))]
    return TableData("forecast", [
        C("workload"), C("demand_method"), C("quarter"), C("demand_tokens_per_day", INT),
        C("p10_tokens_per_day", INT), C("p50_tokens_per_day", INT),
        C("p90_tokens_per_day", INT)], rows, "No inference workloads.")


def growth_table(forecasts: list[WorkloadForecast]) -> TableData:
    rows = []
    for f in forecasts:
        fit = f.history.fit if f.history else None
        rows.append((
            f.name, f.method, f.growth_source, fit.growth_per_month if fit else None,
            f.growth_per_quarter, f.growth_per_year, fit.n if fit else None,
            month_label(fit.first_month) if fit else None,
            month_label(fit.last_month) if fit else None,
            ("yes" if fit.seasonal else "no") if fit else None, fit.sigma if fit else None,
            f.backtest.holdout if f.backtest else None, f.backtest.mape if f.backtest else None,
            f.backtest_note or None))
    return TableData("growth", [
        C("workload"), C("demand_method"), C("growth_source"), C("growth_per_month", PCT2),
        C("growth_per_quarter", PCT2), C("growth_per_year", PCT), C("history_months", INT),
        C("first_month"), C("last_month"), C("seasonal"), C("residual_se_log", "0.0000"),
        C("backtest_holdout_months", INT), C("backtest_mape", PCT2),
        C("backtest_note", max_width=70)], rows, "No inference workloads.")


def drivers_table(forecasts: list[WorkloadForecast]) -> TableData:
    rows = [(f.name, q, p.active_users[i], p.requests_per_user_per_day[i],
             p.reasoning_multiplier[i], p.tokens_per_request[i], p.tokens_per_day[i],
             f.served_output_tokens)
            for f in forecasts if (p := f.drivers) is not None
            for i, q in enumerate(f.quarters)]
    return TableData("drivers", [
        C("workload"), C("quarter"), C("active_users", INT), C("requests_per_user_per_day", NUM2),
        C("reasoning_multiplier", NUM2), C("tokens_per_request", INT),
        C("tokens_per_day", INT), C("served_output_tokens", INT)], rows)


def monthly_table(forecasts: list[WorkloadForecast]) -> TableData:
    rows = []
    for f in forecasts:
        if f.history is None:
            continue
        v = f.history
        actual = dict(zip(v.history.months, v.history.tokens_per_day))
        for i, m in enumerate(v.months):
            kind = "history" if m <= v.fit.last_month else "projection"
            rows.append((f.name, month_label(m), kind, actual.get(m), v.monthly.p10[i],
                         v.monthly.p50[i], v.monthly.p90[i]))
    return TableData("monthly", [
        C("workload"), C("month"), C("kind"), C("actual_tokens_per_day", INT),
        C("p10_tokens_per_day", INT), C("p50_tokens_per_day", INT),
        C("p90_tokens_per_day", INT)], rows)


def backtest_table(forecasts: list[WorkloadForecast]) -> TableData:
    rows = [(f.name, month_label(m), a, p, e)
            for f in forecasts if (b := f.backtest) is not None
            for m, a, p, e in zip(b.months, b.actual, b.predicted, b.errors)]
    return TableData("backtest", [
        C("workload"), C("month"), C("actual_tokens_per_day", INT),
        C("predicted_p50_tokens_per_day", INT), C("abs_pct_error", PCT2)], rows)


def _chart_data(ws, f: WorkloadForecast, col: int) -> int:
    """The chart's pivot at ``col`` of the ChartData sheet (billions; the actuals only over
    the history, the P10/P90 band only over the projection); returns its row count."""
    v = f.history
    assert v is not None
    actual = dict(zip(v.history.months, v.history.tokens_per_day))
    rows = []
    for i, m in enumerate(v.months):
        future = m > v.fit.last_month
        a = actual.get(m)
        rows.append((month_label(m), v.monthly.p50[i] / SCALE,
                     v.monthly.p10[i] / SCALE if future else None,
                     v.monthly.p90[i] / SCALE if future else None,
                     a / SCALE if a is not None else None))
    names = [f"{f.name} {s[0]}" for s in SERIES]
    write_table(ws, TableData(f"chart_{col}", [C("month")] + [C(n, NUM1) for n in names], rows),
                col=col, excel_table=False)
    return len(rows)


def _history_chart(data_ws, f: WorkloadForecast, col: int, n: int) -> LineChart:
    chart = LineChart()
    chart.add_data(Reference(data_ws, min_col=col + 1, max_col=col + len(SERIES), min_row=1,
                             max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=col, min_row=2, max_row=n + 1))
    for series, (name, colour, dash), label in zip(chart.series, SERIES, LABELS):
        series.tx = SeriesLabel(v=label)
        series.smooth = False
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 22225 if dash else 28575
        if dash:
            series.graphicalProperties.line.dashStyle = "dash"
        if name == "actual":
            series.marker.symbol, series.marker.size = "circle", 5
            series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
            series.marker.graphicalProperties.line.solidFill = colour
    fit = f.history.fit  # type: ignore[union-attr]
    chart.title = (f"{f.name}: monthly tokens per day, history and forecast "
                   f"({fit.growth_per_month:+.1%}/month, P10-P90 band)")
    chart.y_axis.title, chart.y_axis.numFmt = UNIT, "#,##0"
    chart.x_axis.title = "month"
    chart.x_axis.tickLblSkip, chart.x_axis.tickMarkSkip = 6, 6
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.width, chart.height = 24.0, 12.0
    return chart


def add_charts(wb: Workbook, forecasts: list[WorkloadForecast]) -> None:
    """A Charts sheet with one line chart per history workload, fed from ChartData."""
    shown = [f for f in forecasts if f.history is not None]
    if not shown:
        return
    ws = wb.create_sheet("Charts", 3)
    ws.page_setup.orientation = "landscape"  # each chart prints on one page
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    data_ws = wb.create_sheet("ChartData")
    data_ws.sheet_state = "hidden"  # the charts' pivots, not for reading
    col = 1
    for i, f in enumerate(shown):
        n = _chart_data(data_ws, f, col)
        ws.add_chart(_history_chart(data_ws, f, col, n), f"A{1 + 26 * i}")
        col += len(SERIES) + 2


def _summary(wb: Workbook, forecasts: list[WorkloadForecast], sentences: list[str],
             inp: PlanInput) -> None:
    ws = wb.create_sheet("Summary", 0)
    put(ws, 1, 1, f"Demand forecast: {inp.source_name}", font=TITLE)
    lines = [
        ("Each workload's demand per quarter comes from the method its Workloads row names "
        "(demand_method): direct (Demand sheet), drivers (users x requests x tokens, Drivers "
        "sheet) or history (log-linear growth fitted to the History sheet)."),
        *sentences,
        ("The plan uses the P50 of a history forecast. P10 and P90 bound an 80% prediction "
        f"interval in log space (z = {Z90}) from the residual error and the uncertainty of "
        "the fitted parameters; they are the low and high scenarios of planner whatif and "
        "planner plan --hedge with --forecast-scenarios. Method and limits: docs/forecast.md."),
        f"Input: {inp.source_name}, SHA-256 {inp.source_sha256}.",
    ]
    for row, line in enumerate(lines, start=3):
        put(ws, row, 1, line, font=NOTE if row == len(lines) + 2 else None)
    set_widths(ws, {1: 160})


def write_forecast(forecasts: list[WorkloadForecast], sentences: list[str], inp: PlanInput,
                   workbook: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Write the forecast workbook atomically (never over ``workbook``); return its path."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = f"planner {__version__}"  # so a later run may replace it
    table_sheet(wb, "Forecast", forecast_table(forecasts))
    table_sheet(wb, "Growth", growth_table(forecasts))
    for title, table in (("Drivers", drivers_table(forecasts)),
                         ("Monthly", monthly_table(forecasts)),
                         ("Backtest", backtest_table(forecasts))):
        if table.rows:
            table_sheet(wb, title, table)
    _summary(wb, forecasts, sentences, inp)
    add_charts(wb, forecasts)
    target = Path(out)
    with atomic_path(target, protect=(workbook,)) as tmp:
        wb.save(tmp)
    return target
