"""Buy or rent, per chip, before and after tax: the utilisation and the months of renting
at which buying wins.

For each chip with both a purchase and a rent price, one chip bought in the plan's first
quarter (price then) and kept for its life is compared with renting one on demand, both
discounted to the plan's start at its rate, mid-quarter:

* owning costs its price (or the financing offer's down payment, payments and balance),
  less the PV of its depreciation tax shields, plus its power (first site's electricity
  and PUE, at the plan's draw fraction) net of tax, over its life; nothing is credited at
  the end of its life (the model's market value is then zero);
* renting full time costs the rent x hours, net of tax, over the same quarters.

Break-even utilisation = owning / renting full time: buying wins for a chip needed more
than that share of the time.  Months of renting = how long renting full time takes to
cost what owning does (none if renting for the whole life costs less).  Before tax tau = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain import PlanInput
from planner.optimize.discounting import life_in_quarters, rate_per_quarter
from planner.optimize.tax_params import TaxTerms, tax_terms

METHOD = (
    ("Buy or rent: one chip bought in the first quarter and kept for its life against "
     "renting one on demand full time, both discounted at the plan's rate; owning pays its "
     "price (or financing), power at the first site's price, and earns its depreciation tax "
     "shields; renting pays rent x hours. Break-even utilisation = owning / renting full "
     "time: buying wins for a chip busy more than that share of its life."),
    ("Months of renting: how long renting full time takes to cost as much as owning (blank: "
     "renting for the chip's whole life costs less). Pre-tax columns set the tax rate to 0."),
)


@dataclass(frozen=True)
class BuyOrRent:
    chip: str
    purchase_usd: float
    rent_usd_per_hour: float
    life_quarters: int
    pre_tax_break_even: float
    after_tax_break_even: float | None
    after_tax_months: float | None


def _power_usd_per_quarter(inp: PlanInput, chip: str, kw: float | None) -> float:
    s = inp.settings
    if kw is None:
        spec = inp.chip_specs.get(chip)
        kw = (spec.tdp_w * s.server_power_overhead / 1000.0
              if spec is not None and spec.tdp_w is not None else 0.0)
    site = inp.sites[0] if inp.sites else None
    if site is None:
        return 0.0
    pue = site.pue if site.pue is not None else s.pue
    return kw * pue * s.power_draw_fraction * s.hours_per_quarter * site.electricity_price(0)


def _owning(inp: PlanInput, tax: TaxTerms, chip: str, price: float, power: float,
            life: int, d: list[float], taxed: bool) -> float:
    tau = [tax.rate(j) if taxed else 0.0 for j in range(life + 40)]
    loan = tax.loans.get(chip)
    if loan is None:
        cash = price * d[0]
    else:
        rows = loan.schedule()
        cash = price * ((1 - loan.share) * d[0] + loan.share * sum(
            d[j] * (pay - tau[j] * interest) for j, (pay, interest, _b) in enumerate(rows, 1)))
    shields = 0.0
    if taxed:
        deductions = tax.chip_deductions(chip, 0, life)
        shields = sum(tau[j] * deductions[j] * d[j] * price for j in range(life))
    return cash - shields + sum((1 - tau[j]) * power * d[j] for j in range(life))


def _months(rent_pv: list[float], owning: float) -> float | None:
    """Months of full-time renting whose PV reaches ``owning`` (linear within a quarter)."""
    total = 0.0
    for j, x in enumerate(rent_pv):
        if total + x >= owning:
            return 3.0 * (j + (owning - total) / x)
        total += x
    return None


def buy_or_rent(inp: PlanInput) -> list[BuyOrRent]:
    """One row per chip with both prices."""
    s = inp.settings
    tax = tax_terms(inp)
    i = rate_per_quarter(s.discount_rate_per_year)
    out = []
    for o in inp.chips:
        if o.purchase_usd_per_chip is None or not o.rent_usd_per_chip_hour:
            continue
        life = life_in_quarters(o.lifetime_years)
        d = [(1 + i) ** (-(j + 0.5)) for j in range(life + 40)]
        power = _power_usd_per_quarter(inp, o.chip, o.power_kw_per_chip)
        rent = [o.rent_usd_per_chip_hour * s.hours_per_quarter * d[j] for j in range(life)]
        pre = _owning(inp, tax, o.chip, o.purchase_usd_per_chip, power, life, d, False) / sum(rent)
        after = months = None
        if tax.active:
            owning = _owning(inp, tax, o.chip, o.purchase_usd_per_chip, power, life, d, True)
            net = [(1 - tax.rate(j)) * x for j, x in enumerate(rent)]
            after, months = owning / sum(net), _months(net, owning)
        out.append(BuyOrRent(o.chip, o.purchase_usd_per_chip, o.rent_usd_per_chip_hour, life,
                             pre, after, months))
    return out
