"""Carbon parameters of the MIP (docs/model.md, "Emissions"), derived from the input;
nothing here knows PuLP.  Symbols match docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.domain import PlanInput
from planner.domain.carbon import G_PER_T, KG_PER_T, value_for_year
from planner.optimize.discounting import life_in_quarters


@dataclass
class CarbonTerms:
    """Emission factors, in tCO2e per unit of each decision, and the policy.

    ``grid[basis][s, t]``: I^basis_{s,t} in tCO2e per kWh (location, market);
    ``embodied[c]``: epsilon_c, tCO2e per owned chip per quarter in service (embodied kg
    / 1000 / L_c); ``rent[c]``: f_c, tCO2e per rented chip-hour; ``api[a]``: g_a, tCO2e
    per million tokens; ``price[t]``: lambda_{y(t)} USD per tCO2e (0 = none);
    ``cap[y]``: Cap_y tCO2e; ``basis``: which grid factor the price and cap count;
    ``overrun_usd_per_t``: mu, the price of a tonne over the cap.
    """

    grid: dict[str, dict[tuple[str, int], float]] = field(default_factory=dict)
    embodied: dict[str, float] = field(default_factory=dict)
    rent: dict[str, float] = field(default_factory=dict)
    api: dict[str, float] = field(default_factory=dict)
    price: list[float] = field(default_factory=list)
    cap: dict[int, float] = field(default_factory=dict)
    basis: str = "location"
    overrun_usd_per_t: float = 0.0

    @property
    def active(self) -> bool:
        """Whether the input has any carbon figure at all (else nothing is built)."""
        return bool(self.grid or self.embodied or self.rent or self.api or self.cap
                    or any(self.price))

    def grid_factor(self, basis: str, s: str, t: int) -> float:
        return self.grid.get(basis, {}).get((s, t), 0.0)


def _grid(inp: PlanInput) -> dict[str, dict[tuple[str, int], float]]:
    out: dict[str, dict[tuple[str, int], float]] = {}
    for site in inp.sites:
        for basis, values in (("location", site.grid_gco2e_per_kwh_by_quarter),
                              ("market", site.market_gco2e_per_kwh_by_quarter)):
            for t, g in enumerate(values or ()):
                out.setdefault(basis, {})[site.name, t] = g / G_PER_T
    return out


def carbon_terms(inp: PlanInput) -> CarbonTerms:
    """The carbon parameters of ``inp`` (all empty when it has no carbon input)."""
    s = inp.settings
    years = [q.year for q in inp.periods]
    price = [value_for_year(s.carbon_price_usd_per_tco2e, y) or 0.0 for y in years]
    caps = {y: value_for_year(s.emissions_cap_tco2e, y) for y in sorted(set(years))}
    return CarbonTerms(
        grid=_grid(inp),
        embodied={o.chip: o.embodied_kgco2e_per_chip / KG_PER_T / life_in_quarters(o.lifetime_years)
                  for o in inp.chips if o.embodied_kgco2e_per_chip},
        rent={o.chip: o.rent_kgco2e_per_chip_hour / KG_PER_T for o in inp.chips
              if o.rent_kgco2e_per_chip_hour},
        api={a.name: a.gco2e_per_million_tokens / G_PER_T for a in inp.apis
             if a.gco2e_per_million_tokens},
        price=price if any(price) else [],
        cap={y: c for y, c in caps.items() if c is not None},
        basis=s.emissions_basis,
        overrun_usd_per_t=s.emissions_overrun_penalty_usd_per_tco2e)
