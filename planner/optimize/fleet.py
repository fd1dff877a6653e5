"""Constraint families on owned chips and sites (docs/model.md, "Fleet and sites")."""

from __future__ import annotations

import pulp

from planner.optimize.parameters import Parameters
from planner.optimize.variables import Variables, cohorts


def cohort_base(p: Parameters, v: Variables, c: str, s: str, kind: str, idx: int):
    """(variable, constant) giving a cohort's initial size: b_{c,s,o} or E_{c,s,d}."""
    if kind == "new":
        return v.buy[c, s, idx], 0
    return None, p.existing[c, s, idx]


def define_fleet_balance(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """Chips in service: n_{c,s,t} = sum over cohorts h alive at t of
    (size_h - sum_{tau <= t} q_{c,s,h,tau})  (vintages serve their life unless sold);
    <= when ``store_unpowered`` (evaluating commitments a scenario cannot power or house:
    the rest sit unused, drawing no power and taking no slot)."""
    for (c, s) in sorted({(c, s) for (c, s, _t) in v.fleet}):
        group = cohorts(p, c, s)
        for t in range(p.horizon):
            terms = [(v.fleet[c, s, t], 1)]
            constant = 0
            for kind, idx, delivered in group:
                if t not in p.alive_range(c, delivered):
                    continue
                var, size = cohort_base(p, v, c, s, kind, idx)
                if var is not None:
                    terms.append((var, -1))
                constant += size
                terms += [(v.retire[c, s, kind, idx, tau], 1)
                          for tau in p.retirement_quarters(c, delivered) if tau <= t]
            row = pulp.LpAffineExpression(terms)
            prob += ((row <= constant) if p.store_unpowered else (row == constant),
                     f"fleet_{v.fleet[c, s, t].name}")


def define_retirement_limit(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """A cohort cannot sell more chips than it has: sum_tau q_{c,s,h,tau} <= size_h."""
    sold: dict[tuple, list] = {}
    for (c, s, kind, idx, t), var in v.retire.items():
        sold.setdefault((c, s, kind, idx), []).append((var, 1))
    for (c, s, kind, idx), terms in sold.items():
        var, size = cohort_base(p, v, c, s, kind, idx)
        if var is not None:
            terms = terms + [(var, -1)]
        prob += (pulp.LpAffineExpression(terms) <= size, f"retire_limit_{terms[0][0].name}")


def expansion_kw(p: Parameters, v: Variables, s: str, t: int) -> list:
    """(e_{x,tau}, extra kW) for expansions of site s ordered early enough to serve in t."""
    out = []
    for x, e in p.expansions.items():
        if e.site == s:
            out += [(v.expand[x, tau], e.extra_kw) for tau in range(t - e.lead_quarters + 1)
                    if (x, tau) in v.expand]
    return out


def define_power_cap(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """Facility power within the site cap plus expansions in service:
    sum_c p_c PUE_s n_{c,s,t} <= K_{s,t} + sum_x X_x sum_{tau <= t - l_x} e_{x,tau}."""
    for i, s in enumerate(p.sites):
        for t in range(p.horizon):
            terms = [(v.fleet[c, s, t], p.power_kw[c] * p.site_pue[s])
                     for c in p.power_kw if (c, s, t) in v.fleet]
            if not terms:
                continue
            terms += [(var, -kw) for var, kw in expansion_kw(p, v, s, t)]
            prob += (pulp.LpAffineExpression(terms) <= p.site_cap_kw[s, t], f"power_{i}_{t}", (s, t))


def define_site_space(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """Chips fit the site's slots: sum_c n_{c,s,t} <= M_s."""
    for i, s in enumerate(p.sites):
        if s not in p.site_slots:
            continue
        for t in range(p.horizon):
            terms = [(v.fleet[c, s, t], 1) for c in p.power_kw if (c, s, t) in v.fleet]
            if terms:
                prob += (pulp.LpAffineExpression(terms) <= p.site_slots[s], f"space_{i}_{t}", (s, t))


def define_supply_cap(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """Vendor allocation: sum_s b_{c,s,t} <= S_c."""
    for (c, t) in p.buy_price_usd:
        if c in p.supply_cap and c in p.power_kw:
            terms = [(v.buy[c, s, t], 1) for s in p.sites]
            prob += (pulp.LpAffineExpression(terms) <= p.supply_cap[c],
                     f"supply_{v.buy[c, p.sites[0], t].name}", (c, t))


def define_expansion_once(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """Each expansion is built at most once: sum_t e_{x,t} <= 1."""
    for i, x in enumerate(p.expansions):
        terms = [(var, 1) for (x2, _t), var in v.expand.items() if x2 == x]
        if terms:
            prob += (pulp.LpAffineExpression(terms) <= 1, f"expand_once_{i}")
