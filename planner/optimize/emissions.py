"""Emissions: what every decision emits each quarter, the carbon price as its own cost
line, and the cap per year (docs/model.md, "Emissions").

Emissions are linear in the decisions, like costs, so they are written once per kind and
quarter (:class:`EmissionTerms`); the carbon cost line, the cap and the report's Emissions
sheet all read them.  With no carbon input nothing is added to the model.
"""

from __future__ import annotations

from collections import defaultdict

import pulp

from planner.domain.results import EmissionRow
from planner.optimize.cost_terms import CostTerms, combine
from planner.optimize.parameters import Parameters
from planner.optimize.variables import Variables, factory

#: Kinds of emission terms: grid electricity of owned chips on each basis, the embodied
#: share of owned chips, rented chip-hours and API tokens (the suppliers' factors).
KINDS = ("grid_location", "grid_market", "embodied", "rental", "api")


def counted(basis: str) -> tuple[str, ...]:
    """The kinds the carbon price and the cap count on ``basis`` (location or market)."""
    return (f"grid_{basis}", "embodied", "rental", "api")


class EmissionTerms:
    """tCO2e per kind and quarter as (variable, coefficient) pairs; ``energy_kwh`` the
    facility kWh of each owned-fleet variable in its quarter."""

    def __init__(self) -> None:
        self.terms: dict[tuple[str, int], list] = defaultdict(list)
        self.energy_kwh: dict[tuple[str, str, int], float] = {}

    def add(self, kind: str, t: int, var, coef: float) -> None:
        if coef:
            self.terms[kind, t].append((var, coef))

    def value(self, kinds: tuple[str, ...], t: int, read) -> float:
        return sum(coef * read(var) for k in kinds for var, coef in self.terms.get((k, t), []))


def emission_terms(p: Parameters, v: Variables) -> EmissionTerms:
    """E_t by kind: owned chips H phi PUE_s p_c n_{c,s,t} I^b_{s,t} (grid, each basis) and
    epsilon_c n_{c,s,t} (embodied); rented H f_c r~_{c,t}; APIs g_a z_{w,a,t} H/24/10^6."""
    cb, et, H = p.carbon, EmissionTerms(), p.hours_per_quarter
    for (c, s, t), var in v.fleet.items():
        kwh = H * p.power_draw_fraction * p.site_pue[s] * p.power_kw[c]
        et.energy_kwh[c, s, t] = kwh
        for basis in ("location", "market"):
            et.add(f"grid_{basis}", t, var, kwh * cb.grid_factor(basis, s, t))
        et.add("embodied", t, var, cb.embodied.get(c, 0.0))
    for (c, t), var in v.rent.items():
        et.add("rental", t, var, H * cb.rent.get(c, 0.0))
    for (c, k, start), var in v.reserve.items():
        for t in range(start, min(p.horizon, start + k)):
            et.add("rental", t, var, H * cb.rent.get(c, 0.0))
    for (w, a, t), var in v.api.items():
        et.add("api", t, var, cb.api.get(a, 0.0) * p.scale(w) * H / 24.0 / 1e6)
    return et


def add_emissions(prob: pulp.LpProblem, p: Parameters, v: Variables, ct: CostTerms,
                  prefix: str = "") -> EmissionTerms | None:
    """The emission terms, the carbon cost line ``carbon``: lambda_{y(t)} E_t in each
    quarter, and the cap overrun variables o^{em}_y priced mu in the year's last quarter
    (category ``emissions_overrun``, a penalty).  None, and nothing added, without any
    carbon input."""
    if not p.carbon.active:
        return None
    et = emission_terms(p, v)
    kinds = counted(p.carbon.basis)
    for t, price in enumerate(p.carbon.price):
        for kind in kinds if price else ():
            for var, coef in et.terms.get((kind, t), []):
                ct.add("carbon", t, var, coef * price)
    new = factory(prob, prefix)
    for y in p.carbon.cap:
        quarters = [t for t in range(p.horizon) if p.years[t] == y]
        if quarters:
            v.emissions_overrun[y] = new(f"emissions_over_{y}", 0)
            ct.add("emissions_overrun", quarters[-1], v.emissions_overrun[y],
                   p.carbon.overrun_usd_per_t)
    return et


def define_emissions_cap(rows, p: Parameters, v: Variables, et: EmissionTerms | None) -> None:
    """Emissions per calendar year within the cap, tonnes over it priced:
    sum_{t in y} E^b_t - o^{em}_y <= Cap_y, with E^b_t the quarter's tCO2e on the basis b
    (grid_b + embodied + rental + api)."""
    if et is None:
        return
    kinds = counted(p.carbon.basis)
    for y, cap in p.carbon.cap.items():
        if y not in v.emissions_overrun:
            continue
        quarters = [t for t in range(p.horizon) if p.years[t] == y]
        terms = [item for k in kinds for t in quarters for item in et.terms.get((k, t), [])]
        terms.append((v.emissions_overrun[y], -1.0))
        rows += (combine(terms) <= cap, f"emissions_cap_{y}", y)


def _value(var) -> float:
    x = var.varValue if var is not None else None
    return float(x) if x is not None else 0.0


def _owned_rows(p: Parameters, v: Variables, et: EmissionTerms) -> list[EmissionRow]:
    cb, rows = p.carbon, []
    for (c, s, t), var in sorted(v.fleet.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])):
        n = _value(var)
        if n <= 1e-9:
            continue
        kwh = et.energy_kwh[c, s, t] * n
        rows.append(EmissionRow(p.periods[t], s, c, "", n, kwh / 1e3,
                                kwh * cb.grid_factor("location", s, t),
                                kwh * cb.grid_factor("market", s, t),
                                n * cb.embodied.get(c, 0.0), 0.0))
    return rows


def _supplier_rows(p: Parameters, v: Variables) -> list[EmissionRow]:
    cb, H, rows = p.carbon, p.hours_per_quarter, []
    rented: dict[tuple[str, int], float] = defaultdict(float)
    for (c, t), var in v.rent.items():
        rented[c, t] += _value(var)
    for (c, k, start), var in v.reserve.items():
        for t in range(start, min(p.horizon, start + k)):
            rented[c, t] += _value(var)
    for (c, t), n in sorted(rented.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if n > 1e-9:
            rows.append(EmissionRow(p.periods[t], "cloud", c, "", n, 0.0, 0.0, 0.0, 0.0,
                                    n * H * cb.rent.get(c, 0.0)))
    for (w, a, t), var in sorted(v.api.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        tokens_m = _value(var) * p.scale(w) * H / 24.0 / 1e6
        if tokens_m > 1e-9:
            rows.append(EmissionRow(p.periods[t], "api", a, w, 0.0, 0.0, 0.0, 0.0, 0.0,
                                    tokens_m * cb.api.get(a, 0.0)))
    return rows


def emission_records(p: Parameters, v: Variables, et: EmissionTerms | None) -> list[EmissionRow]:
    """One row per owned chip type, site and quarter (energy, grid emissions on both
    bases, embodied share), per rented chip type and quarter, and per API offering,
    workload and quarter (the supplier's factor); empty without carbon input."""
    if et is None:
        return []
    return _owned_rows(p, v, et) + _supplier_rows(p, v)
