"""Whole units (docs/model.md, "Whole units"): chips are bought and sold by the server or
rack and rented by the instance.

A chip with an order unit U_c > 1 (chips per server or rack) buys b_{c,s,t} = U_c k and
sells q_{c,s,h,t} = U_c k' with k, k' integer; one with a rental unit R_c > 1 rents
r_{c,t} = R_c k'' and reserves m_{c,k,t} = R_c k''' (chips per instance).  The chip
counts become continuous and the unit counts are the integers the solver (and the
rounding dive) decides.  A decision already taken (fixed by bounds) is left as it is:
an actual delivery of 5 chips stays 5.
"""

from __future__ import annotations

import pulp

from planner.optimize.parameters import Parameters
from planner.optimize.variables import Variables, factory


def _families(p: Parameters, v: Variables):
    """(family, variables by key, unit of each key's chip)."""
    yield "buy", v.buy, lambda key: p.order_unit.get(key[0], 1)
    yield "retire", v.retire, lambda key: p.order_unit.get(key[0], 1)
    yield "rent", v.rent, lambda key: p.rental_unit.get(key[0], 1)
    yield "reserve", v.reserve, lambda key: p.rental_unit.get(key[0], 1)


def define_whole_units(target, p: Parameters, v: Variables) -> None:
    """Chips in whole units: x = U k with k integer, for every purchase, sale, on-demand
    rental and reservation of a chip whose unit is above one chip."""
    prob = getattr(target, "prob", target)
    new = factory(prob, getattr(target, "prefix", ""))
    for family, variables, unit in _families(p, v):
        for key, var in variables.items():
            size = unit(key)
            if size <= 1 or (var.lowBound is not None and var.lowBound == var.upBound):
                continue
            whole = new(f"units_{var.name}", 0, None, "Integer")
            var.cat = pulp.LpContinuous
            v.units[family, key] = whole
            target += (pulp.LpAffineExpression([(var, 1), (whole, -size)]) == 0,
                       f"unit_{var.name}")
