"""Energy and carbon: the units, the accounting bases and the by-year values of a carbon
price and an emissions cap (issue 20; docs/model.md, "Emissions").

Units, defined once:

* grid carbon intensity: **gCO2e per kWh** of facility electricity (location-based: the
  grid's average; market-based: after the site's contracts for clean energy);
* embodied emissions: **kgCO2e per accelerator**, including its share of the server,
  amortised straight-line over the chip's life (``lifetime_years``);
* a rented chip: **kgCO2e per chip-hour** (its energy and embodied share, which the buyer
  does not meter); an API: **gCO2e per million tokens** (prompt plus output, as Demand
  and API prices count them);
* plan totals: **tCO2e** (metric tonnes of CO2 equivalent); the carbon price in **USD per
  tCO2e**; the cap in **tCO2e per calendar year**.

A by-year value (the carbon price, the cap) is a tuple of ``(year, value)`` pairs, sorted;
year 0 means every year.  A year not listed takes the value of the latest listed year
before it; a year before the first listed one has none.

>>> value_for_year(((2027, 50.0), (2029, 100.0)), 2028)
50.0
>>> value_for_year(((2027, 50.0),), 2026) is None
True
>>> value_for_year(((0, 80.0),), 2031)
80.0
>>> describe_by_year(((2027, 50.0), (2029, 100.0)))
'2027: 50, 2029: 100'
"""

from __future__ import annotations

#: Which grid factor the carbon price and the cap count (Settings ``emissions_basis``).
EMISSIONS_BASES = ("location", "market")

G_PER_T = 1e6      # grams per metric tonne
KG_PER_T = 1e3     # kilograms per metric tonne

ByYear = tuple[tuple[int, float], ...]


def value_for_year(pairs: ByYear, year: int) -> float | None:
    """The value in force in ``year``: the latest listed year at or before it (year 0
    listed = every year), None before the first."""
    found = None
    for y, value in sorted(pairs):
        if y <= year:
            found = value
    return found


def describe_by_year(pairs: ByYear) -> str:
    """'80' for every year, '2027: 50, 2029: 100' by year."""
    return ", ".join(f"{v:g}" if y == 0 else f"{y}: {v:g}" for y, v in sorted(pairs))


def scale_by_year(pairs: ByYear, change) -> ByYear:
    """Each value changed by ``change(value) -> value``, years kept."""
    return tuple((y, change(v)) for y, v in pairs)
