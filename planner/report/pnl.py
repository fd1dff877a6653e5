"""The plan as a profit-and-loss view: depreciation instead of purchases.

Conventions (also written on the P&L sheet and in docs/report.md):

- Chips bought in the plan are depreciated straight-line over their lifetime
  (``ChipOffer.lifetime_years`` rounded to whole quarters, as the optimizer does) from
  the quarter they are delivered: unit price / life quarters per chip and quarter, while
  the chip is owned.  This is the same book value the optimizer credits at the horizon's
  end (the residual credit on CashFlow).
- A chip sold early leaves the books at its book value then; the gain (or loss) on
  resale is the proceeds less that book value.  Chips owned before the horizon
  (ExistingChips) carry no book value here: the input does not say what their cost was,
  and the optimizer treats them as sunk, so their whole resale price is a gain.
- Site expansions are capital.  The optimizer gives them no value after the horizon, so
  each is depreciated straight-line over the quarters from when it is available to the
  horizon's end (in the last quarter when it becomes available only after it).
- Software-stack adoption, rental (on-demand and reserved, per quarter of use), power
  and API tokens are expensed as booked on CashFlow.  Penalties are not costs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from planner.domain import PlanInput, PlanResult, PurchaseRow, Quarter
from planner.optimize.tax_params import tax_terms
from planner.report.styles import USD
from planner.report.tables import Column, TableData, quarter_key

DEFAULT_LIFE_YEARS = 5.0

#: P&L columns; gain and total are formulas on the sheet (numbers in CSV).
PNL_COLUMNS = [
    Column("quarter"), Column("depreciation_chips_usd", USD),
    Column("depreciation_expansions_usd", USD), Column("rental_usd", USD),
    Column("power_usd", USD), Column("api_usd", USD), Column("stack_usd", USD),
    Column("resale_proceeds_usd", USD), Column("book_value_sold_usd", USD),
    Column("gain_on_resale_usd", USD), Column("total_operating_cost_usd", USD),
    Column("capital_spent_usd", USD),
]


def life_quarters(years: float) -> int:
    """Useful life in whole quarters, at least one (as ``planner.optimize.discounting``).

    >>> life_quarters(5), life_quarters(0.1), life_quarters(2.4)
    (20, 1, 10)
    """
    return max(1, round(years * 4))


@dataclass
class Ledger:
    """Per-quarter P&L amounts keyed by quarter string (undiscounted USD)."""

    depreciation_chips: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    depreciation_expansions: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    proceeds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    book_value_sold: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    closing_book_value: float = 0.0


def _index(quarter: str, start: Quarter) -> int | None:
    try:
        return Quarter.parse(quarter) - start
    except ValueError:
        return None


def _sales_by_cohort(result: PlanResult, start: Quarter) -> dict[tuple, list[list]]:
    """(chip, site, vintage) -> [[sale index, quantity, proceeds per chip, quarter], ...]."""
    sales: dict[tuple, list[list]] = defaultdict(list)
    for r in sorted(result.retirements, key=lambda r: quarter_key(r.quarter)):
        t = _index(r.quarter, start)
        if t is not None:
            sales[r.chip, r.site, r.vintage].append([t, r.quantity, r.resale_usd_per_chip,
                                                     r.quarter])
    return sales


def _depreciate_cohort(p: PurchaseRow, life: int, periods: list[str], sales: list[list],
                       ledger: Ledger, start: Quarter) -> None:
    """Depreciate one purchase while held; book its sales (taken from ``sales``, which
    may hold sales of existing chips of the same vintage beyond this purchase)."""
    delivered = _index(p.quarter_delivered, start)
    if delivered is None:
        return
    held, per_quarter = p.quantity, p.unit_price_usd / life
    for sale in sales:
        take = min(sale[1], held)
        if take <= 0 or sale[0] < delivered:
            continue
        book = p.unit_price_usd * max(0.0, 1.0 - (sale[0] - delivered) / life)
        ledger.book_value_sold[sale[3]] += take * book
        sale[1] -= take
        for t in range(delivered, min(sale[0], delivered + life, len(periods))):
            ledger.depreciation_chips[periods[t]] += take * per_quarter
        held -= take
    for t in range(max(delivered, 0), min(delivered + life, len(periods))):
        ledger.depreciation_chips[periods[t]] += held * per_quarter
    in_service = max(0, len(periods) - delivered)
    ledger.closing_book_value += held * p.unit_price_usd * max(0.0, 1.0 - in_service / life)


def _expansions(result: PlanResult, periods: list[str], ledger: Ledger, start: Quarter) -> None:
    last = len(periods) - 1
    for x in result.expansions:
        available = _index(x.quarter_available, start)
        first = min(max(available if available is not None else last, 0), last)
        span = periods[first:]
        for q in span:
            ledger.depreciation_expansions[q] += x.cost_usd / len(span)


def ledger(result: PlanResult, inp: PlanInput) -> Ledger:
    """Depreciation, book value of chips sold and resale proceeds per quarter."""
    periods = sorted({r.quarter for r in result.cashflow}, key=quarter_key)
    out = Ledger()
    if not periods:
        return out
    start = Quarter.parse(periods[0])
    lives = {o.chip: life_quarters(o.lifetime_years) for o in inp.chips}
    sales = _sales_by_cohort(result, start)
    for r in result.retirements:
        out.proceeds[r.quarter] += r.total_usd
    for p in sorted(result.purchases, key=lambda p: quarter_key(p.quarter_ordered)):
        life = lives.get(p.chip, life_quarters(DEFAULT_LIFE_YEARS))
        _depreciate_cohort(p, life, periods, sales.get((p.chip, p.site, p.quarter_ordered), []),
                           out, start)
    _expansions(result, periods, out, start)
    return out


#: After tax (a tax rate set): the tax the quarter's P&L cost saves at its rate, and the
#: cost net of it.  Book (straight-line) depreciation, so the gap to tax depreciation is
#: a deferred tax, not shown; the cash taxes are on CashFlow.
AFTER_TAX_PNL_COLUMNS = [Column("income_tax_benefit_usd", USD),
                         Column("after_tax_operating_cost_usd", USD)]


def pnl_table(result: PlanResult, inp: PlanInput) -> TableData:
    """One row per quarter: P&L costs, then the cash capital spent beside them (and,
    after tax, the tax benefit and the after-tax cost)."""
    book = ledger(result, inp)
    tax = tax_terms(inp)
    rows = []
    for r in sorted(result.cashflow, key=lambda r: quarter_key(r.quarter)):
        q = r.quarter
        dep, dep_x = book.depreciation_chips.get(q, 0.0), book.depreciation_expansions.get(q, 0.0)
        proceeds, sold = book.proceeds.get(q, 0.0), book.book_value_sold.get(q, 0.0)
        gain = proceeds - sold
        total = dep + dep_x + r.rental_usd + r.power_usd + r.api_usd + r.stack_usd - gain
        row = (q, dep, dep_x, r.rental_usd, r.power_usd, r.api_usd, r.stack_usd,
               proceeds, sold, gain, total, r.capital_usd + r.expansion_usd)
        if tax.active:
            benefit = tax.rate(len(rows)) * total
            row += (benefit, total - benefit)
        rows.append(row)
    columns = list(PNL_COLUMNS) + (AFTER_TAX_PNL_COLUMNS if tax.active else [])
    return TableData("pnl", columns, rows, "No P&L: the solver found no plan.")


def total_operating_cost(result: PlanResult, inp: PlanInput) -> float:
    """The P&L's total operating cost over the horizon (undiscounted)."""
    table = pnl_table(result, inp)
    col = table.headers.index("total_operating_cost_usd")
    return sum(row[col] for row in table.rows)
