"""Decision variables of the MIP (docs/model.md, "Variables").

Names use positions, not user text, so any chip or site name is safe in an LP file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from planner.optimize.parameters import Parameters

CLOUD = "cloud"  # the "site" of rented chips, for training gangs


@dataclass
class Variables:
    buy: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    retire: dict[tuple[str, str, str, int, int], pulp.LpVariable] = field(default_factory=dict)
    fleet: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    rent: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    reserve: dict[tuple[str, int, int], pulp.LpVariable] = field(default_factory=dict)
    alloc: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    phase_alloc: dict[tuple[str, str, int, str], pulp.LpVariable] = field(default_factory=dict)
    api: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    unmet: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    gang: dict[tuple[str, str, int, str, int], pulp.LpVariable] = field(default_factory=dict)  # run, chip, G, place, start
    unmet_train: dict[str, pulp.LpVariable] = field(default_factory=dict)
    stack: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    expand: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    overrun: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    units: dict[tuple[str, tuple], pulp.LpVariable] = field(default_factory=dict)  # whole units
    emissions_overrun: dict[int, pulp.LpVariable] = field(default_factory=dict)  # o^em_y


def cohorts(p: Parameters, c: str, s: str) -> list[tuple[str, int, int]]:
    """Cohorts of chip c at site s as (kind, index, delivered quarter): ("new", order
    quarter) for purchases, ("old", delivered quarter) for the existing fleet."""
    out = []
    if c in p.power_kw:
        out += [("new", o, p.delivered(c, o)) for (c2, o) in p.buy_price_usd if c2 == c]
    out += [("old", d, d) for (c2, s2, d) in p.existing if c2 == c and s2 == s]
    return out


def factory(prob: pulp.LpProblem, prefix: str = ""):
    """PuLP 3 attaches variables to the problem (``add_variable``); PuLP 2 has free ones.
    ``prefix`` keeps scenario copies of the model apart in one problem."""
    if hasattr(prob, "add_variable"):
        return lambda name, low=None, up=None, cat="Continuous": prob.add_variable(
            prefix + name, low, up, cat=cat)
    return lambda name, low=None, up=None, cat="Continuous": pulp.LpVariable(
        prefix + name, low, up, cat=cat)


def _fleet_variables(new, p: Parameters, v: Variables, ci: dict, si: dict) -> None:
    for (c, t) in p.buy_price_usd:
        if c not in p.power_kw:
            continue
        for s in p.sites:
            v.buy[c, s, t] = new(f"buy_{ci[c]}_{si[s]}_{t}", 0, None, "Integer")
    for c in p.power_kw:
        for s in p.sites:
            group = cohorts(p, c, s)
            if not group:
                continue
            for t in range(p.horizon):
                v.fleet[c, s, t] = new(f"fleet_{ci[c]}_{si[s]}_{t}", 0)
            for kind, idx, delivered in group:
                for t in p.retirement_quarters(c, delivered):
                    v.retire[c, s, kind, idx, t] = new(
                        f"retire_{ci[c]}_{si[s]}_{kind}{idx}_{t}", 0, None, "Integer")


def _cloud_variables(new, p: Parameters, v: Variables, ci: dict) -> None:
    for c in p.rent_usd_per_hour:
        for t in range(p.horizon):
            v.rent[c, t] = new(f"rent_{ci[c]}_{t}", 0, None, "Integer")
    for (c, k) in p.reserved_usd_per_hour:
        for t in range(p.horizon):
            v.reserve[c, k, t] = new(f"reserve_{ci[c]}_{k}_{t}", 0, None, "Integer")


def _serving_variables(new, p: Parameters, v: Variables, ci: dict) -> None:
    wi = {w: i for i, w in enumerate(p.workloads)}
    ai = {a: i for i, a in enumerate(p.apis)}
    for (w, c) in p.capacity:
        if not p.stack_allowed(w, c):
            continue
        for t in range(p.horizon):
            v.alloc[w, c, t] = new(f"alloc_{wi[w]}_{ci[c]}_{t}", 0)
    for (w, c, phase) in p.phase_capacity:
        if p.stack_allowed(w, c):
            for t in range(p.horizon):
                v.phase_alloc[w, c, t, phase] = new(f"{phase}_{wi[w]}_{ci[c]}_{t}", 0)
    for w, offers in p.api_for.items():
        for a in offers:
            for t in range(p.horizon):
                v.api[w, a, t] = new(f"api_{wi[w]}_{ai[a]}_{t}", 0)
    for w in p.workloads:
        for t in range(p.horizon):
            v.unmet[w, t] = new(f"unmet_{wi[w]}_{t}", 0)


def _training_variables(new, p: Parameters, v: Variables, ci: dict, si: dict) -> None:
    places = {**si, CLOUD: len(si)}
    for i, r in enumerate(p.runs):
        v.unmet_train[r] = new(f"unmet_train_{i}", 0, 1)
        window = p.train_window[r]
        sizes: dict[str, list[int]] = {}
        for (r2, c, chips) in sorted(p.train_quarters):
            if r2 == r:
                sizes.setdefault(c, []).append(chips)
        for (r2, c, chips), quarters in p.train_quarters.items():
            if r2 != r or not p.stack_allowed(r, c):
                continue
            where = [s for s in p.sites if c in p.power_kw]
            if c in p.rent_usd_per_hour or any(k[0] == c for k in p.reserved_usd_per_hour):
                where.append(CLOUD)
            k = sizes[c].index(chips)  # 0: the smallest gang, named as before sizes existed
            for s in where:
                for start in window[: len(window) - quarters + 1]:
                    v.gang[r, c, chips, s, start] = new(
                        f"gang_{i}_{ci[c]}_{places[s]}_{start}" + (f"_g{k}" if k else ""), 0, 1, "Binary")


def _other_variables(new, p: Parameters, v: Variables) -> None:
    for i, k in enumerate(sorted(p.stack_cost_usd)):
        for t in range(p.horizon):
            v.stack[k, t] = new(f"stack_{i}_{t}", 0, 1, "Binary")
    for i, x in enumerate(p.expansions):
        earliest = p.expansions[x].earliest
        for t in range(earliest, p.horizon):
            v.expand[x, t] = new(f"expand_{i}_{t}", 0, 1, "Binary")
    for y in p.capex_budget:
        v.overrun["capex", y] = new(f"overrun_capex_{y}", 0)
    for y in p.opex_budget:
        v.overrun["opex", y] = new(f"overrun_opex_{y}", 0)


def define_variables(prob: pulp.LpProblem, p: Parameters, prefix: str = "") -> Variables:
    """b_{c,s,t}, q_{c,s,h,t} (retirements), n_{c,s,t}, r_{c,t}, m_{c,k,t}, x_{w,c,t},
    z_{w,a,t}, u_{w,t}, g_{r,c,G,s,t}, v_r, j_{k,t}, e_{x,t}, o_{b,y}."""
    new = factory(prob, prefix)
    ci = {c: i for i, c in enumerate(p.chips)}
    si = {s: i for i, s in enumerate(p.sites)}
    v = Variables()
    _fleet_variables(new, p, v, ci, si)
    _cloud_variables(new, p, v, ci)
    _serving_variables(new, p, v, ci)
    _training_variables(new, p, v, ci, si)
    _other_variables(new, p, v)
    return v
