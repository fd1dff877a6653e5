"""Native Excel charts and the small pivot tables (sheet ChartData) that feed them.

The pivots live on their own sheet rather than beside the tidy tables: filtering a table
hides whole rows, which would hide chart data sitting beside it.
"""

from __future__ import annotations

from collections import defaultdict

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter

from planner.domain import PlanResult
from planner.report.styles import INT, NUM1, USD
from planner.report.tables import Column, TableData, quarter_key, write_table

CHART_DATA = "ChartData"
WIDTH_CM = 20.0
HEIGHT_CM = 9.5
ROWS_PER_CHART = 20
PALETTE = ["1F77B4", "FF7F0E", "2CA02C", "9467BD", "8C564B", "E377C2", "7F7F7F", "BCBD22",
           "17BECF", "D62728"]


def _quarters(result: PlanResult, *row_lists) -> list[str]:
    seen = list(result.periods)
    for rows in row_lists:
        seen += [r.quarter for r in rows if r.quarter not in seen]
    return sorted(dict.fromkeys(seen), key=quarter_key)


def style_chart(chart, title: str, y_title: str, y_fmt: str = USD) -> None:
    """Title, axis titles and number format, legend below, the report's chart size."""
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.numFmt = y_fmt
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.width = WIDTH_CM
    chart.height = HEIGHT_CM


def _label(series, text: str, color: str | None = None, dash: bool = False,
           line: bool = False) -> None:
    series.tx = SeriesLabel(v=text)
    if color is None:
        return
    if line:
        series.graphicalProperties.line.solidFill = color
        series.graphicalProperties.line.width = 28575
        series.smooth = False
        if dash:
            series.graphicalProperties.line.dashStyle = "dash"
    else:
        series.graphicalProperties.solidFill = color
        series.graphicalProperties.line.solidFill = color


def anchor(table_columns: int, row: int = 2) -> str:
    """The cell two columns right of a table, where its chart goes."""
    return f"{get_column_letter(table_columns + 2)}{row}"


def stacked_columns(ws, data_ws, col: int, table_columns: int, name: str, series: list[str],
                    fmt: str, rows: list[tuple[str, list[float]]],
                    titles: tuple[str, str, str]) -> None:
    """A stacked column chart of ``series`` per quarter beside a table on ``ws``, its data
    written as table ``name`` at column ``col`` of ``data_ws``; ``titles`` = (chart title,
    y-axis title, y-axis number format)."""
    pivot = TableData(name, [Column("quarter")] + [Column(x, fmt) for x in series],
                      [tuple([q] + values) for q, values in rows])
    write_table(data_ws, pivot, col=col, excel_table=False)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    n = len(rows)
    chart.add_data(Reference(data_ws, min_col=col + 1, max_col=col + len(series), min_row=1,
                             max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=col, min_row=2, max_row=n + 1))
    for i, line in enumerate(chart.series):
        _label(line, series[i], PALETTE[i % len(PALETTE)])
    style_chart(chart, *titles)
    ws.add_chart(chart, anchor(table_columns))


def fleet_chart(ws, data_ws, col: int, result: PlanResult, table_columns: int) -> int:
    """Stacked columns of chips in service by chip type per quarter; returns next free col."""
    chips = sorted({r.chip for r in result.fleet})
    if not chips:
        return col
    quarters = _quarters(result, result.fleet)
    count: dict[tuple[str, str], float] = defaultdict(float)
    for r in result.fleet:
        count[(r.quarter, r.chip)] += r.quantity
    stacked_columns(ws, data_ws, col, table_columns, "chart_fleet", chips, INT,
                    [(q, [count[(q, c)] for c in chips]) for q in quarters],
                    ("Chips in service by chip type", "chips", "#,##0"))
    return col + len(chips) + 2


def _token_scale(peak: float) -> tuple[float, str]:
    if peak >= 1e9:
        return 1e9, "billion"
    if peak >= 1e6:
        return 1e6, "million"
    return 1.0, ""


def capacity_chart(ws, data_ws, col: int, result: PlanResult, table_columns: int) -> int:
    """Lines: demand, served and allocated capacity (tokens per day) per quarter."""
    if not result.capacity:
        return col
    quarters = _quarters(result, result.capacity)
    sums: dict[str, list[float]] = {q: [0.0, 0.0, 0.0] for q in quarters}
    for r in result.capacity:
        sums[r.quarter][0] += r.demand_tokens_per_day
        sums[r.quarter][1] += r.served_tokens_per_day
    for a in list(result.allocation) + list(result.api_usage):
        if a.quarter in sums:
            sums[a.quarter][2] += a.tokens_per_day
    scale, word = _token_scale(max(max(v) for v in sums.values()))
    unit = f"{word}_tokens_per_day" if word else "tokens_per_day"
    names = [f"demand_{unit}", f"served_{unit}", f"allocated_capacity_{unit}"]
    pivot = TableData("chart_capacity", [Column("quarter")] + [Column(n, NUM1) for n in names],
                      [tuple([q] + [v / scale for v in sums[q]]) for q in quarters])
    write_table(data_ws, pivot, col=col, excel_table=False)
    chart = LineChart()
    n = len(quarters)
    chart.add_data(Reference(data_ws, min_col=col + 1, max_col=col + 3, min_row=1,
                             max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=col, min_row=2, max_row=n + 1))
    looks = [("Demand", "C00000", True), ("Served", "1F77B4", False),
             ("Allocated capacity (chips + APIs)", "2CA02C", False)]
    for series, (text, color, dash) in zip(chart.series, looks):
        _label(series, text, color, dash, line=True)
    style_chart(chart, "Inference capacity vs demand, all workloads",
           f"{word} tokens per day".strip(), "#,##0")
    ws.add_chart(chart, anchor(table_columns))
    return col + 5


def power_charts(ws, data_ws, col: int, result: PlanResult, table_columns: int) -> int:
    """One line chart per site: facility power against the site's cap."""
    sites = sorted({r.site for r in result.power})
    if not sites:
        return col
    quarters = _quarters(result, result.power)
    value: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in result.power:
        value[(r.quarter, r.site)][0] += r.facility_power_kw
        value[(r.quarter, r.site)][1] = r.cap_kw
    columns = [Column("quarter")]
    for s in sites:
        columns += [Column(f"{s} facility_power_kw", NUM1), Column(f"{s} cap_kw", NUM1)]
    rows = [tuple([q] + [v for s in sites for v in value[(q, s)]]) for q in quarters]
    write_table(data_ws, TableData("chart_power", columns, rows), col=col, excel_table=False)
    n = len(quarters)
    for i, site in enumerate(sites):
        chart = LineChart()
        first = col + 1 + 2 * i
        chart.add_data(Reference(data_ws, min_col=first, max_col=first + 1, min_row=1,
                                 max_row=n + 1), titles_from_data=True)
        chart.set_categories(Reference(data_ws, min_col=col, min_row=2, max_row=n + 1))
        _label(chart.series[0], "Facility power (kW)", "1F77B4", line=True)
        _label(chart.series[1], "Cap (kW)", "C00000", dash=True, line=True)
        style_chart(chart, f"Power vs cap: {site}", "kW", "#,##0")
        ws.add_chart(chart, anchor(table_columns, 2 + i * ROWS_PER_CHART))
    return col + len(columns) + 1


CASH_SERIES = [("Capital", "1F3864"), ("Rental", "FF7F0E"), ("Power", "2CA02C"),
               ("API", "9467BD"), ("Site expansion", "8C564B"), ("Software stack", "7F7F7F")]


def cashflow_chart(ws, header_row: int, first: int, last: int, at: str) -> None:
    """Stacked columns of spend per year by kind, from the year section of the CashFlow
    sheet (columns B to G: capital, rental, power, api, expansion, stack)."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(CASH_SERIES), min_row=header_row,
                             max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    for series, (text, color) in zip(chart.series, CASH_SERIES):
        _label(series, text, color)
    style_chart(chart, "Spend by year (undiscounted, before credits)", "USD", USD)
    ws.add_chart(chart, at)
