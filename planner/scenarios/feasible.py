"""Commitments of one scenario's plan that another scenario cannot carry out.

A plan made for the base case may order B200s in 2027Q1; in a scenario where the B200
ships two quarters late that order cannot be placed.  Regret and the value of the
stochastic solution evaluate such a plan with the impossible orders dropped (fixed to
zero, like every other first-stage decision the plan did not take) and say how many.
"""

from __future__ import annotations

import dataclasses

from planner.domain import FixedDecisions, PlanInput
from planner.optimize.parameters import prepare


def executable(inp: PlanInput, throughput: dict, training: dict,
               fixed: FixedDecisions) -> tuple[FixedDecisions, int]:
    """``fixed`` without the purchases, reservations and expansions ``inp`` does not
    offer, and how many rows were dropped."""
    p = prepare(inp, throughput, training)
    index = {q: t for t, q in enumerate(p.periods)}

    def can_buy(r) -> bool:
        t = index.get(r.quarter_ordered)
        return t is not None and (r.chip, t) in p.buy_price_usd and r.site in p.sites \
            and r.chip in p.power_kw

    def can_rent(r) -> bool:
        if r.quarter not in index:
            return False
        if r.kind == "reserved":
            return (r.chip, r.term_quarters) in p.reserved_usd_per_hour
        return r.chip in p.rent_usd_per_hour

    def can_expand(r) -> bool:
        x = p.expansions.get(f"{r.site}/{r.name}")
        return x is not None and index.get(r.quarter_ordered, -1) >= x.earliest

    kept = dataclasses.replace(
        fixed,
        purchases=tuple(r for r in fixed.purchases if can_buy(r)),
        rentals=tuple(r for r in fixed.rentals if can_rent(r)),
        expansions=tuple(r for r in fixed.expansions if can_expand(r)))
    dropped = sum(len(getattr(fixed, k)) - len(getattr(kept, k))
                  for k in ("purchases", "rentals", "expansions"))
    return kept, dropped
