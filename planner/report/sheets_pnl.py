"""The P&L sheet: quarterly costs on an accrual basis, with the cash capital beside them.

Quarter rows hold the figures as numbers, except gain_on_resale_usd and
total_operating_cost_usd, which are formulas over the row so a reader sees how they are
made.  A TOTAL row, a per-year section and a roll-forward of the fixed assets bought in
the plan are formulas too.  Conventions: :mod:`planner.report.pnl`.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from planner.domain import PlanInput, PlanResult
from planner.report.pnl import PNL_COLUMNS, pnl_table
from planner.report.styles import BOLD, NOTE, SECTION, TOP_BORDER, USD, put, put_formula
from planner.report.tables import write_table
from planner.report.totals import total_row, year_section

TITLE = "P&L"
NAMES = [c.name for c in PNL_COLUMNS]
COL = {name: i for i, name in enumerate(NAMES, start=1)}
L = {name: get_column_letter(i) for name, i in COL.items()}
SUMMED = list(range(2, len(NAMES) + 1))

NOTES = (
    ("Accrual view of the same plan (undiscounted USD).  Chips bought in the plan are "
     "depreciated straight-line over their lifetime from the quarter delivered: price / life "
     "in quarters."),
    ("A chip sold early leaves the books at its book value: gain_on_resale_usd = resale "
     "proceeds - book value sold."),
    ("Chips owned before the horizon carry no book value here (their cost is not an input; "
     "the optimizer treats them as sunk), so their whole resale price is a gain."),
    ("Site expansions are capital, depreciated straight-line from the quarter available to "
     "the horizon's end (the optimizer gives them no value after it)."),
    ("Rental, power, API tokens and software stacks are expensed as booked on CashFlow.  "
     "Penalties are not costs."),
    ("total_operating_cost_usd = depreciation + rental + power + api + stack - gain on "
     "resale.  capital_spent_usd is the cash paid for chips and expansions."),
)


AFTER_TAX_NOTE = (
    ("After tax: income_tax_benefit_usd = the quarter's tax rate x total_operating_cost_usd "
     "(book depreciation; the gap to tax depreciation is a deferred tax, not shown); "
     "after_tax_operating_cost_usd = total - benefit. Cash taxes and loans are on CashFlow."),
)


def _row_formulas(ws, first: int, last: int) -> None:
    """gain = proceeds - book value sold; total = costs - gain, on every quarter row."""
    gain, total = COL["gain_on_resale_usd"], COL["total_operating_cost_usd"]
    costs = f"{L['depreciation_chips_usd']}{{r}}:{L['stack_usd']}{{r}}"
    for r in range(first, last + 1):
        put_formula(ws, r, gain, f"={L['resale_proceeds_usd']}{r}-{L['book_value_sold_usd']}{r}",
                    USD)
        put_formula(ws, r, total, f"=SUM({costs.format(r=r)})-{L['gain_on_resale_usd']}{r}",
                    USD)


def _roll_forward(ws, row: int, total: int) -> int:
    """Fixed assets bought in the plan: capital spent less depreciation and book value sold
    is the book value carried past the horizon.  Values in the last column."""
    put(ws, row, 1, "Fixed assets bought in the plan (undiscounted USD)", font=SECTION)
    col = len(NAMES)
    lines = [
        ("Capital spent on chips and site expansions (cash)",
         f"={L['capital_spent_usd']}{total}"),
        ("less depreciation charged",
         f"=-({L['depreciation_chips_usd']}{total}+{L['depreciation_expansions_usd']}{total})"),
        ("less book value of chips sold", f"=-{L['book_value_sold_usd']}{total}"),
    ]
    for i, (label, formula) in enumerate(lines, start=row + 1):
        put(ws, i, 1, label)
        put_formula(ws, i, col, formula, USD)
    end = row + 1 + len(lines)
    letter = get_column_letter(col)
    put(ws, end, 1, "Book value carried past the horizon", font=BOLD)
    put_formula(ws, end, col, f"=SUM({letter}{row + 1}:{letter}{end - 1})", USD,
                font=BOLD).border = TOP_BORDER
    put(ws, end + 1, 1, "The straight-line book value of the plan's chips still owned at the "
        "end: the residual credit on CashFlow (which also deducts the end value forfeited by "
        "selling chips owned before the horizon).", font=NOTE)
    return end + 2


def build(wb, result: PlanResult, inp: PlanInput):
    table = pnl_table(result, inp)
    ws = wb.create_sheet(TITLE)
    last = write_table(ws, table)
    if not table.rows:
        return ws
    _row_formulas(ws, 2, last)
    names = table.headers
    summed = list(range(2, len(names) + 1))
    total = total_row(ws, last + 1, len(names), summed, 2, last)
    row = total + 1
    for line in NOTES + (AFTER_TAX_NOTE if len(names) > len(NAMES) else ()):
        put(ws, row, 1, line, font=NOTE)
        row += 1
    _, _, last_year = year_section(ws, row + 1, "P&L by year (sums of the quarters above)",
                                   names, summed, [r[0] for r in table.rows], 2)
    _roll_forward(ws, last_year + 2, total)
    return ws
