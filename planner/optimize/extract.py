"""Turn solved variables into the tidy records of a PlanResult."""

from __future__ import annotations

import pulp

from planner.domain import (
    AllocationRow,
    ApiRow,
    CapacityRow,
    CashFlowRow,
    ExpansionRow,
    FleetRow,
    PlanResult,
    PowerRow,
    PurchaseRow,
    RentalRow,
    RetirementRow,
    SolverInfo,
    StackRow,
    TrainingRow,
)
from planner.optimize.cost_terms import CATEGORIES, CostTerms
from planner.optimize.emissions import emission_records
from planner.optimize.fleet import expansion_kw
from planner.optimize.parameters import Parameters
from planner.optimize.tax import TAX_CATEGORIES
from planner.optimize.variables import Variables, cohorts

EPS = 1e-6


def value(var: pulp.LpVariable | None) -> float:
    if var is None:
        return 0.0
    x = var.varValue
    return float(x) if x is not None else 0.0


def count(var: pulp.LpVariable | None) -> int:
    """Integer decision value, rounded (solvers return 2.9999999 for 3)."""
    return round(value(var))


def _by_time(items):
    return sorted(items, key=lambda kv: (kv[0][-1],) + tuple(str(k) for k in kv[0][:-1]))


def purchases(p: Parameters, v: Variables) -> list[PurchaseRow]:
    rows = []
    for (c, s, o), var in _by_time(v.buy.items()):
        if (n := count(var)) > 0:
            price = p.buy_price_usd[c, o]
            rows.append(PurchaseRow(c, s, p.periods[o], p.periods[p.delivered(c, o)], n, price, n * price))
    return rows


def rentals(p: Parameters, v: Variables) -> list[RentalRow]:
    H, rows = p.hours_per_quarter, []
    for (c, t), var in _by_time(v.rent.items()):
        if (n := count(var)) > 0:
            price = p.rent_usd_per_hour[c]
            rows.append(RentalRow(c, p.periods[t], "on-demand", 1, n, price, n * price * H))
    for (c, k, t), var in _by_time(v.reserve.items()):
        if (n := count(var)) > 0:
            price = p.reserved_usd_per_hour[c, k]
            rows.append(RentalRow(c, p.periods[t], "reserved", k, n, price, n * price * H * k))
    return sorted(rows, key=lambda r: (r.quarter, r.chip, r.kind))


def retirements(p: Parameters, v: Variables) -> list[RetirementRow]:
    rows = []
    for (c, s, kind, idx, t), var in _by_time(v.retire.items()):
        if (n := count(var)) > 0:
            delivered = p.delivered(c, idx) if kind == "new" else idx
            price = p.buy_price_usd[c, idx] if kind == "new" else p.ref_price_usd[c]
            resale = price * p.resale(c, t - delivered)
            vintage = p.periods[idx] if 0 <= idx < p.horizon else f"{idx:+d}q"
            rows.append(RetirementRow(c, s, vintage, p.periods[t], n, resale, n * resale))
    return rows


def _cohort_left(p: Parameters, v: Variables, c, s, kind, idx, delivered, t) -> int:
    size = count(v.buy[c, s, idx]) if kind == "new" else p.existing[c, s, idx]
    sold = sum(count(v.retire[c, s, kind, idx, tau])
               for tau in p.retirement_quarters(c, delivered) if tau <= t)
    return size - sold


def _vintage_label(p: Parameters, kind: str, idx: int) -> str:
    if kind == "new":
        return p.periods[idx]
    return p.periods[idx] if idx >= 0 else f"before start ({idx:+d} quarters)"


def fleet(p: Parameters, v: Variables) -> list[FleetRow]:
    """Chips held each quarter: owned by cohort, rented, reserved.  Cohorts and
    reservations are grouped once (a scan per chip and quarter took 12 s on 200 chips)."""
    rows = []
    pairs = sorted({(c, s) for (c, s, _t) in v.fleet})
    held = {pair: cohorts(p, *pair) for pair in pairs}
    reservations: dict[str, list[tuple[int, int, int]]] = {}
    for (c, k, start), var in v.reserve.items():
        reservations.setdefault(c, []).append((start, k, count(var)))
    for t, q in enumerate(p.periods):
        for c, s in pairs:
            for kind, idx, delivered in held[c, s]:
                if t in p.alive_range(c, delivered):
                    n = _cohort_left(p, v, c, s, kind, idx, delivered, t)
                    if n > 0:
                        rows.append(FleetRow(q, c, s, "owned", _vintage_label(p, kind, idx), n))
        for c in p.chips:
            if (n := count(v.rent.get((c, t)))) > 0:
                rows.append(FleetRow(q, c, "cloud", "rented", "", n))
            reserved = sum(n for start, k, n in reservations.get(c, ()) if start <= t < start + k)
            if reserved > 0:
                rows.append(FleetRow(q, c, "cloud", "reserved", "", reserved))
    return rows


def allocation(p: Parameters, v: Variables) -> list[AllocationRow]:
    rows = []
    for (w, c, t), var in _by_time(v.alloc.items()):
        if (x := value(var)) > EPS:
            per_day = x * p.capacity_at(w, c, t)
            rows.append(AllocationRow(p.periods[t], w, c, x, per_day / 86400.0, per_day))
    for (w, c, t, phase), var in _by_time(v.phase_alloc.items()):
        if (x := value(var)) > EPS:
            per_day = x * p.phase_capacity_at(w, c, phase, t)
            rows.append(AllocationRow(p.periods[t], w, c, x, per_day / 86400.0, per_day, phase))
    return sorted(rows, key=lambda r: (r.quarter, r.workload, r.chip, r.phase))


def api_usage(p: Parameters, v: Variables) -> list[ApiRow]:
    days, rows = p.hours_per_quarter / 24.0, []
    for (w, a, t), var in _by_time(v.api.items()):
        if (x := value(var) * p.scale(w)) > EPS:
            price = p.api_usd_per_mtok(w, a)
            rows.append(ApiRow(p.periods[t], w, a, x, price, x * price * days / 1e6))
    return rows


def capacity(p: Parameters, v: Variables) -> list[CapacityRow]:
    rows = []
    for t, q in enumerate(p.periods):
        for w in p.workloads:
            demand = p.demand[w, t]
            unmet = min(demand, max(0.0, value(v.unmet[w, t]) * p.scale(w)))
            rows.append(CapacityRow(q, w, demand, demand - unmet, unmet))
    return rows


def power(p: Parameters, v: Variables) -> list[PowerRow]:
    rows = []
    for t, q in enumerate(p.periods):
        for s in p.sites:
            it_kw = sum(p.power_kw[c] * value(v.fleet[c, s, t]) for c in p.power_kw if (c, s, t) in v.fleet)
            cap = p.site_cap_kw[s, t] + sum(kw * count(var) for var, kw in expansion_kw(p, v, s, t))
            facility = it_kw * p.site_pue[s]
            energy_mwh = facility * p.power_draw_fraction * p.hours_per_quarter / 1e3
            rows.append(PowerRow(q, s, it_kw, facility, cap, energy_mwh))
    return rows


def training(p: Parameters, v: Variables) -> list[TrainingRow]:
    rows = []
    for (r, c, chips, s, start), var in sorted(v.gang.items(), key=lambda kv: (kv[0][0], kv[0][4])):
        if count(var) == 1:
            quarters = p.train_quarters[r, c, chips]
            for t in range(start, start + quarters):
                rows.append(TrainingRow(r, p.periods[t], c, chips, 1.0 / quarters, s))
    return rows


def expansions(p: Parameters, v: Variables) -> list[ExpansionRow]:
    rows = []
    for (x, t), var in _by_time(v.expand.items()):
        if count(var) == 1:
            e = p.expansions[x]
            ready = p.periods[t + e.lead_quarters] if t + e.lead_quarters < p.horizon else "after horizon"
            rows.append(ExpansionRow(e.site, x.split("/", 1)[1], p.periods[t], ready, e.extra_kw,
                                     e.cost_usd))
    return rows


def stacks_adopted(p: Parameters, v: Variables) -> list[StackRow]:
    return [StackRow(k, p.stack_cost_usd[k]) for k in sorted(p.stack_cost_usd)
            if count(v.stack.get((k, p.horizon - 1))) == 1]


def cashflow(p: Parameters, costs: CostTerms) -> list[CashFlowRow]:
    """Money per quarter from the same cost terms as the objective, so the discounted
    cost plus discounted penalties, summed over quarters, equal the objective."""
    rows = []
    for t, q in enumerate(p.periods):
        m = {cat: costs.value(cat, t, value) for cat in CATEGORIES}
        rows.append(CashFlowRow(
            quarter=q, capital_usd=m["capital"], rental_usd=m["rental"], power_usd=m["power"],
            residual_credit_usd=-m["residual"], discount_factor=p.discount[t],
            resale_usd=-m["resale"], api_usd=m["api"], expansion_usd=m["expansion"],
            stack_usd=m["stack"], unmet_inference_penalty_usd=m["unmet_inference"],
            unmet_training_penalty_usd=m["unmet_training"],
            budget_overrun_penalty_usd=m["overrun"],
            emissions_overrun_penalty_usd=m["emissions_overrun"], carbon_cost_usd=m["carbon"],
            capital_charge_usd=m["capital_charge"] if p.cost_basis == "annuity" else None,
            **{f"{cat}_usd": m[cat] for cat in TAX_CATEGORIES}))
    return rows


#: PlanResult field -> the function that extracts it.
RECORDS = {"purchases": purchases, "rentals": rentals, "retirements": retirements, "fleet": fleet,
           "allocation": allocation, "api_usage": api_usage, "capacity": capacity, "power": power,
           "training": training, "expansions": expansions, "stacks_adopted": stacks_adopted}


def plan_result(p: Parameters, v: Variables, costs: CostTerms, info: SolverInfo,
                throughput: dict, training_estimates: dict | None,
                emitted=None) -> PlanResult:
    """A solved model's PlanResult: every record, the cash flow and the estimates used."""
    result = PlanResult(solver=info, periods=p.periods, throughput=list(throughput.values()),
                        training_estimates=list((training_estimates or {}).values()),
                        cost_basis=p.cost_basis, tax_basis=p.tax.words)
    for name, records in RECORDS.items():
        setattr(result, name, records(p, v))
    result.cashflow = cashflow(p, costs)
    result.emissions = emission_records(p, v, emitted)
    result.emissions_basis = p.carbon.basis
    return result
