"""Penalties: every price of a shortfall is a Settings row, and nothing else in the
optimizer prices one (issue 14)."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import fields
from pathlib import Path

import pytest
from optimize_fixtures import chip_a, chip_b, instance, with_settings

from planner.domain import Budget, Settings
from planner.optimize import solve_plan

OPTIMIZE = Path(__file__).resolve().parents[1] / "planner" / "optimize"
PRICE_WORDS = re.compile(r"penalt|overrun|unmet|shortfall", re.IGNORECASE)
#: Unit conversions allowed beside a penalty: per million tokens, hours per day.
UNIT_CONVERSIONS = {0.0, 1.0, 24.0, 1e6}


def penalty_literals(source: str) -> list[tuple[int, str]]:
    """(line, literal) of each number on a line that speaks of a penalty, an overrun, an
    unmet quantity or a shortfall, other than a unit conversion."""
    lines = source.splitlines()
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.NUMBER:
            continue
        line = lines[tok.start[0] - 1]
        if PRICE_WORDS.search(line) and float(tok.string.replace("_", "")) not in UNIT_CONVERSIONS:
            out.append((tok.start[0], tok.string))
    return out


def test_the_scan_finds_a_hidden_price():
    """The line this test replaced (planner/optimize/parameters.py before issue 14)."""
    assert penalty_literals("    budget_overrun_penalty: float = 10.0\n") == [(1, "10.0")]
    assert penalty_literals("x = p.unmet_usd_per_token_day * 100\n") == [(1, "100")]
    assert penalty_literals("price = hours / 24.0 * s.unmet_penalty / 1e6\n") == []


@pytest.mark.parametrize("path", sorted(OPTIMIZE.glob("*.py")), ids=lambda p: p.name)
def test_no_penalty_price_hides_in_the_optimizer(path):
    assert penalty_literals(path.read_text(encoding="utf-8")) == []


def test_every_penalty_price_is_a_documented_setting():
    from planner.io.schema import SETTINGS

    names = {f.name for f in fields(Settings)}
    documented = {s.name: s.doc for s in SETTINGS}
    for name in ("unmet_penalty_usd_per_million_tokens",
                 "unmet_training_penalty_usd_per_chip_hour",
                 "budget_overrun_penalty_usd_per_usd"):
        assert name in names
        assert "Penalty" in documented[name] and "default" in documented[name]


@pytest.mark.parametrize("price", [10.0, 2.0, 0.5])
def test_overrun_price_comes_from_settings(price):
    """Rent-only chip B ($2/h x 2,000 h = $4,000 a quarter, 43.2M tokens/day): 20 B in Q1
    and 30 B in Q2 = $200,000 of 2027 opex against a $150,000 budget, so $50,000 over.
    Leaving a B-quarter of demand unmet instead would cost 43.2M x 83.33 days x $100/M =
    $360,000, more than $4,000 + $4,000 x price: the plan overruns.  Zero discount rate:
    penalty = $50,000 x price; objective = $200,000 + $50,000 x price."""
    inp, tp = instance(chips=[chip_b()], budgets=(Budget(2027, opex_usd=150_000),))
    inp = with_settings(inp, budget_overrun_penalty_usd_per_usd=price)
    r = solve_plan(inp, tp, diagnose=False)
    costs = r.costs
    assert costs.cost_of_ownership_usd == pytest.approx(200_000)
    assert costs.budget_overrun_penalty_usd == pytest.approx(50_000 * price)
    assert costs.unmet_inference_penalty_usd == pytest.approx(0.0, abs=0.01)
    assert costs.objective_usd == pytest.approx(r.solver.objective_usd)
    assert r.cashflow[-1].budget_overrun_penalty_usd == pytest.approx(50_000 * price)
    # the penalty is not cash: net cash is the rent alone
    assert sum(c.net_cash_usd for c in r.cashflow) == pytest.approx(200_000)


def _one_chip(basis: str, rate: float = 0.08):
    """Buy-only chip A ($10,000, two-year life = 8 quarters, 1 kW, 86.4M tokens/day);
    demand of one chip's worth from the second quarter of a one-year plan: one A is
    ordered in quarter q = 1 and serves quarters 1-3."""
    inp, tp = instance(chips=[chip_a(lifetime_years=2)], demand=(0.0, 86.4e6, 86.4e6, 86.4e6))
    inp = with_settings(inp, discount_rate_per_year=rate, cost_basis=basis,
                        allow_early_retirement=False)
    return solve_plan(inp, tp, diagnose=False)


def test_annuity_charges_the_capital_recovery_factor_in_service_and_credits_nothing():
    """i = 1.08^(1/4) - 1 = 0.0194265; (1 + i)^8 = 1.08^2 = 1.1664, so
    CRF = i / (1 - 1/1.1664) = 0.0194265 / 0.1426612 = 0.136172; the chip is charged
    0.136172 x $10,000 = $1,361.72 in quarters 1, 2 and 3 (in service inside the horizon),
    nothing in quarter 0, and nothing is credited at the end; the $10,000 is still the cash
    paid in quarter 1."""
    r = _one_chip("annuity")
    assert [(p.quarter_ordered, p.quantity) for p in r.purchases] == [("2027Q2", 1)]
    i = 1.08 ** 0.25 - 1
    crf = i / (1 - 1.08 ** -2)
    assert crf == pytest.approx(0.136172, abs=1e-6)
    assert [c.capital_charge_usd for c in r.cashflow] == pytest.approx(
        [0.0, crf * 10_000, crf * 10_000, crf * 10_000])
    assert [c.residual_credit_usd for c in r.cashflow] == pytest.approx([0.0] * 4)
    assert [c.capital_usd for c in r.cashflow] == pytest.approx([0.0, 10_000, 0.0, 0.0])
    power = 1.0 * 2000 * 0.1   # 1 kW x 2,000 h x $0.10/kWh per quarter in service
    d = [1.08 ** (-(t + 0.5) / 4) for t in range(4)]
    expected = sum(d[t] * (crf * 10_000 + power) for t in (1, 2, 3))
    assert r.costs.cost_of_ownership_usd == pytest.approx(expected)
    assert r.solver.objective_usd == pytest.approx(expected)
    assert r.costs.cost_basis == "annuity"


def test_cash_basis_credits_market_resale_value_at_the_end():
    """Cash basis: $10,000 paid in quarter 1 and the chip, 3 quarters old at the end,
    credited at its market resale value 0.65^(3/4) x $10,000 = $7,239.11 (35 %/year
    decline, the curve in-plan sales use), not at book value 5/8 x $10,000 = $6,250."""
    r = _one_chip("cash")
    credit = 0.65 ** 0.75 * 10_000
    assert credit == pytest.approx(7_239.11, abs=0.01)
    assert r.cashflow[-1].residual_credit_usd == pytest.approx(credit)
    assert r.cashflow[1].capital_charge_usd is None  # the purchase is the capital cost
    book = _one_chip("cash_book")
    assert book.cashflow[-1].residual_credit_usd == pytest.approx(6_250)


def test_zero_rate_annuity_is_straight_line():
    """At r = 0 the annuity is price / life a quarter, so three quarters in service cost
    3/8 x $10,000 = $3,750: what cash_book charges ($10,000 - 5/8 x $10,000)."""
    annuity, book = _one_chip("annuity", rate=0.0), _one_chip("cash_book", rate=0.0)
    assert sum(c.capital_charge_usd for c in annuity.cashflow) == pytest.approx(3_750)
    assert annuity.costs.cost_of_ownership_usd == pytest.approx(
        book.costs.cost_of_ownership_usd)
