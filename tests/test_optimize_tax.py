"""After-tax economics (issue 21): known answers worked by hand, and the pre-tax model
left exactly as it was without a tax rate."""

from __future__ import annotations

from dataclasses import replace

import pulp
import pytest
from optimize_fixtures import chip_a, chip_b, instance, with_settings

from planner.domain import Budget, ExistingChips, Expansion, Quarter
from planner.optimize import solve_plan
from planner.optimize.cost_terms import cost_terms
from planner.optimize.parameters import prepare
from planner.optimize.tax import TAX_CATEGORIES
from planner.optimize.variables import define_variables

MACRS5 = (0.20, 0.32, 0.192, 0.1152, 0.1152, 0.0576)  # IRS Publication 946, Table A-1


def _buy_or_rent(rent_usd_per_hour: float, tax_rate: float | None, basis: str = "cash"):
    """One chip A ($10,000, 5-year life, 1 kW, free electricity) that can be bought only
    in the first quarter, or rented at ``rent_usd_per_hour``; demand of exactly one chip
    for the 20 quarters of its life; cash basis, 8 %/year, no early sales."""
    chip = chip_a(lifetime_years=5, rent_usd_per_chip_hour=rent_usd_per_hour,
                  available_until=Quarter(2027, 1))
    inp, tp = instance(chips=[chip], demand=(86.4e6,) * 20)
    inp = replace(inp, sites=(replace(inp.sites[0], electricity_usd_per_kwh=0.0),))
    inp = with_settings(inp, discount_rate_per_year=0.08, cost_basis=basis,
                        allow_early_retirement=False, tax_rate=tax_rate)
    return solve_plan(inp, tp, diagnose=False)


def _break_even() -> tuple[float, float]:
    """Worked by hand.  d_t = 1.08^(-(t + 0.5)/4), t = 0..19 (mid-quarter):
    A = sum d_t = 16.6012.  MACRS deductions per quarter D_t = share of year t // 4 / 4
    (5%, 8%, 4.8%, 2.88%, 2.88% a quarter in years 1-5); the 5.76% of year 6 is written
    off when the chip retires, in quarter 19.  S = sum d_t D_t = 0.84520.

    Pre-tax, buying costs P d_0 = $10,000 x 0.990426 = $9,904.26 and renting h x 2,000 h
    x A: break-even h0 = 9,904.26 / 33,202.4 = $0.29830/h.
    After tax at tau = 25 %: buying costs P d_0 - tau P S = 9,904.26 - 2,113.00 =
    $7,791.26; renting (1 - tau) h 2,000 A: break-even h* = 7,791.26 / 24,901.8 =
    $0.31288/h.  Between the two, pre-tax buys and after-tax rents."""
    d = [1.08 ** (-(t + 0.5) / 4) for t in range(20)]
    deductions = [MACRS5[t // 4] / 4 for t in range(20)]
    deductions[19] += MACRS5[5]
    a, s = sum(d), sum(x * y for x, y in zip(d, deductions))
    assert (a, s) == pytest.approx((16.6012, 0.84520), abs=1e-4)
    pre = 10_000 * d[0] / (2000 * a)
    after = (10_000 * d[0] - 0.25 * 10_000 * s) / (0.75 * 2000 * a)
    assert (pre, after) == pytest.approx((0.29830, 0.31288), abs=1e-5)
    return pre, after


def _bought(r) -> int:
    return sum(p.quantity for p in r.purchases)


@pytest.mark.parametrize("side", [-1, 1])
def test_after_tax_buy_or_rent_flips_exactly_at_the_hand_computed_break_even(side):
    """Just above the after-tax break-even h* (0.01% more) buying wins, just below it
    renting wins; the after-tax cost of ownership is what the docstring of _break_even
    says each choice costs."""
    _pre, after = _break_even()
    rent = after * (1 + side * 1e-4)
    r = _buy_or_rent(rent, 0.25)
    a = sum(1.08 ** (-(t + 0.5) / 4) for t in range(20))
    if side > 0:
        assert _bought(r) == 1 and not r.rentals
        assert r.costs.cost_of_ownership_usd == pytest.approx(0.75 * 2000 * a * after, rel=1e-6)
    else:
        assert _bought(r) == 0 and sum(x.quantity for x in r.rentals) == 20
        assert r.costs.cost_of_ownership_usd == pytest.approx(0.75 * 2000 * a * rent, rel=1e-6)


@pytest.mark.parametrize("side", [-1, 1])
def test_the_annuity_charge_on_the_after_tax_net_cost_flips_one_quarter_later(side):
    """Annuity basis: the chip is charged CRF x NC per quarter in service, NC = P (1 -
    f_shield), f_shield = sum_j tau D_j v^j (shields discounted to delivery).  The
    charges are in arrears (sum_j d_j CRF = (1+i)^(1/2), against d_0 = (1+i)^(-1/2) for the
    cash paid), so owning costs (1 + i) times its cash-basis cost and the break-even rent
    is h* x (1 + i), i = 1.08^(1/4) - 1 = 1.9427%: $0.31896/h."""
    _pre, after = _break_even()
    annuity = after * 1.08 ** 0.25
    assert annuity == pytest.approx(0.31896, abs=1e-5)
    r = _buy_or_rent(annuity * (1 + side * 1e-4), 0.25, "annuity")
    assert _bought(r) == (1 if side > 0 else 0)


def test_pre_tax_and_after_tax_answers_differ_between_the_break_evens():
    """At $0.305/h (between h0 = $0.2983 and h* = $0.3129) the pre-tax plan buys and the
    after-tax plan rents: rent is deducted as it is paid, the price only as it is
    depreciated."""
    pre, after = _break_even()
    assert pre < 0.305 < after
    assert _bought(_buy_or_rent(0.305, None)) == 1
    assert _bought(_buy_or_rent(0.305, 0.25)) == 0


def _financed(basis: str = "cash"):
    """Chip A ($10,000, 5-year life) 80% financed at 10%/year over 2 years, level
    payments; needed for the first 4 quarters of an 8-quarter plan, so it is bought in
    quarter 0 and sold at its first anniversary (quarter 4)."""
    chip = chip_a(lifetime_years=5, financed_share=0.8, loan_rate_per_year=0.10,
                  loan_term_years=2.0)
    inp, tp = instance(chips=[chip], demand=(86.4e6,) * 4 + (0.0,) * 4)
    inp = with_settings(inp, discount_rate_per_year=0.08, cost_basis=basis, tax_rate=0.25)
    return solve_plan(inp, tp, diagnose=False)


def test_financed_purchase_matches_a_hand_built_amortisation_table():
    """Loan L = 0.8 x $10,000 = $8,000; quarterly rate i = 1.1^(1/4) - 1 = 2.4114%;
    8 level payments of L i / (1 - (1+i)^-8) = 192.91 / 0.173555 = $1,111.53.  Table (interest = i x balance
    before; balance after = before - (payment - interest)):

        q1: interest 192.91 (= 8,000 x 2.4114%), balance 8,000 - 918.62 = 7,081.38
        q2: interest 170.76, balance 6,140.62
        q3: interest 148.07, balance 5,177.16
        q4: interest 124.84, balance 4,190.48  <- repaid at the sale in quarter 4

    CashFlow: financing = -8,000 in q0, 1,111.53 in q1-q3, 1,111.53 + 4,190.48 in q4,
    nothing after; interest tax shield = -25% x interest in q1-q4."""
    i = 1.1 ** 0.25 - 1
    pay = 8_000 * i / (1 - (1 + i) ** -8)
    assert pay == pytest.approx(1_111.53, abs=0.01)
    balance, table = 8_000.0, []
    for _q in range(4):
        interest = i * balance
        balance -= pay - interest
        table.append((interest, balance))
    assert [round(x, 2) for x, _ in table] == [192.91, 170.76, 148.07, 124.84]
    assert [round(b, 2) for _, b in table] == [7_081.38, 6_140.62, 5_177.16, 4_190.48]
    r = _financed()
    assert [(p.quarter_ordered, p.quantity) for p in r.purchases] == [("2027Q1", 1)]
    assert [(s.quarter, s.quantity) for s in r.retirements] == [("2028Q1", 1)]
    cf = r.cashflow
    assert [c.financing_usd for c in cf] == pytest.approx(
        [-8_000, pay, pay, pay, pay + table[3][1], 0, 0, 0], abs=1e-6)
    assert [c.tax_interest_usd for c in cf] == pytest.approx(
        [0.0] + [-0.25 * x for x, _ in table] + [0.0] * 3, abs=1e-6)
    assert cf[0].capital_usd == pytest.approx(10_000)  # the budgets see the whole price


def test_a_loan_at_the_discount_rate_costs_what_cash_costs_before_tax():
    """Without tax, borrowing at the plan's own discount rate changes when cash goes out
    but not its present value: the loan's payments and the balance still owed at the end
    discount back to the amount borrowed, so the cost of ownership is the same."""
    inp, tp = instance(chips=[chip_a(lifetime_years=5)], demand=(86.4e6,) * 6)
    for basis in ("cash", "annuity"):
        base = with_settings(inp, discount_rate_per_year=0.08, cost_basis=basis)
        loan = replace(base, chips=(chip_a(lifetime_years=5, financed_share=0.6,
                                           loan_rate_per_year=0.08, loan_term_years=1.0),))
        a, b = solve_plan(base, tp, diagnose=False), solve_plan(loan, tp, diagnose=False)
        assert b.costs.cost_of_ownership_usd == pytest.approx(a.costs.cost_of_ownership_usd,
                                                              rel=1e-9)
        assert sum(c.financing_usd for c in b.cashflow) != 0.0


def _rich_instance(basis: str):
    """Chips A (buy) and B (rent), an existing cohort of A, an expansion, growing then
    falling demand (so chips are bought and sold), a budget: every cost term in play."""
    inp, tp = instance(chips=[chip_a(lifetime_years=2), chip_b()],
                       demand=(86.4e6, 300e6, 500e6, 700e6, 600e6, 200e6, 100e6, 100e6),
                       power_cap_kw=6.0)
    inp = replace(inp, existing=(ExistingChips("A", "S", 2, Quarter(2026, 3)),),
                  expansions=(Expansion("S", "hall 2", 4, 3_000),),
                  budgets=(Budget(2027, opex_usd=60_000),))
    return with_settings(inp, discount_rate_per_year=0.08, cost_basis=basis), tp


@pytest.mark.parametrize("basis", ["annuity", "cash", "cash_book"])
def test_a_zero_tax_rate_changes_no_plan_and_no_cost(basis):
    """Every after-tax term is tau x something, so at tau = 0 the after-tax model (its
    code path switched on) gives the pre-tax plan and cost on every basis, with sales,
    an existing cohort and an expansion in play."""
    inp, tp = _rich_instance(basis)
    pre = solve_plan(inp, tp, diagnose=False)
    zero = solve_plan(with_settings(inp, tax_rate=0.0), tp, diagnose=False)
    assert pre.retirements and pre.purchases  # the instance exercises sales
    assert zero.tax_basis.startswith("after tax at 0%") and pre.tax_basis == "pre-tax"
    assert zero.solver.objective_usd == pytest.approx(pre.solver.objective_usd, rel=1e-9)
    assert [(p.chip, p.quarter_ordered, p.quantity) for p in zero.purchases] == \
        [(p.chip, p.quarter_ordered, p.quantity) for p in pre.purchases]
    assert zero.retirements == pre.retirements and zero.rentals == pre.rentals


def test_without_tax_settings_the_model_gets_no_tax_term():
    """No tax rate and no loan: cost_terms adds no tax or financing category at all, so
    the objective, budgets and cash flow are built exactly as before issue 21."""
    inp, tp = _rich_instance("annuity")
    p = prepare(inp, tp)
    assert not p.tax.applies
    v = define_variables(pulp.LpProblem("x", pulp.LpMinimize), p)
    ct = cost_terms(p, v)
    assert not [k for k in ct.terms if k[0] in TAX_CATEGORIES]
    r = solve_plan(inp, tp, diagnose=False)
    assert all(c.tax_cost_usd == 0.0 and c.after_tax_net_cash_usd == c.net_cash_usd
               for c in r.cashflow)


def test_after_tax_cost_equals_the_objective_on_every_basis():
    """The CashFlow rows (pre-tax cost + tax terms, discounted) add up to the solver's
    objective with a tax rate, loans and sales in play."""
    for basis in ("annuity", "cash", "cash_book"):
        inp, tp = _rich_instance(basis)
        inp = replace(with_settings(inp, tax_rate=0.25, bonus_depreciation_share=0.4),
                      chips=(chip_a(lifetime_years=2, financed_share=0.5,
                                    loan_rate_per_year=0.06), chip_b()))
        r = solve_plan(inp, tp, diagnose=False)
        assert r.costs.objective_usd == pytest.approx(r.solver.objective_usd, rel=1e-9)
        assert any(c.tax_operating_usd < 0 for c in r.cashflow)


def test_budgets_rows_give_a_years_tax_rate_and_bonus_share():
    """Budgets 2027: tax 30 %, bonus 60 %; Settings: 21 %, no bonus.  The 2027 quarters
    take the year's values, 2028 the Settings', quarters after the horizon the last
    quarter's; a chip delivered in 2027 deducts 60 % at once, then 40 % x MACRS."""
    inp, tp = instance(chips=[chip_a(lifetime_years=5)], demand=(86.4e6,) * 8,
                       budgets=(Budget(2027, tax_rate=0.3, bonus_depreciation_share=0.6),))
    p = prepare(with_settings(inp, tax_rate=0.21), tp)
    assert p.tax.rates == (0.3,) * 4 + (0.21,) * 4 and p.tax.rate(40) == 0.21
    assert p.tax.bonus == (0.6,) * 4 + (0.0,) * 4
    d = p.tax.chip_deductions("A", 1, 20)
    assert d[0] == pytest.approx(0.6 + 0.4 * 0.2 / 4) and d[4] == pytest.approx(0.4 * 0.32 / 4)
    assert sum(d) == pytest.approx(1.0)
    assert p.tax.chip_deductions("A", 5, 20)[0] == pytest.approx(0.2 / 4)
