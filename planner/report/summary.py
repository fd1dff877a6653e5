"""The Summary sheet: warnings first, then the recommendation, headline figures, spend per
year, cost per million tokens and what was run."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from planner.domain import PlanInput, PlanResult, units
from planner.domain.costs import BASIS_WORDS
from planner.domain.status import Status
from planner.report import alternatives, breakeven, emissions, metrics, mix_saving, recommend
from planner.report.pnl import total_operating_cost
from planner.report.styles import (
    BOLD,
    GREEN_BOLD,
    INDENT,
    INT,
    LEFT,
    NOTE,
    NUM1,
    PCT,
    PCT2,
    RED_BOLD,
    SECONDS,
    SECTION,
    TITLE,
    TOP_BORDER,
    USD,
    USD_RATE,
    header_cell,
    print_setup,
    put,
    put_formula,
    set_widths,
)
from planner.report.usage import USD_PER_MTOK, average_utilisation

YEAR_HEADERS = ["year", "capital_usd", "operating_usd", "resale_usd", "net_cash_usd",
                "residual_value_usd", "discounted_cost_usd"]
YEAR_NOTES = (
    ("net_cash_usd = capital + operating - resale proceeds. residual_value_usd is the credit "
     "for chips still owned at the end (cash bases only; not cash), in the last quarter."),
    ("discounted_cost_usd = the year's cost of ownership on the plan's cost basis (see the "
     "headline), discounted; its TOTAL is the total cost of ownership."),
)
BUDGET_HEADERS = ["capital_budget_usd", "operating_budget_usd"]
PO, OUT = units.PROMPT_OUTPUT, units.OUTPUT_ONLY
COST_HEADERS = ["workload", "kind", "served_million_prompt_output_tokens", "met_share",
                "allocated_cost_usd", units.usd_per_mtok_column(PO), units.usd_per_mtok_column(OUT)]
ALTERNATIVE_HEADERS = ["workload", "plan_" + units.usd_per_mtok_column(PO), "cheapest_rental_chip",
                       "rented_" + units.usd_per_mtok_column(PO), "rented_throughput_source",
                       "saving_vs_renting_share",
                       "api_offering", "api_" + units.usd_per_mtok_column(PO),
                       "saving_vs_api_share"]


def _section(ws, row: int, title: str) -> int:
    put(ws, row, 1, title, font=SECTION)
    return row + 1


def _status(ws, row: int, result: PlanResult, inp: PlanInput) -> int:
    lines = recommend.warnings(result, inp)
    for line in lines:
        put(ws, row, 1, line, font=RED_BOLD)
        row += 1
    if not lines:
        put(ws, row, 1, recommend.all_clear(result), font=GREEN_BOLD)
        row += 1
    return row


def _utilisation_note(inp: PlanInput) -> str:
    load = inp.settings.target_utilisation
    return (f"chips allocated to inference or training / chips in service (each allocated "
            f"chip runs at the {load:.0%} target load); see Utilisation")


def _headline_items(result: PlanResult, inp: PlanInput) -> list[tuple]:
    """(label, value, format, note) of each headline figure."""
    rate = inp.settings.discount_rate_per_year
    cf, costs = result.cashflow, result.costs
    capital, operating = sum(metrics.capex(r) for r in cf), sum(metrics.opex(r) for r in cf)
    resale = sum(r.resale_usd for r in cf)
    return [
        ("Total cost of ownership, NPV (USD)", costs.cost_of_ownership_usd, USD,
         (f"real money discounted at {rate:.1%} a year; "
          f"{'' if costs.tax_basis == 'pre-tax' else 'after tax; '}"
          f"{BASIS_WORDS[costs.cost_basis]}; excludes penalties")),
        *[(f"Penalty: {label}, NPV (USD)", value, USD,
           "a price the optimizer puts on a shortfall (Settings), not cash")
          for label, value in costs.penalties()],
        *([("Carbon cost, NPV (USD)", costs.carbon_cost_usd, USD,
            ("emissions x the internal carbon price (Settings): a priced externality, not "
            "cash unless paid as a tax; not in the cost of ownership"))]
          if result.emissions or costs.carbon_cost_usd else []),
        ("Objective: cost of ownership + penalties + carbon cost, NPV (USD)",
         costs.objective_usd, USD, "what the optimizer minimises"),
        ("Share of inference demand met", 1.0 - result.unmet_demand_share, PCT,
         "tokens served / tokens demanded, all workloads and quarters"),
        ("Average chip utilisation", average_utilisation(result), PCT,
         _utilisation_note(inp)),
        ("Chips bought", sum(p.quantity for p in result.purchases), INT,
         f"{len(result.purchases)} purchase line(s)"),
        ("Capital spend (USD, undiscounted)", capital, USD, "chip purchases and site expansions"),
        ("Operating spend (USD, undiscounted)", operating, USD,
         "rental, power, API tokens, software stacks"),
        ("Resale proceeds (USD, undiscounted)", resale, USD,
         "chips sold before the end of their life"),
        ("Net cash spend (USD, undiscounted)", capital + operating - resale, USD,
         "capital + operating - resale proceeds: the cash the plan pays out"),
        ("Residual value at the end (USD)", sum(r.residual_credit_usd for r in cf), USD,
         ("credit for chips still owned after the horizon (market value on the cash basis, "
         "book value on cash_book, none on the annuity basis): not cash")),
        ("Capital charge in the cost of ownership (USD, undiscounted)",
         sum(r.capital_cost_usd for r in cf), USD,
         "annuity basis: CRF x price per chip-quarter in service; cash bases: the purchases"),
        ("Operating cost, P&L basis (USD)", total_operating_cost(result, inp), USD,
         "depreciation in place of purchases; see P&L"),
    ]


def basis_sentence(result: PlanResult, inp: PlanInput) -> str:
    """The Summary's sentence on the tax basis of every figure."""
    rate = inp.settings.discount_rate_per_year
    if result.tax_basis == "pre-tax":
        return ("Basis: pre-tax. No tax_rate is set, so owning and renting are compared "
                "before tax; a finance team decides after tax (Settings tax_rate, "
                "docs/model.md, After tax).")
    return (f"Basis: {result.tax_basis}; the {rate:.1%} discount rate is an after-tax rate. "
            "Operating costs count net of tax, purchases less the PV of their depreciation "
            "tax shields, resale gains taxed against tax book value; penalties stay pre-tax "
            "prices.")


def _headline(ws, row: int, result: PlanResult, inp: PlanInput) -> int:
    row = _section(ws, row, "Headline figures")
    put(ws, row, 1, basis_sentence(result, inp), font=BOLD)
    row += 1
    for label, value, fmt, note in _headline_items(result, inp):
        put(ws, row, 1, label)
        put(ws, row, 2, value, fmt, font=BOLD)
        put(ws, row, 3, note, font=NOTE).alignment = INDENT
        row += 1
    return row


def _emissions(ws, row: int, result: PlanResult, inp: PlanInput) -> int:
    """Total emissions, intensity per million tokens, the carbon cost and the caps, in
    sentences (nothing without carbon inputs)."""
    lines = emissions.summary_lines(result, inp)
    if not lines:
        return row - 1
    row = _section(ws, row, "Emissions (tCO2e; see the Emissions sheet)")
    for line in lines:
        put(ws, row, 1, line)
        row += 1
    for line in emissions.NOTES:
        put(ws, row, 1, line, font=NOTE)
        row += 1
    return row


def _spend_by_year(ws, row: int, result: PlanResult, inp: PlanInput) -> int:
    row = _section(ws, row, "Spend per year (undiscounted USD; capital = chips + expansions; "
                            "operating = rental + power + API + stacks)")
    years = metrics.spend_by_year(result, inp)
    budgets = bool(inp.budgets)
    headers = YEAR_HEADERS + (BUDGET_HEADERS if budgets else [])
    for j, name in enumerate(headers, start=1):
        header_cell(ws, row, j, name, numeric=j > 1)
    row += 1
    first = row
    for y in years:
        values = [y.year, y.capex_usd, y.opex_usd, y.resale_usd, y.net_cash_usd, y.residual_usd,
                  y.discounted_usd]
        if budgets:
            values += [y.capex_budget_usd, y.opex_budget_usd]
        for j, value in enumerate(values, start=1):
            put(ws, row, j, value, USD)
        row += 1
    if row > first:
        put(ws, row, 1, "TOTAL", font=BOLD).border = TOP_BORDER
        for j in range(2, len(YEAR_HEADERS) + 1):
            col = get_column_letter(j)
            put_formula(ws, row, j, f"=SUM({col}{first}:{col}{row - 1})", USD,
                        font=BOLD).border = TOP_BORDER
        row += 1
    for line in YEAR_NOTES:
        put(ws, row, 1, line, font=NOTE)
        row += 1
    return row


def _cost_per_token(ws, row: int, result: PlanResult, inp: PlanInput) -> int:
    ws.row_breaks.append(Break(id=row - 1))  # the table and its method on one page
    row = _section(ws, row, "Cost per million tokens by workload (undiscounted USD, "
                            f"{units.usd_per_mtok_label(PO)} and {units.usd_per_mtok_label(OUT)}; "
                            "per year on UnitEconomics)")
    for j, name in enumerate(COST_HEADERS, start=1):
        header_cell(ws, row, j, name, numeric=j > 2)
    row += 1
    users, unallocated = metrics.cost_per_user(result, inp)
    for u in users:
        values = [u.user, u.kind, u.served_tokens / 1e6 if u.kind == "inference" else None,
                  u.met_share, u.cost_usd, u.usd_per_million_tokens,
                  metrics.usd_per_million_output_tokens(u, inp)]
        for j, (value, fmt) in enumerate(zip(values, [None, None, USD, PCT, USD, USD_PER_MTOK,
                                                      USD_PER_MTOK]), start=1):
            put(ws, row, j, value, fmt)
        row += 1
    if abs(unallocated) > 0.5:
        put(ws, row, 1, "not allocated (no chip in use)")
        put(ws, row, 5, unallocated, USD)
        row += 1
    for line in metrics.COST_METHOD + _unit_notes():
        put(ws, row, 1, line, font=NOTE)
        row += 1
    return row


def _unit_notes() -> tuple[str, ...]:
    return tuple(f"Tokens: {units.DEFINITIONS[b]}." for b in units.BASES)


def _alternatives(ws, row: int, result: PlanResult, inp: PlanInput) -> int:
    """Each workload's cost per million tokens beside renting and buying from an API."""
    rows = alternatives.alternatives(result, inp)
    if not rows:
        return row
    row = _section(ws, row, "What owning saves: the plan against renting the cheapest chip "
                            "and buying from an API (" + units.usd_per_mtok_label(PO) + ")")
    for j, name in enumerate(ALTERNATIVE_HEADERS, start=1):
        header_cell(ws, row, j, name, numeric=j not in (1, 3, 5, 7))
    row += 1
    fmts = [None, USD_PER_MTOK, None, USD_PER_MTOK, None, PCT, None, USD_PER_MTOK, PCT]
    for a in rows:
        values = [a.workload, a.plan_usd_per_mtok, a.rent_chip or "no chip to rent",
                  a.rent_usd_per_mtok, a.rent_source, a.saving_vs_rent,
                  a.api_offering or "no API offered", a.api_usd_per_mtok, a.saving_vs_api]
        for j, (value, fmt) in enumerate(zip(values, fmts), start=1):
            put(ws, row, j, value, fmt)
        row += 1
    for line in alternatives.METHOD:
        put(ws, row, 1, line, font=NOTE)
        row += 1
    return row


def _table(ws, row: int, table) -> int:
    """A small table written into the Summary at ``row``: its header, then its rows."""
    for j, column in enumerate(table.columns, start=1):
        header_cell(ws, row, j, column.name, numeric=column.fmt is not None)
    row += 1
    for record in table.rows:
        for j, (value, column) in enumerate(zip(record, table.columns), start=1):
            put(ws, row, j, "" if value is None else value, column.fmt)
        row += 1
    return row


def _mix_saving(ws, row: int, result: PlanResult) -> int:
    """The plan against the best single-chip-type plan, per type and per workload."""
    lines = mix_saving.section_lines(result)
    if not lines:
        return row
    row = _section(ws, row, "What mixing chip types saves: the plan against the best plan "
                            f"with a single chip type ({mix_saving.SCOPE}; "
                            f"{result.single_type.basis})")
    for line in lines:
        put(ws, row, 1, line, font=BOLD)
        row += 1
    row = _table(ws, row, mix_saving.options_table(result))
    if result.single_type.per_workload:
        row = _table(ws, row + 1, mix_saving.per_workload_table(result))
    for line in mix_saving.notes(result):
        put(ws, row, 1, line, font=NOTE)
        row += 1
    return row


BUY_RENT_HEADERS = ["chip", "purchase_usd", "rent_usd_per_chip_hour", "life_quarters",
                    "pre_tax_break_even_utilisation", "after_tax_break_even_utilisation",
                    "after_tax_months_of_renting_to_buy"]


def _buy_or_rent(ws, row: int, inp: PlanInput) -> int:
    """Per chip, the utilisation (and months of renting) at which buying wins."""
    rows = breakeven.buy_or_rent(inp)
    if not rows:
        return row
    row = _section(ws, row, "Buy or rent: the utilisation above which buying one chip "
                            "wins, before and after tax")
    for j, name in enumerate(BUY_RENT_HEADERS, start=1):
        header_cell(ws, row, j, name, numeric=j > 1)
    row += 1
    for b in rows:
        values = [b.chip, b.purchase_usd, b.rent_usd_per_hour, b.life_quarters,
                  b.pre_tax_break_even, b.after_tax_break_even, b.after_tax_months]
        for j, (value, fmt) in enumerate(zip(values, [None, USD, USD_RATE, INT, PCT, PCT,
                                                      NUM1]), start=1):
            put(ws, row, j, "" if value is None else value, fmt)
        row += 1
    for line in breakeven.METHOD:
        put(ws, row, 1, line, font=NOTE)
        row += 1
    return row


def _constraints(ws, row: int, result: PlanResult) -> int:
    """The few binding constraints worth most, in words (all are on Diagnostics)."""
    top = sorted(result.diagnostics, key=lambda d: -abs(d.shadow_price_usd))[:5]
    if not top:
        return row
    row = _section(ws, row, "What limits the plan (largest savings per unit relaxed; "
                            "all on Diagnostics)")
    for d in top:
        text = d.message or (f"{d.constraint} at {d.where} in {d.quarter}: one more {d.unit} "
                             f"would save ${d.shadow_price_usd:,.2f} (NPV)")
        put(ws, row, 1, text)
        row += 1
    return row + 1


def _run(ws, row: int, result: PlanResult, info: dict) -> int:
    row = _section(ws, row, "Run")
    s = result.solver
    items = [
        ("Input file", info["input_file"], None), ("Input SHA-256", info["input_sha256"], None),
        ("Planner version", info["planner_version"], None),
        ("Started at", info["started_at"], None), ("Run time (s)", info["run_seconds"], SECONDS),
        ("Solver", s.solver, None), ("Solver status", s.status, None),
        ("Solver termination", s.termination, None),
        ("Objective incl. penalty, NPV (USD)", s.objective_usd, USD),
        ("Best bound, NPV (USD)", s.best_bound_usd, USD), ("Relative gap", s.gap, PCT2),
        ("Solve time (s)", s.solve_seconds, SECONDS),
    ]
    for label, value, fmt in items:
        put(ws, row, 1, label)
        put(ws, row, 2, "" if value is None else value, fmt).alignment = LEFT
        row += 1
    return row


def build(wb, result: PlanResult, inp: PlanInput, info: dict):
    """Create the Summary sheet (the workbook's first)."""
    ws = wb.create_sheet("Summary", 0)
    periods = result.periods or [str(q) for q in inp.periods]
    title = "Accelerator plan"
    if periods:
        title += f": {periods[0]}–{periods[-1]} ({len(periods)} quarters)"
    if result.preface:
        title = "Hedged " + title[0].lower() + title[1:]
    put(ws, 1, 1, title, font=TITLE)
    row = 2
    for line in result.preface:
        put(ws, row, 1, line, font=BOLD)
        row += 1
    row = _status(ws, row, result, inp) + 1
    row = _section(ws, row, "Recommendation")
    for sentence in recommend.sentences(result, inp):
        put(ws, row, 1, sentence)
        row += 1
    if result.solver.status != Status.ERROR:  # without a plan there are no figures to show
        row = _headline(ws, row + 1, result, inp)
        row = _emissions(ws, row + 1, result, inp)
        row = _spend_by_year(ws, row + 1, result, inp)
        row = _cost_per_token(ws, row + 1, result, inp)
        row = _alternatives(ws, row + 1, result, inp)
        row = _mix_saving(ws, row + 1, result)
        row = _buy_or_rent(ws, row + 1, inp)
    row = _constraints(ws, row + 1, result)
    _run(ws, row, result, info)
    set_widths(ws, {1: 44, 2: 20, 3: 20, 4: 20, 5: 20, 6: 24, 7: 22, 8: 22, 9: 24})
    print_setup(ws, repeat_header=False)
    return ws
