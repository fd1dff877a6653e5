"""Buy or rent per chip, before and after tax (planner/report/breakeven.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from optimize_fixtures import chip_a, instance, with_settings
from test_optimize_tax import _break_even

from planner.report.breakeven import buy_or_rent


def _inp(rent: float, tax_rate: float | None):
    """The known-answer chip of tests/test_optimize_tax.py: $10,000, 5-year life, free
    electricity, 8 %/year, 2,000 hours a quarter."""
    inp, _tp = instance(chips=[chip_a(lifetime_years=5, rent_usd_per_chip_hour=rent)],
                        demand=(86.4e6,) * 4)
    inp = replace(inp, sites=(replace(inp.sites[0], electricity_usd_per_kwh=0.0),))
    return with_settings(inp, discount_rate_per_year=0.08, tax_rate=tax_rate)


def test_break_even_utilisation_is_one_at_the_hand_computed_break_even_rent():
    """At the rent h* where the optimizer is indifferent (tests/test_optimize_tax.py),
    owning costs exactly what renting full time for the chip's life does after tax:
    break-even utilisation 100%, reached after 60 months; before tax the break-even is
    h0 / h* (owning costs P d_0, renting h* H A)."""
    pre, after = _break_even()
    (row,) = buy_or_rent(_inp(after, 0.25))
    assert row.after_tax_break_even == pytest.approx(1.0, abs=1e-9)
    assert row.after_tax_months == pytest.approx(60.0, abs=1e-6)
    assert row.pre_tax_break_even == pytest.approx(pre / after, rel=1e-9)


def test_a_dearer_rent_makes_buying_win_sooner_and_pre_tax_has_no_after_tax_figures():
    """Twice h*: owning is half of renting full time (break-even 50%); the months of
    renting it takes fall below 30 because the early quarters weigh more when
    discounted.  Without a tax rate only the pre-tax figure is given."""
    _pre, after = _break_even()
    (row,) = buy_or_rent(_inp(2 * after, 0.25))
    assert row.after_tax_break_even == pytest.approx(0.5, abs=1e-9)
    assert 24 < row.after_tax_months < 30
    (plain,) = buy_or_rent(_inp(2 * after, None))
    assert plain.after_tax_break_even is None and plain.after_tax_months is None
