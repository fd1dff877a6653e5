"""What binds, and what relaxing it would be worth.

After the MIP, the integer decisions are fixed from below at their values (made
continuous, free to grow but not to shrink) and the LP is solved again.  Fixing them
exactly would make every capacity limit's dual zero (no fixed fleet can use one more kW);
fixing them from below lets the LP add a fraction of a chip, so its duals are the
shadow prices of the power caps, budgets, supply caps,
site space and API limits: how much the discounted total cost would fall with one more
kW, dollar, chip or token/day.  Unmet demand is traced to what stopped it being served.
"""

from __future__ import annotations

import re

import pulp

from planner.domain import DiagnosticRow
from planner.optimize.parameters import Parameters
from planner.optimize.solver import constraint_items, silenced_stdout, solver_command
from planner.optimize.variables import Variables

_FAMILIES = {
    # name pattern -> (family, unit, which index list, has quarter)
    r"^power_(\d+)_(\d+)$": ("power cap", "kW", "sites"),
    r"^space_(\d+)_(\d+)$": ("site space", "chip slot", "sites"),
    r"^api_cap_(\d+)_(\d+)$": ("API volume limit", "token/day", "apis"),
}
_BUDGET = re.compile(r"^budget_(capex|opex)_(\d{4})$")
_SUPPLY = re.compile(r"^supply_buy_(\d+)_\d+_(\d+)$")


def _fix_integers_from_below(prob: pulp.LpProblem) -> None:
    for var in prob.variables():
        if var.cat == pulp.LpInteger:
            var.lowBound = round(var.varValue or 0.0)
            var.cat = pulp.LpContinuous


def _describe(name: str, p: Parameters) -> tuple[str, str, str, str] | None:
    """(family, where, quarter, unit) for a constraint name worth reporting."""
    for pattern, (family, unit, index) in _FAMILIES.items():
        m = re.match(pattern, name)
        if m:
            names = list(getattr(p, index))
            return family, names[int(m.group(1))], p.periods[int(m.group(2))], unit
    m = _BUDGET.match(name)
    if m:
        return f"{m.group(1)} budget", "company", m.group(2), "USD"
    m = _SUPPLY.match(name)
    if m:
        return "supply cap", p.chips[int(m.group(1))], p.periods[int(m.group(2))], "chip"
    return None


def shadow_prices(prob: pulp.LpProblem, p: Parameters, solver: str, time_limit_s: float) -> list[DiagnosticRow]:
    """Fix integers from below, re-solve the LP, report binding constraints' duals."""
    _fix_integers_from_below(prob)
    with silenced_stdout():
        prob.solve(solver_command(solver, time_limit_s, 0.0, None))
    if prob.status != pulp.LpStatusOptimal:
        return []
    rows = []
    for name, con in constraint_items(prob):
        described = _describe(name, p)
        if described is None or con.pi is None or abs(con.pi) < 1e-6:
            continue
        family, where, quarter, unit = described
        saving = -con.pi if con.sense == pulp.LpConstraintLE else con.pi
        if family == "API volume limit":  # the row is scaled to a share of the cap
            saving /= p.apis[where][2]
        rows.append(DiagnosticRow(family, where, quarter, unit, saving,
                                  f"{family} binds at {where} in {quarter}: one more {unit} "
                                  f"would save ${saving:,.2f} (discounted)"))
    rows.sort(key=lambda r: -abs(r.shadow_price_usd))
    return rows


def unmet_causes(p: Parameters, v: Variables, binding: list[DiagnosticRow]) -> list[DiagnosticRow]:
    """One row per workload and quarter with demand left unmet, saying why."""
    rows = []
    for (w, t), var in sorted(v.unmet.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        short = (var.varValue or 0.0) * p.scale(w)
        if short <= 1e-6 * max(1.0, p.demand[w, t]):
            continue
        quarter = p.periods[t]
        servers = [c for c in p.chips if (w, c) in p.capacity and p.stack_allowed(w, c)]
        if not servers and not p.api_for.get(w):
            reason = "no offered chip can serve it (model does not fit or latency targets cannot be met)"
        else:
            here = [b.message for b in binding if b.quarter == quarter or b.unit == "USD"]
            reason = "; ".join(here[:3]) if here else (
                "serving it costs more than the unmet-demand penalty "
                "(raise unmet_penalty_usd_per_million_tokens if it must be met)")
        rows.append(DiagnosticRow("unmet demand", w, quarter, "token/day", 0.0,
                                  f"{short:,.0f} tokens/day of {w} not met in {quarter}: {reason}"))
    for (kind, year), var in v.overrun.items():
        if (var.varValue or 0.0) > 0.5:
            rows.append(DiagnosticRow(f"{kind} budget overrun", "company", str(year), "USD", 0.0,
                                      f"{kind} budget for {year} exceeded by ${var.varValue:,.0f}"))
    return rows
