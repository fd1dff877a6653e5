"""Money arithmetic: discounting, straight-line and market residual value, and the
capital recovery (annuity) of an owned chip.

All cash flows are placed at the middle of their quarter (mid-quarter convention).

>>> round(discount_factor(0.08, 0), 6)   # half a quarter in: (1.08) ** -0.125
0.990426
>>> round(discount_factor(0.08, 3), 6)
0.934876
>>> discount_factor(0.0, 7)
1.0

Straight-line residual value of a chip bought for $30,000 with a 20-quarter life,
delivered in quarter 2 of a 12-quarter horizon (10 quarters in service, 10 left):

>>> residual_fraction(delivered=2, horizon=12, life_quarters=20)
0.5
>>> residual_fraction(delivered=0, horizon=12, life_quarters=8)   # fully written off
0.0
"""

from __future__ import annotations


def discount_factor(rate_per_year: float, quarter_index: int) -> float:
    """Present value of $1 paid in the middle of quarter ``quarter_index`` (0-based)."""
    return (1.0 + rate_per_year) ** (-(quarter_index + 0.5) / 4.0)


def residual_fraction(delivered: int, horizon: int, life_quarters: int) -> float:
    """Share of purchase price still on the books at the end of the horizon.

    Straight-line over ``life_quarters`` from the delivery quarter.
    """
    if life_quarters <= 0:
        return 0.0
    in_service = max(0, horizon - delivered)
    return max(0.0, (life_quarters - in_service) / life_quarters)


def rate_per_quarter(rate_per_year: float) -> float:
    """Quarterly rate equivalent to an annual one: (1 + r)^(1/4) - 1.

    >>> round(rate_per_quarter(0.08), 6)
    0.019427
    """
    return (1.0 + rate_per_year) ** 0.25 - 1.0


def capital_recovery_factor(rate: float, periods: int) -> float:
    """CRF = i / (1 - (1 + i)^-n): the level payment per period, per dollar of price, that
    repays the price with interest i over n periods (payments in arrears); 1/n at i = 0.

    >>> round(capital_recovery_factor(0.02, 20), 6)
    0.061157
    >>> capital_recovery_factor(0.0, 8)
    0.125
    """
    if periods <= 0:
        return 0.0
    if rate == 0:
        return 1.0 / periods
    return rate / (1.0 - (1.0 + rate) ** -periods)


def annuity_balance(rate: float, periods: int, paid: int) -> float:
    """Capital still to recover, per dollar of price, after ``paid`` of ``periods`` level
    payments: the present value of the payments left.  1 - paid/periods at i = 0.

    >>> annuity_balance(0.0, 8, 2)
    0.75
    >>> round(annuity_balance(0.02, 20, 0), 9)
    1.0
    """
    left = max(0, periods - paid)
    if rate == 0:
        return left / periods if periods > 0 else 0.0
    return capital_recovery_factor(rate, periods) * (1.0 - (1.0 + rate) ** -left) / rate


def market_fraction(age_quarters: int, life_quarters: int, decline_per_year: float) -> float:
    """Market value of a chip ``age_quarters`` after delivery, as a share of its price:
    (1 - decline)^(age/4) while inside its life, nothing after.

    >>> round(market_fraction(12, 20, 0.35), 6)
    0.274625
    >>> market_fraction(20, 20, 0.35)
    0.0
    """
    if age_quarters >= life_quarters:
        return 0.0
    return (1.0 - decline_per_year) ** (age_quarters / 4.0)


def life_in_quarters(years: float) -> int:
    """Useful life rounded to whole quarters, at least one.

    >>> life_in_quarters(5)
    20
    >>> life_in_quarters(0.1)
    1
    """
    return max(1, round(years * 4))
