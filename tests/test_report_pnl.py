"""P&L: straight-line depreciation of purchases, gains on resale against book value,
expansions written off over the horizon, formulas that add up, cash reconciled."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest
from report_fixtures import H100, H200, PRICE, QUARTERS, SITE_A, evaluate, make_plan

from planner.domain import PurchaseRow
from planner.report import write_csv, write_report
from planner.report.pnl import ledger, life_quarters, pnl_table

HEAD = ["quarter", "depreciation_chips_usd", "depreciation_expansions_usd", "rental_usd",
        "power_usd", "api_usd", "stack_usd", "resale_proceeds_usd", "book_value_sold_usd",
        "gain_on_resale_usd", "total_operating_cost_usd", "capital_spent_usd"]
COL = {name: i for i, name in enumerate(HEAD, start=1)}


def _one_purchase(**chip_terms):
    """8 chips x $30,000 delivered in the first quarter, nothing else bought or sold."""
    result, inp = make_plan()
    result.purchases = [PurchaseRow(H100, SITE_A, "2027Q3", "2027Q3", 8, 30000.0, 240000.0)]
    if chip_terms:
        chips = tuple(dataclasses.replace(c, **chip_terms) if c.chip == H100 else c
                      for c in inp.chips)
        inp = dataclasses.replace(inp, chips=chips)
    return result, inp


def _sheet(result, inp, tmp_path):
    path = write_report(result, inp, tmp_path / "plan.xlsx")
    return openpyxl.load_workbook(path)["P&L"]


def _label_row(ws, label: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)


def test_hand_built_purchase_depreciates_12000_a_quarter(tmp_path):
    result, inp = _one_purchase()
    book = ledger(result, inp)
    assert [book.depreciation_chips[q] for q in QUARTERS] == [12000.0] * 4
    assert book.closing_book_value == pytest.approx(240000 - 4 * 12000)
    ws = _sheet(result, inp, tmp_path)
    assert [ws.cell(r, 2).value for r in range(2, 6)] == [12000.0] * 4
    total = _label_row(ws, "TOTAL")
    assert ws.cell(total, 2).value == "=SUM(B2:B5)"
    assert evaluate(ws, ws.cell(total, 2).value) == pytest.approx(48000)


def test_life_is_rounded_to_quarters_and_depreciation_stops_at_its_end():
    assert life_quarters(5) == 20 and life_quarters(0.1) == 1 and life_quarters(0.6) == 2
    result, inp = _one_purchase(lifetime_years=0.6)  # 2 quarters
    book = ledger(result, inp)
    assert [book.depreciation_chips.get(q, 0.0) for q in QUARTERS] == [120000.0, 120000.0,
                                                                       0.0, 0.0]
    assert book.closing_book_value == 0.0


def test_sales_leave_the_books_at_book_value():
    result, inp = make_plan(extras=True)
    book = ledger(result, inp)
    per_h100 = PRICE[H100] / 20
    # 32 H200 from 2027Q4; 16 H100 from 2028Q1, 4 of them sold at the start of 2028Q2
    assert [book.depreciation_chips.get(q, 0.0) for q in QUARTERS] == pytest.approx(
        [0.0, 32 * PRICE[H200] / 20, 32 * PRICE[H200] / 20 + 16 * per_h100,
         32 * PRICE[H200] / 20 + 12 * per_h100])
    assert book.book_value_sold["2028Q2"] == pytest.approx(4 * PRICE[H100] * 19 / 20)
    assert book.proceeds["2028Q2"] == pytest.approx(80000)
    # the existing chips sold in 2028Q1 carry no book value: all of it is gain
    assert book.book_value_sold.get("2028Q1", 0.0) == 0.0
    assert book.proceeds["2028Q1"] == pytest.approx(8 * PRICE[H100] * 0.65 ** 2)
    # the expansion available in the last quarter is written off there
    assert dict(book.depreciation_expansions) == {"2028Q2": 150000.0}
    assert book.closing_book_value == pytest.approx(
        32 * PRICE[H200] * 17 / 20 + 12 * PRICE[H100] * 18 / 20)


def test_expansion_is_spread_from_the_quarter_available():
    result, inp = make_plan(extras=True)
    result.expansions = [dataclasses.replace(result.expansions[0], quarter_available="2027Q4")]
    book = ledger(result, inp)
    assert [book.depreciation_expansions.get(q, 0.0) for q in QUARTERS] == [0.0, 50000.0,
                                                                           50000.0, 50000.0]


@pytest.fixture(scope="module", params=[{}, {"extras": True}, {"unmet": True}])
def case(request, tmp_path_factory):
    result, inp = make_plan(**request.param)
    path = write_report(result, inp, tmp_path_factory.mktemp("pnl") / "plan.xlsx")
    return openpyxl.load_workbook(path)["P&L"], result, inp


def test_tidy_table_with_row_formulas(case):
    ws, result, inp = case
    assert [c.value for c in ws[1]] == HEAD
    assert ws.tables["tbl_pnl"].ref == f"A1:L{1 + len(QUARTERS)}"
    rows = pnl_table(result, inp).rows
    for r, row in enumerate(rows, start=2):
        gain, total = ws.cell(r, COL["gain_on_resale_usd"]), ws.cell(r, COL["total_operating_cost_usd"])
        assert gain.value == f"=H{r}-I{r}" and total.value == f"=SUM(B{r}:G{r})-J{r}"
        assert evaluate(ws, gain.value) == pytest.approx(row[9])
        assert evaluate(ws, total.value) == pytest.approx(row[10])
        assert ws.cell(r, COL["capital_spent_usd"]).value == pytest.approx(row[11])


def test_totals_and_years_are_formulas_that_add_up(case):
    ws, result, inp = case
    rows = pnl_table(result, inp).rows
    total = _label_row(ws, "TOTAL")
    for name, col in COL.items():
        if name != "quarter":
            assert ws.cell(total, col).value.startswith("=SUM(")
            assert evaluate(ws, ws.cell(total, col).value) == pytest.approx(
                sum(r[col - 1] for r in rows))
    header = _label_row(ws, "year")
    years = {ws.cell(r, 1).value: r for r in range(header + 1, header + 3)}
    assert set(years) == {"2027", "2028"}
    k = COL["total_operating_cost_usd"]
    assert evaluate(ws, ws.cell(years["2027"], k).value) == pytest.approx(
        sum(r[k - 1] for r in rows if r[0].startswith("2027")))


def test_roll_forward_ends_at_the_book_value_the_optimizer_credits(case):
    ws, result, inp = case
    end = _label_row(ws, "Book value carried past the horizon")
    closing = evaluate(ws, ws.cell(end, 12).value)
    assert closing == pytest.approx(ledger(result, inp).closing_book_value)
    if not result.retirements:  # with no existing chips sold, exactly the residual credit
        assert closing == pytest.approx(sum(r.residual_credit_usd for r in result.cashflow))


def test_pnl_total_reconciles_with_cash(case):
    """Over the horizon: P&L cost = cash out (capital + operating - resale) - book value
    carried past the horizon."""
    _, result, inp = case
    rows = pnl_table(result, inp).rows
    cash = sum(r.capital_usd + r.expansion_usd + r.rental_usd + r.power_usd + r.api_usd
               + r.stack_usd - r.resale_usd for r in result.cashflow)
    assert sum(r[10] for r in rows) == pytest.approx(
        cash - ledger(result, inp).closing_book_value)


def test_csv_holds_the_numbers(tmp_path):
    result, inp = make_plan(extras=True)
    write_csv(result, inp, tmp_path)
    import csv
    with open(tmp_path / "pnl.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEAD
    assert [float(v) for v in rows[-1][1:]] == pytest.approx(list(pnl_table(result, inp).rows[-1][1:]))


def test_error_plan_has_an_empty_pnl(tmp_path):
    result, inp = make_plan(empty=True, status="error", termination="infeasible", training=False)
    result.cashflow = []
    ws = _sheet(result, inp, tmp_path)
    assert [c.value for c in ws[1]] == HEAD and not ws.tables
    assert ws["A2"].value.startswith("No P&L")


def test_pnl_of_a_solved_plan_with_a_sale():
    """The optimizer's own plan (tests/test_optimize_features.py): ten A ($10,000, two-year
    life) bought in 2027Q1 and sold at their first anniversary for $6,500 each.  Book value
    then: half the price, so a $1,500 gain a chip; nothing is left on the books, as the
    optimizer's residual credit says."""
    from optimize_fixtures import chip_a, chip_b, instance

    from planner.optimize import solve_plan

    demand = (864e6,) * 4 + (0.0,) * 4
    inp, throughput = instance(chips=[chip_a(lifetime_years=2), chip_b()], demand=demand)
    result = solve_plan(inp, throughput, None)
    assert [(x.quarter, x.quantity) for x in result.retirements] == [("2028Q1", 10)]
    book = ledger(result, inp)
    assert sum(book.depreciation_chips.values()) == pytest.approx(4 * 10 * 10_000 / 8)
    assert book.book_value_sold == {"2028Q1": pytest.approx(10 * 5_000)}
    assert book.proceeds["2028Q1"] == pytest.approx(10 * 6_500)
    assert book.closing_book_value == pytest.approx(0.0)
    assert sum(r.residual_credit_usd for r in result.cashflow) == pytest.approx(0.0, abs=1e-6)


def test_closing_book_value_is_the_optimizers_residual_credit():
    """Ten A ordered in 2027Q1 with a quarter's lead time: half their life left at the end.
    On the cash_book basis the optimizer credits that book value; the P&L's closing book
    value is the same number (on every basis the P&L keeps book depreciation)."""
    from optimize_fixtures import chip_a, chip_b, instance, with_settings

    from planner.optimize import solve_plan

    inp, throughput = instance(chips=[chip_a(lead_time_quarters=1), chip_b()],
                               demand=(864e6, 864e6))
    inp = with_settings(inp, cost_basis="cash_book")
    result = solve_plan(inp, throughput, None)
    residual = sum(r.residual_credit_usd for r in result.cashflow)
    assert residual > 0
    assert ledger(result, inp).closing_book_value == pytest.approx(residual)
