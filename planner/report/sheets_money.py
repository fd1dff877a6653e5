"""The CashFlow sheet: quarterly rows as numbers, totals and years as formulas.

The per-row ``discounted_cost_usd`` and ``discounted_penalty_usd`` values are the
optimizer's own numbers, so their TOTALs add up to the objective to the cent; an analyst can click any total
and see which cells it adds up.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from planner.domain import PlanResult
from planner.report.charts import cashflow_chart
from planner.report.plan_tables import CASHFLOW_COLUMNS, cashflow_table
from planner.report.styles import BOLD, NOTE, USD, put, put_formula
from planner.report.tables import write_table
from planner.report.totals import total_row, year_section

NAMES = [c.name for c in CASHFLOW_COLUMNS]
#: Column letter of each cash-flow field, e.g. LETTER["quarter"] == "A".
LETTER = {name: get_column_letter(i) for i, name in enumerate(NAMES, start=1)}
#: Columns that are summed (all money columns; not the quarter or discount factor).
SUMMED = [i for i, name in enumerate(NAMES, start=1) if name.endswith("_usd")]


AFTER_TAX_NOTES = (
    ("After tax (columns from pre_tax_cost_usd on): tax_* columns are changes in tax paid "
     "(negative: tax saved) on operating costs, from depreciation of chips and expansions, "
     "on resale gains over tax book value and from loan interest; financing_usd is the "
     "loan's cash (proceeds negative, payments, balances repaid at sales); "
     "after_tax_net_cash_usd = net_cash + financing + those tax columns."),
    ("cost_usd = pre_tax_cost_usd + tax_cost_usd: tax_end_usd (tax on the end credit, loan "
     "balance still owed, expansions' later shields) and capital_charge_tax_usd (annuity "
     "basis: the charge's after-tax adjustment) are not cash; on the annuity basis the "
     "chips' shields and loans are inside capital_charge_tax_usd (docs/model.md, After tax)."),
)


def _totals(ws, first: int, last: int, names: list[str]) -> int:
    """TOTAL row, then the cost of ownership, penalties and objective; return next row."""
    summed = [i for i, name in enumerate(names, start=1) if name.endswith("_usd")]
    total = total_row(ws, last + 1, len(names), summed, first, last)
    c, p = LETTER["discounted_cost_usd"], LETTER["discounted_penalty_usd"]
    k = LETTER["discounted_carbon_cost_usd"]
    col = NAMES.index("discounted_cost_usd") + 1
    lines = (("total_cost_of_ownership_usd = TOTAL discounted_cost_usd (real money, NPV)",
              f"={c}{total}"),
             ("penalties_usd = TOTAL discounted_penalty_usd (priced shortfalls, not cash)",
              f"={p}{total}"),
             (("carbon_cost_usd = TOTAL discounted_carbon_cost_usd (emissions x the internal "
              "carbon price: a priced externality, not cash unless paid as a tax)"),
              f"={k}{total}"),
             (("objective_usd = cost of ownership + penalties + carbon cost (what the "
              "optimizer minimises)"), f"={c}{total}+{p}{total}+{k}{total}"))
    for k, (label, formula) in enumerate(lines, start=1):
        put(ws, total + k, 1, label, font=BOLD)
        put_formula(ws, total + k, col, formula, USD, font=BOLD)
    put(ws, total + len(lines) + 1, 1, "Cash columns (capital to net_cash) hold cash only; capital_charge "
        "and residual_credit follow the cost basis (Summary); penalty columns are not cash. "
        "Totals are formulas over the rows above.", font=NOTE)
    after = total + len(lines) + 2
    if len(names) > len(NAMES):
        for k, line in enumerate(AFTER_TAX_NOTES):
            put(ws, after + k, 1, line, font=NOTE)
        return after + len(AFTER_TAX_NOTES)
    return after


def build(wb, result: PlanResult):
    table = cashflow_table(result)
    ws = wb.create_sheet("CashFlow")
    last = write_table(ws, table)
    if not table.rows:
        return ws
    names = table.headers
    next_row = _totals(ws, 2, last, names)
    summed = [i for i, name in enumerate(names, start=1) if name.endswith("_usd")]
    header, first_year, last_year = year_section(
        ws, next_row + 1, "Cash flow by year (sums of the quarters above)", names, summed,
        [r[0] for r in table.rows], 2)
    # Below the year section: the table is too wide for a chart beside it to be seen.
    cashflow_chart(ws, header, first_year, last_year, f"A{last_year + 3}")
    return ws
