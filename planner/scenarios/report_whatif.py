"""The what-if comparison workbook: cost per scenario, purchases, the regret matrix, runs."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from openpyxl.chart import BarChart, Reference

from planner.domain import PENALTY_KINDS
from planner.report.charts import CHART_DATA, style_chart
from planner.report.styles import INT, PCT, USD
from planner.report.tables import Column, TableData, table_sheet, write_table
from planner.scenarios import report_common as rc
from planner.scenarios.whatif import RegretCell, WhatIf, purchases_by_chip_year, regret_matrix


def _regret_by_plan(cells: list[RegretCell]) -> dict[str, list[RegretCell]]:
    rows: dict[str, list[RegretCell]] = defaultdict(list)
    for c in cells:
        rows[c.plan_for].append(c)
    return rows


def _max_regret(cells: list[RegretCell]) -> tuple[float | None, int]:
    known = [c.regret_usd for c in cells if c.regret_usd is not None]
    return (max(known) if known else None), sum(c.regret_usd is None for c in cells)


def costs_table(w: WhatIf, cells: list[RegretCell]) -> TableData:
    base = w.optima[w.cases[0].name].total_cost_usd
    by_plan = _regret_by_plan(cells)
    rows = []
    for c in w.cases:
        o = w.optima[c.name]
        diff = None if o.total_cost_usd is None or base is None else o.total_cost_usd - base
        worst, unknown = _max_regret(by_plan[c.name])
        rows.append((c.name, c.describe(), o.status, o.total_cost_usd, diff,
                     diff / base if diff is not None and base else None,
                     *rc.penalty_values(o), o.objective_usd,
                     o.chips_bought if o.has_plan else None, o.unmet_demand_share, worst, unknown))
    return TableData("costs", [
        Column("scenario", max_width=30), Column("overrides", max_width=70), Column("status"),
        Column(rc.COST, USD), Column("difference_from_base_usd", USD),
        Column("difference_from_base_share", PCT),
        *[Column(name, USD) for name in rc.PENALTY_COLUMNS], Column(rc.OBJECTIVE, USD),
        Column("chips_bought", INT), Column("unmet_demand_share", PCT),
        Column("max_regret_of_its_plan_usd", USD), Column("scenarios_its_plan_cannot_meet", INT),
    ], rows)


def purchases_table(w: WhatIf) -> TableData:
    return TableData("purchases", [Column("scenario", max_width=30), Column("chip"),
                                   Column("year_ordered"), Column("chips", INT),
                                   Column("spend_usd", USD)],
                     purchases_by_chip_year(w), "No scenario buys chips.")


def _money(costs) -> tuple:
    if costs is None:
        return (None,) * (2 + len(PENALTY_KINDS))
    return (costs.cost_of_ownership_usd, *[v for _l, v in costs.penalties()],
            costs.objective_usd)


def regret_table(cells: list[RegretCell]) -> TableData:
    rows = [(c.plan_for, c.scenario, *_money(c.costs), *_money(c.own_costs),
             c.regret_cost_of_ownership_usd, c.regret_penalties_usd, c.regret_usd, c.note)
            for c in cells]
    pens = [name.removesuffix("_usd") for name, _label in PENALTY_KINDS]
    return TableData("regret", [
        Column("plan_made_for", max_width=30), Column("evaluated_under", max_width=30),
        Column("cost_of_ownership_first_year_fixed_npv_usd", USD),
        *[Column(f"{p}_first_year_fixed_npv_usd", USD) for p in pens],
        Column("objective_first_year_fixed_npv_usd", USD),
        Column("scenario_optimum_cost_of_ownership_npv_usd", USD),
        *[Column(f"scenario_optimum_{p}_npv_usd", USD) for p in pens],
        Column("scenario_optimum_objective_npv_usd", USD),
        Column("regret_cost_of_ownership_usd", USD), Column("regret_penalties_usd", USD),
        Column("regret_usd", USD), Column("note", max_width=80)], rows)


#: (figure, what it is) of each block of the RegretMatrix, one row per plan and figure.
MATRIX_FIGURES = (
    ("regret_usd", ("objective regret: cost of ownership + penalties, minus the scenario's "
                   "own optimum")),
    ("regret_cost_of_ownership_usd", "the real-money part of the regret"),
    ("regret_penalties_usd", "the penalty part of the regret"),
    ("cost_of_ownership_npv_usd", "the plan's cost of ownership under the scenario"),
    *[(name.replace("_usd", "_npv_usd"), f"its {label} penalty (not cash)")
      for name, label in PENALTY_KINDS],
)


def _matrix_value(c: RegretCell, figure: str):
    if c.regret_usd is None:
        return "infeasible" if c.note.startswith("infeasible") else "n/a"
    if figure in ("regret_usd", "regret_cost_of_ownership_usd", "regret_penalties_usd"):
        return getattr(c, figure)
    if c.costs is None:
        return "n/a"
    return getattr(c.costs, figure.replace("_npv_usd", "_usd"))


def matrix_table(w: WhatIf, cells: list[RegretCell]) -> TableData:
    """One row per plan and figure (MATRIX_FIGURES); one column per scenario evaluated."""
    names = [c.name for c in w.cases]
    rows = []
    for plan, row in _regret_by_plan(cells).items():
        worst, _ = _max_regret(row)
        for figure, what in MATRIX_FIGURES:
            rows.append(tuple([plan, figure] + [_matrix_value(c, figure) for c in row]
                              + [worst if figure == "regret_usd" else None, what]))
    return TableData("regret_matrix", [Column("plan_made_for", max_width=30),
                                       Column("figure \\ evaluated_under", max_width=34)]
                     + [Column(f"{n}_usd", USD) for n in names]
                     + [Column("max_regret_usd", USD), Column("meaning", max_width=70)], rows)


def _cost_chart(wb, ws, data_ws, w: WhatIf) -> None:
    rows = [(c.name, w.optima[c.name].total_cost_usd) for c in w.cases]
    write_table(data_ws, TableData("chart_costs", [Column("scenario"), Column(rc.COST, USD)],
                                   rows), col=1, excel_table=False)
    chart = BarChart()
    chart.type = "col"
    chart.add_data(Reference(data_ws, min_col=2, min_row=1, max_row=len(rows) + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=1, min_row=2, max_row=len(rows) + 1))
    rc.color_series(chart, ["Total cost of ownership (NPV, USD)"])
    style_chart(chart, "Cost by scenario", "USD (NPV)")
    ws.add_chart(chart, "N2")


def _purchase_chart(ws, data_ws, w: WhatIf, col: int) -> None:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for scenario, chip, _year, chips, _usd in purchases_by_chip_year(w):
        counts[scenario, chip] += chips
    chips = sorted({chip for _s, chip in counts})
    if not chips:
        return
    rows = [tuple([c.name] + [counts[c.name, chip] for chip in chips]) for c in w.cases]
    write_table(data_ws, TableData("chart_purchases", [Column("scenario")] +
                                   [Column(chip, INT) for chip in chips], rows),
                col=col, excel_table=False)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.add_data(Reference(data_ws, min_col=col + 1, max_col=col + len(chips), min_row=1,
                             max_row=len(rows) + 1), titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=col, min_row=2, max_row=len(rows) + 1))
    rc.color_series(chart, chips)
    style_chart(chart, "Chips bought over the plan, by scenario", "chips", "#,##0")
    ws.add_chart(chart, "H2")


def _lines(w: WhatIf, cells: list[RegretCell]) -> list[str]:
    clamped = sum(c.clamped for c in cells)
    missing = sum(c.regret_usd is None for c in cells)
    lines = [
        (f"{len(w.cases)} cases: the base (the workbook as it is) and {len(w.cases) - 1} "
        "scenario(s) of the Scenarios sheet, each solved for its own least-cost plan."),
        (f"Regret: each plan's first-year commitments (purchases, reserved rentals and "
        f"expansions ordered before {w.through}) are fixed and every other scenario is "
        "re-solved for the rest; regret is that cost minus the scenario's own optimum "
        "(costs include the priced shortfall, since a committed plan may leave demand unmet)."),
        f"{clamped} regret(s) slightly below zero were within the solver gap "
        f"({w.mip_gap:.2%}) and are shown as 0." if clamped else
        "No regret fell below zero.",
    ]
    if missing:
        lines.append(f"{missing} regret(s) are n/a: the plan's first-year commitments cannot "
                     "be carried out in that scenario (infeasible, e.g. chips bought for a site "
                     "that lacks the power), or a solve failed; see Runs.")
    lines.append("Each scenario's own plan, NPV (cost of ownership is real money; penalties "
                 "are prices of shortfalls from the Settings sheet, not cash):")
    lines += [f"  {c.name}: {w.optima[c.name].costs.describe()}" for c in w.cases
              if w.optima[c.name].costs is not None]
    return rc.penalty_warnings([(c.name, w.optima[c.name]) for c in w.cases]) + lines


def write_whatif(w: WhatIf, workbook: str | os.PathLike, out: str | os.PathLike,
                 started: datetime) -> Path:
    cells = regret_matrix(w)
    wb = rc.new_workbook()
    base = w.optima[w.cases[0].name]
    figures = [("Base total cost of ownership, NPV (USD)", base.total_cost_usd, USD)]
    if base.costs is not None:
        figures += [(f"Base penalty: {label}, NPV (USD)", value, USD)
                    for label, value in base.costs.penalties()]
    rc.summary_sheet(wb, "What-if scenarios and regret", _lines(w, cells), figures,
                     rc.run_info(workbook, w.inp, started))
    costs_ws = table_sheet(wb, "Costs", costs_table(w, cells))
    purchases_ws = table_sheet(wb, "Purchases", purchases_table(w))
    table_sheet(wb, "RegretMatrix", matrix_table(w, cells))
    table_sheet(wb, "Regret", regret_table(cells))
    rc.add_runs(wb, w.outcomes)
    data_ws = wb.create_sheet(CHART_DATA)
    _cost_chart(wb, costs_ws, data_ws, w)
    _purchase_chart(purchases_ws, data_ws, w, col=4)
    return rc.save(wb, out, workbook, "What-if scenarios")
