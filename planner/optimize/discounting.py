"""Money arithmetic: discounting and straight-line residual value.

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


def life_in_quarters(years: float) -> int:
    """Useful life rounded to whole quarters, at least one.

    >>> life_in_quarters(5)
    20
    >>> life_in_quarters(0.1)
    1
    """
    return max(1, round(years * 4))
