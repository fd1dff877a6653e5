"""After-tax parameters: tax rates by quarter, depreciation deductions and loan schedules.

No PuLP here; :mod:`planner.optimize.tax` turns these into cost terms (docs/model.md,
"After tax").  Conventions:

* Depreciation share of schedule year k is deducted evenly over the k-th year after
  delivery (a quarter of it in each of its quarters); a bonus share is deducted in the
  quarter of delivery.  A chip that reaches the end of its life deducts what is left of
  its tax basis in its last quarter of service.
* A quarter's tax rate is its calendar year's (Budgets sheet, else the tax_rate
  setting); quarters after the horizon keep the last quarter's rate.
* A loan is drawn when the chip is ordered and repaid quarterly in arrears from the next
  quarter; interest in quarter j is the quarterly rate times the balance after payment
  j - 1.

5-year MACRS, 1,000 dollars: deductions of 200, 320, 192, 115.2, 115.2 and 57.6:

>>> [round(1000 * s, 1) for s in yearly_shares("schedule", 5.0, (0.2, 0.32, 0.192, 0.1152, 0.1152, 0.0576), 2.0)]
[200.0, 320.0, 192.0, 115.2, 115.2, 57.6]

Double declining balance over 5 years switches to straight line in year 4:

>>> [round(s, 4) for s in yearly_shares("declining_balance", 5.0, (), 2.0)]
[0.4, 0.24, 0.144, 0.108, 0.108]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from planner.domain import PlanInput
from planner.optimize.discounting import capital_recovery_factor, rate_per_quarter


def yearly_shares(method: str, life_years: float, schedule: tuple[float, ...],
                  factor: float) -> tuple[float, ...]:
    """Share of the cost deducted in each year after delivery (adding up to 1)."""
    if method == "schedule":
        return tuple(schedule)
    years = max(1, math.ceil(life_years - 1e-9))
    if method == "straight_line":
        return tuple(min(1.0, life_years - k) / life_years for k in range(years))
    shares, book = [], 1.0
    for k in range(years):
        left = life_years - k
        take = book if left <= 1.0 else max(book * factor / life_years, book / left)
        take = min(take, book)
        shares.append(take)
        book -= take
    return tuple(shares)


def quarterly_deductions(yearly: tuple[float, ...], bonus: float,
                         life_quarters: int | None) -> list[float]:
    """Share of the cost deducted in each quarter j after delivery: the bonus share at
    j = 0, then (1 - bonus) x year k's share / 4 in each quarter of year k.  With a life
    of L quarters the basis left after quarter L - 1 is deducted then (retirement).

    >>> quarterly_deductions((0.5, 0.5), 0.0, None)
    [0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125]
    >>> quarterly_deductions((0.5, 0.5), 0.5, 2)
    [0.5625, 0.4375]
    """
    out = [(1.0 - bonus) * yearly[j // 4] / 4.0 for j in range(4 * len(yearly))]
    if not out:
        out = [0.0]
    out[0] += bonus
    if life_quarters is not None:
        out = out[:life_quarters] + [0.0] * max(0, life_quarters - len(out))
        out[-1] += 1.0 - sum(out)
    return out


@dataclass(frozen=True)
class Loan:
    """A financing offer, per dollar of price: ``share`` borrowed at the order, repaid
    over ``term_quarters`` at ``rate_per_quarter``, level payments or level principal."""

    share: float
    rate_per_quarter: float
    term_quarters: int
    profile: str = "level"

    def schedule(self) -> list[tuple[float, float, float]]:
        """(payment, interest, balance after) of each quarter j = 1..n, per dollar
        borrowed.

        >>> [tuple(round(x, 4) for x in row) for row in Loan(1.0, 0.02, 2, "linear").schedule()]
        [(0.52, 0.02, 0.5), (0.51, 0.01, 0.0)]
        """
        i, n = self.rate_per_quarter, self.term_quarters
        level = capital_recovery_factor(i, n)
        rows, balance = [], 1.0
        for _j in range(n):
            interest = i * balance
            payment = level if self.profile == "level" else 1.0 / n + interest
            balance = max(0.0, balance - (payment - interest))
            rows.append((payment, interest, balance))
        rows[-1] = (rows[-1][0] + rows[-1][2], rows[-1][1], 0.0)  # rounding residue
        return rows


@dataclass
class TaxTerms:
    """Tax rates, depreciation and financing as the model sees them.

    ``active``: a tax rate is set (the objective is after tax).  ``rates`` and ``bonus``
    hold tau and the bonus share for each horizon quarter; ``chip_years`` each chip's
    yearly depreciation shares; ``loans`` the financed chips."""

    active: bool = False
    rates: tuple[float, ...] = ()
    bonus: tuple[float, ...] = ()
    chip_years: dict[str, tuple[float, ...]] = field(default_factory=dict)
    expansion_years: float = 15.0
    loans: dict[str, Loan] = field(default_factory=dict)
    words: str = "pre-tax"

    @property
    def applies(self) -> bool:
        """Whether any after-tax or financing term enters the model."""
        return self.active or bool(self.loans)

    def rate(self, t: int) -> float:
        """tau_t: the tax rate of quarter t (the last quarter's after the horizon)."""
        if not self.rates:
            return 0.0
        return self.rates[min(max(t, 0), len(self.rates) - 1)]

    def bonus_at(self, t: int) -> float:
        if not self.bonus:
            return 0.0
        return self.bonus[min(max(t, 0), len(self.bonus) - 1)]

    def chip_deductions(self, chip: str, delivered: int, life_quarters: int) -> list[float]:
        """D_j: share of a chip's cost deducted j quarters after delivery."""
        return quarterly_deductions(self.chip_years.get(chip, (1.0,)), self.bonus_at(delivered),
                                    life_quarters)

    def expansion_deductions(self, available: int) -> list[float]:
        """Straight-line over the expansion's tax life, bonus in its first quarter."""
        quarters, bonus = max(1, round(self.expansion_years * 4)), self.bonus_at(available)
        return [(1.0 - bonus) / quarters + (bonus if j == 0 else 0.0) for j in range(quarters)]


def _by_year(inp: PlanInput, name: str, default: float) -> tuple[float, ...]:
    given = {b.year: getattr(b, name) for b in inp.budgets if getattr(b, name) is not None}
    return tuple(given.get(q.year, default) for q in inp.periods)


def describe(inp: PlanInput) -> str:
    """'after tax at 21%, 5-year schedule 20/32/19.2/11.52/11.52/5.76% ...' or 'pre-tax'."""
    s = inp.settings
    rates = sorted(set(_by_year(inp, "tax_rate", s.tax_rate or 0.0)))
    if s.tax_rate is None and not any(b.tax_rate is not None for b in inp.budgets):
        return "pre-tax"
    rate = "/".join(f"{r * 100:.4g}%" for r in rates) + (" by year" if len(rates) > 1 else "")
    if s.depreciation_method == "schedule":
        shares = "/".join(f"{x * 100:.4g}" for x in s.depreciation_schedule)
        method = f"{len(s.depreciation_schedule)}-year schedule {shares}%"
        if s.depreciation_schedule == (0.2, 0.32, 0.192, 0.1152, 0.1152, 0.0576):
            method = f"5-year MACRS ({shares}%, IRS Publication 946 Table A-1)"
    elif s.depreciation_method == "declining_balance":
        method = f"{s.declining_balance_factor * 100:.4g}% declining balance over each chip's life"
    else:
        method = "straight line over each chip's life"
    bonus = sorted(set(_by_year(inp, "bonus_depreciation_share", s.bonus_depreciation_share)))
    extra = "" if bonus == [0.0] else ", bonus depreciation " + "/".join(
        f"{b * 100:.4g}%" for b in bonus)
    return f"after tax at {rate}, chips depreciated by {method}{extra}"


def tax_terms(inp: PlanInput) -> TaxTerms:
    """The TaxTerms of ``inp`` (inactive, no loans: the pre-tax model, unchanged)."""
    s = inp.settings
    active = s.tax_rate is not None or any(b.tax_rate is not None for b in inp.budgets)
    loans = {o.chip: Loan(o.financed_share, rate_per_quarter(o.loan_rate_per_year),
                          max(1, round(o.loan_term_years * 4)), o.loan_repayment)
             for o in inp.chips if o.financed_share > 0 and o.purchase_usd_per_chip is not None}
    if not active:
        return TaxTerms(loans=loans)
    years = {o.chip: yearly_shares(s.depreciation_method, o.lifetime_years,
                                   s.depreciation_schedule, s.declining_balance_factor)
             for o in inp.chips}
    return TaxTerms(True, _by_year(inp, "tax_rate", s.tax_rate or 0.0),
                    _by_year(inp, "bonus_depreciation_share", s.bonus_depreciation_share),
                    years, s.expansion_depreciation_years, loans, describe(inp))
