"""Constraint families on serving demand (docs/model.md, "Serving")."""

from __future__ import annotations

import pulp

from planner.optimize.parameters import Parameters
from planner.optimize.variables import CLOUD, Variables


def rented_terms(p: Parameters, v: Variables, c: str, t: int) -> list:
    """(variable, 1) for chips rented on demand in t and reserved terms covering t."""
    terms = [(v.rent[c, t], 1)] if (c, t) in v.rent else []
    for (c2, k) in p.reserved_usd_per_hour:
        if c2 == c:
            terms += [(v.reserve[c, k, tau], 1) for tau in range(max(0, t - k + 1), t + 1)]
    return terms


def training_use(p: Parameters, v: Variables) -> dict[tuple[str, str, int], list]:
    """(g, G) terms of gangs using chip c at place s (a site or the cloud) in quarter t: a
    gang of G chips started in tau holds them in tau .. tau + Q_{r,c,G} - 1."""
    use: dict[tuple[str, str, int], list] = {}
    for (r, c, chips, s, start), var in v.gang.items():
        for t in range(start, start + p.train_quarters[r, c, chips]):
            use.setdefault((c, s, t), []).append((var, chips))
    return use


def define_demand_balance(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """Demand served by chips or APIs, or priced as short, in units of the workload's
    peak demand sigma_w: sum_c (a_{w,c} gamma_{w,c,t}/sigma_w) x_{w,c,t} + sum_a z_{w,a,t} + u_{w,t}
    = D_{w,t}/sigma_w.  A disaggregated workload has one row per phase phi instead, each
    adding the chips doing only that phase: ... + sum_c (a^phi_{w,c}/sigma_w) x^phi_{w,c,t}
    >= D_{w,t}/sigma_w."""
    by_workload: dict[tuple[str, int], list] = {}
    for (w, c, t), var in v.alloc.items():
        by_workload.setdefault((w, t), []).append((var, p.capacity_at(w, c, t) / p.scale(w)))
    for (w, a, t), var in v.api.items():
        by_workload.setdefault((w, t), []).append((var, 1))
    phased: dict[tuple[str, int, str], list] = {}
    for (w, c, t, phase), var in v.phase_alloc.items():
        phased.setdefault((w, t, phase), []).append(
            (var, p.phase_capacity_at(w, c, phase, t) / p.scale(w)))
    split = {w for (w, _c, _phase) in p.phase_capacity}
    for i, w in enumerate(p.workloads):
        sigma = p.scale(w)
        for t in range(p.horizon):
            terms = by_workload.get((w, t), []) + [(v.unmet[w, t], 1)]
            if w not in split:
                prob += (pulp.LpAffineExpression(terms) == p.demand[w, t] / sigma, f"demand_{i}_{t}")
                continue
            for phase in ("prefill", "decode"):
                both = terms + phased.get((w, t, phase), [])
                prob += (pulp.LpAffineExpression(both) >= p.demand[w, t] / sigma,
                         f"demand_{phase}_{i}_{t}")


def define_chip_capacity(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """Chips used for serving and training are chips owned or rented:
    sum_w x_{w,c,t} + sum_{gangs} G g <= sum_s n_{c,s,t} + r_{c,t} + sum_k sum_{tau} m_{c,k,tau}."""
    used: dict[tuple[str, int], list] = {}
    for (w, c, t), var in v.alloc.items():
        used.setdefault((c, t), []).append((var, 1))
    for (w, c, t, _phase), var in v.phase_alloc.items():
        used.setdefault((c, t), []).append((var, 1))
    for (c, _s, t), terms in training_use(p, v).items():
        used.setdefault((c, t), []).extend(terms)
    ci = {c: i for i, c in enumerate(p.chips)}
    for (c, t), terms in used.items():
        available = [(v.fleet[c, s, t], -1) for s in p.sites if (c, s, t) in v.fleet]
        available += [(var, -1) for var, _ in rented_terms(p, v, c, t)]
        prob += (pulp.LpAffineExpression(terms + available) <= 0, f"chips_{ci[c]}_{t}")


def define_training_placement(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """A gang uses chips of one place: sum_{gangs at s} G g <= n_{c,s,t} at a site,
    <= r_{c,t} + reserved in the cloud."""
    for (c, s, t), terms in training_use(p, v).items():
        if s == CLOUD:
            available = [(var, -1) for var, _ in rented_terms(p, v, c, t)]
        else:
            available = [(v.fleet[c, s, t], -1)] if (c, s, t) in v.fleet else []
        prob += (pulp.LpAffineExpression(terms + available) <= 0,
                 f"gang_place_{terms[0][0].name}_{t}")


def define_training_choice(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """Each run trains once, as one gang of one size G of one chip type at one place, or is
    priced as undone: sum_{c,G,s,tau} g_{r,c,G,s,tau} + v_r = 1."""
    for i, r in enumerate(p.runs):
        terms = [(var, 1) for (r2, *_), var in v.gang.items() if r2 == r]
        terms.append((v.unmet_train[r], 1))
        prob += (pulp.LpAffineExpression(terms) == 1, f"train_{i}")


def define_api_cap(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """An API offering's daily volume limit, as a share of it:
    sum_w (sigma_w / Z_a) z_{w,a,t} <= 1."""
    for i, (a, api) in enumerate(p.apis.items()):
        cap = api.max_tokens_per_day
        if cap is None:
            continue
        for t in range(p.horizon):
            terms = [(var, p.scale(w) / cap) for (w, a2, t2), var in v.api.items()
                     if a2 == a and t2 == t]
            if terms:
                prob += (pulp.LpAffineExpression(terms) <= 1, f"api_cap_{i}_{t}", (a, t))


def define_stack_adoption(prob: pulp.LpProblem, p: Parameters, v: Variables) -> None:
    """A software stack is used only once adopted, and stays adopted:
    j_{k,t} >= j_{k,t-1};  x_{w,c,t} <= (D_{w,t} / a_{w,c}) j_{k(c),t};  g_{r,c,G,s,tau} <= j_{k(c),tau}."""
    for (k, t), var in v.stack.items():
        if t > 0:
            prob += (pulp.LpAffineExpression([(v.stack[k, t - 1], 1), (var, -1)]) <= 0,
                     f"stack_keep_{var.name}")
    for (w, c, t), var in v.alloc.items():
        k = p.chip_stack.get(c, "")
        if (k, t) in v.stack:
            most = p.demand[w, t] / p.capacity_at(w, c, t)  # chips that would serve it all
            prob += (pulp.LpAffineExpression([(var, 1), (v.stack[k, t], -most)]) <= 0,
                     f"stack_use_{var.name}")
    for (w, c, t, _phase), var in v.phase_alloc.items():
        k = p.chip_stack.get(c, "")
        if (k, t) in v.stack:
            most = p.demand[w, t] / p.phase_capacity_at(w, c, _phase, t)
            prob += (pulp.LpAffineExpression([(var, 1), (v.stack[k, t], -most)]) <= 0,
                     f"stack_use_{var.name}")
    for (r, c, _chips, s, start), var in v.gang.items():
        k = p.chip_stack.get(c, "")
        if (k, start) in v.stack:
            prob += (pulp.LpAffineExpression([(var, 1), (v.stack[k, start], -1)]) <= 0,
                     f"stack_use_{var.name}")
