"""The Summary: red warnings at the top when they apply, the plan in sentences, figures."""

from __future__ import annotations

import openpyxl
import pytest
from report_fixtures import make_plan

from planner.report import metrics, recommend, write_report

RED = "C00000"


def summary_lines(tmp_path, **kw):
    result, inp = make_plan(**kw)
    path = write_report(result, inp, tmp_path / "plan.xlsx",
                        run_info={"planner_version": "9.9.9", "run_seconds": 4.5,
                                  "started_at": "2026-03-01T09:00:00"})
    ws = openpyxl.load_workbook(path)["Summary"]
    return ws, [ws.cell(r, 1) for r in range(1, ws.max_row + 1)]


def red_lines(cells) -> list[str]:
    return [c.value for c in cells[:6] if c.value and c.font.b and c.font.color is not None
            and str(c.font.color.rgb).endswith(RED)]


def test_optimal_plan_meeting_demand_has_no_warning(tmp_path):
    ws, cells = summary_lines(tmp_path)
    assert red_lines(cells) == []
    assert cells[1].value.startswith("Plan is proven optimal")
    assert ws.title == "Summary"


def test_unmet_demand_is_warned_in_red_at_the_top(tmp_path):
    _, cells = summary_lines(tmp_path, unmet=True)
    lines = red_lines(cells)
    assert lines[0] == "WARNING: 4.7% of demand is not met — see Capacity."
    assert cells[1].value == lines[0]  # right under the title
    # then one line per year short, with its amount and penalty (all of it in 2028 here)
    result, _inp = make_plan(unmet=True)
    unmet = sum(c.unmet_tokens_per_day for c in result.capacity if c.quarter.startswith("2028"))
    demand = sum(c.demand_tokens_per_day for c in result.capacity
                 if c.quarter.startswith("2028"))
    million = unmet * (8766 / 4 / 24) / 1e6   # tokens/day x days per quarter, summed
    assert lines[1:] == [
        (f"WARNING: 2028: {million:,.0f} million tokens of inference demand not met "
        f"({unmet / demand:.1%} of the year's demand), penalty "
        f"${million * 100 / 1e6:,.2f} million undiscounted — see Capacity.")]


def test_time_limit_is_warned_in_red(tmp_path):
    _, cells = summary_lines(tmp_path, termination="time_limit", status="warning", gap=0.014)
    assert red_lines(cells) == [
        ("WARNING: solver stopped at its time limit (120 s); plan is not proven optimal: "
        "within 1.40% of the best bound; 0.10% requested.")]


def test_warning_status_without_time_limit_is_warned(tmp_path):
    _, cells = summary_lines(tmp_path, termination="not_solved", status="warning", gap=None)
    assert red_lines(cells) == [
        ("WARNING: solver ended with 'not_solved'; plan is not proven optimal: distance from "
        "the best bound unknown; 0.10% requested.")]


def test_both_warnings_and_budget_overrun(tmp_path):
    _, cells = summary_lines(tmp_path, unmet=True, termination="time_limit", status="warning",
                             extras=True, budget_capex_2027=1e6)
    lines = red_lines(cells)
    assert len(lines) == 4
    assert "time limit" in lines[0] and "not met" in lines[1] and "2028: " in lines[2]
    # $1,120,000 spent against $1,000,000: $120,000 over at $10 per $ = $1,200,000 penalty
    assert ("2027: capital spend $1,120,000 exceeds its budget $1,000,000 by $120,000; "
            "budget-overrun penalty $1,200,000 undiscounted ($10 per $ over)") in lines[3]


def test_error_plan_says_there_is_no_plan(tmp_path):
    _, cells = summary_lines(tmp_path, empty=True, status="error", termination="infeasible",
                             training=False)
    assert red_lines(cells)[0].startswith("ERROR: the solver found no plan (infeasible)")
    assert any(c.value and c.value.startswith("No plan") for c in cells)


def test_recommendation_sentences(tmp_path):
    _, cells = summary_lines(tmp_path)
    text = [c.value for c in cells if isinstance(c.value, str)]
    assert "Buy 32 H200 SXM at Site A in 2027Q3 (in service 2027Q4): $1.12 million." in text
    assert "Buy 16 H100 SXM at Site B in 2028Q1: $440,000." in text
    assert "Rent 32 H100 SXM on demand in 2027Q3: $175,320." in text
    assert "Reserve 16 H100 SXM for 2 quarters from 2028Q1 through 2028Q2: $133,243." in text
    assert "Serves all inference demand." in text
    assert any(t.startswith("Lowest-cost plan for 2027Q3–2028Q2") for t in text)


def test_consecutive_on_demand_rentals_grouped_into_a_range():
    result, inp = make_plan()
    from dataclasses import replace
    r = result.rentals[0]
    result.rentals = [replace(r, quarter=q) for q in ("2027Q3", "2027Q4", "2028Q1")]
    result.rentals.append(replace(r, quarter="2028Q2", quantity=8))
    sentences = recommend.sentences(result, inp)
    assert "Rent 32 H100 SXM on demand from 2027Q3 through 2028Q1: $525,960." in sentences
    assert "Rent 8 H100 SXM on demand in 2028Q2: $175,320." in sentences


def test_run_information_shown(tmp_path):
    ws, _ = summary_lines(tmp_path)
    pairs = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert pairs["Input file"] == "plan_inputs.xlsx"
    assert pairs["Input SHA-256"] == "ab" * 32
    assert pairs["Planner version"] == "9.9.9"
    assert pairs["Run time (s)"] == 4.5
    assert pairs["Solver termination"] == "optimal"
    assert pairs["Relative gap"] == pytest.approx(0.0004)


def test_headline_total_cost_is_npv_without_penalty(tmp_path):
    result, _ = make_plan(unmet=True)
    ws, _ = summary_lines(tmp_path, unmet=True)
    pairs = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert pairs["Total cost of ownership, NPV (USD)"] == pytest.approx(result.total_cost_usd)
    assert pairs["Share of inference demand met"] == pytest.approx(1 - result.unmet_demand_share)


@pytest.mark.parametrize("kw", [{}, {"extras": True}, {"unmet": True}])
def test_allocated_costs_add_up_to_nominal_cost(kw):
    result, inp = make_plan(**kw)
    users, unallocated = metrics.cost_per_user(result, inp)
    nominal = sum(r.cost_usd for r in result.cashflow)
    assert sum(u.cost_usd for u in users) + unallocated == pytest.approx(nominal)
    assert abs(unallocated) < 1e-6
    chat = next(u for u in users if u.user == "chat")
    assert chat.usd_per_million_tokens == pytest.approx(chat.cost_usd / chat.served_tokens * 1e6)


def test_spend_by_year_splits_capital_and_operating():
    result, inp = make_plan(extras=True)
    years = {y.year: y for y in metrics.spend_by_year(result, inp)}
    assert set(years) == {"2027", "2028"}
    assert years["2027"].capex_usd == pytest.approx(32 * 35000)
    assert years["2028"].capex_usd == pytest.approx(16 * 27500 + 150000)
    assert years["2027"].opex_usd == pytest.approx(
        sum(r.rental_usd + r.power_usd + r.api_usd + r.stack_usd
            for r in result.cashflow if r.quarter.startswith("2027")))


def test_a_run_of_quarterly_orders_becomes_one_sentence():
    from dataclasses import replace
    result, inp = make_plan()
    p = result.purchases[0]
    result.purchases = [replace(p, quarter_ordered=q, quarter_delivered=d, quantity=n,
                                total_usd=n * p.unit_price_usd)
                        for q, d, n in (("2027Q3", "2027Q4", 32), ("2027Q4", "2028Q1", 8),
                                        ("2028Q1", "2028Q2", 4))]
    sentences = recommend.sentences(result, inp)
    assert ("Buy H200 SXM at Site A every quarter from 2027Q3 through 2028Q1, 44 in all "
            "(32, 8, 4), each in service 1 quarter after ordering: $1.54 million.") in sentences


def test_headline_separates_cash_from_residual_value(tmp_path):
    """Resale is cash, residual value is not: the Summary shows them apart."""
    result, _ = make_plan(extras=True)
    ws, _ = summary_lines(tmp_path, extras=True)
    pairs = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    cf = result.cashflow
    capital = sum(r.capital_usd + r.expansion_usd for r in cf)
    operating = sum(r.rental_usd + r.power_usd + r.api_usd + r.stack_usd for r in cf)
    resale = sum(r.resale_usd for r in cf)
    assert pairs["Resale proceeds (USD, undiscounted)"] == pytest.approx(resale)
    assert pairs["Net cash spend (USD, undiscounted)"] == pytest.approx(
        capital + operating - resale)
    assert pairs["Residual value at the end (USD)"] == pytest.approx(
        sum(r.residual_credit_usd for r in cf))
    assert pairs["Operating cost, P&L basis (USD)"] > 0


def test_spend_per_year_columns_and_total_equal_tco(tmp_path):
    from report_fixtures import evaluate

    result, _ = make_plan(extras=True)
    ws, cells = summary_lines(tmp_path, extras=True)
    header = next(c.row for c in cells if c.value == "year")
    names = [ws.cell(header, j).value for j in range(1, 10)]
    assert names == ["year", "capital_usd", "operating_usd", "resale_usd", "net_cash_usd",
                     "residual_value_usd", "discounted_cost_usd", "capital_budget_usd",
                     "operating_budget_usd"]
    total = next(c.row for c in cells if c.value == "TOTAL")
    assert evaluate(ws, ws.cell(total, 7).value) == pytest.approx(result.total_cost_usd)
    assert ws.cell(total + 1, 1).value.startswith("net_cash_usd = capital + operating")


def test_sales_say_when_the_chips_were_bought():
    result, inp = make_plan(extras=True)
    sentences = recommend.sentences(result, inp)
    assert ("Sell 8 H100 SXM bought in 2026Q1 (before the plan) from Site B in 2028Q1: "
            "$92,950 back.") in sentences
    assert "Sell 4 H100 SXM bought in 2028Q1 from Site B in 2028Q2: $80,000 back." in sentences
