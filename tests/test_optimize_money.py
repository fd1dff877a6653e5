"""Penalties: every price of a shortfall is a Settings row, and nothing else in the
optimizer prices one (issue 14)."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import fields
from pathlib import Path

import pytest
from optimize_fixtures import chip_b, instance, with_settings

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
