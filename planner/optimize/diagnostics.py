"""What binds, and what relaxing it would be worth.

After the MIP, the integer decisions are fixed from below at their values (made
continuous, free to grow but not to shrink) in a copy of the model, and that LP is solved;
the solved MIP is not touched.  The rows to report are found by family in the model's
registry (:class:`planner.optimize.model.Rows`), not by parsing their names.  Fixing them
exactly would make every capacity limit's dual zero (no fixed fleet can use one more kW);
fixing them from below lets the LP add a fraction of a chip, so its duals are the
shadow prices of the power caps, budgets, supply caps,
site space and API limits: how much the discounted total cost would fall with one more
kW, dollar, chip or token/day.  Unmet demand is traced to what stopped it being served.
"""

from __future__ import annotations

import pulp

from planner.domain import DiagnosticRow
from planner.optimize.model import Model
from planner.optimize.parameters import Parameters
from planner.optimize.solver import constraint_items, silenced_stdout, solver_command
from planner.optimize.variables import Variables


def _site_quarter(p: Parameters, key: tuple) -> tuple[str, str]:
    return str(key[0]), p.periods[key[1]]


def _budget(p: Parameters, key: tuple) -> tuple[str, str]:
    return "company", str(key[1])


def _year(p: Parameters, key: int) -> tuple[str, str]:
    return "company", str(key)


#: Constraint families worth reporting: family -> (what the report calls it, unit, where
#: and when a row's key says it binds).
REPORTED = {
    "power_cap": ("power cap", "kW", _site_quarter),
    "site_space": ("site space", "chip slot", _site_quarter),
    "supply_cap": ("supply cap", "chip", _site_quarter),
    "api_cap": ("API volume limit", "token/day", _site_quarter),
    "budgets": ("budget", "USD", _budget),
    "emissions_cap": ("emissions cap", "tCO2e", _year),
}


def _fixed_relaxation(prob: pulp.LpProblem) -> pulp.LpProblem:
    """A copy of ``prob`` with its integer decisions made continuous and held at or above
    their values in the solved ``prob`` (which is left as it is)."""
    variables, copy = pulp.LpProblem.fromDict(prob.toDict())
    for var in prob.variables():
        if var.cat == pulp.LpInteger:
            twin = variables[var.name]
            twin.lowBound = round(var.varValue or 0.0)
            twin.cat = pulp.LpContinuous
    return copy


def shadow_prices(model: Model, p: Parameters, solver: str, time_limit_s: float) -> list[DiagnosticRow]:
    """Fix integers from below in a copy of the model, solve that LP, report the binding
    rows of the :data:`REPORTED` families with their duals."""
    lp = _fixed_relaxation(model.prob)
    with silenced_stdout():
        lp.solve(solver_command(solver, time_limit_s, 0.0, None))
    if lp.status != pulp.LpStatusOptimal:
        return []
    named = dict(constraint_items(lp))
    rows = []
    for family, keyed in model.rows.items():
        if family not in REPORTED:
            continue
        label, unit, locate = REPORTED[family]
        for key, name in keyed.items():
            con = named[name]
            if con.pi is None or abs(con.pi) < 1e-6:
                continue
            where, quarter = locate(p, key)
            what = f"{key[0]} {label}" if family == "budgets" else label
            saving = -con.pi if con.sense == pulp.LpConstraintLE else con.pi
            if family == "api_cap":  # the row is scaled to a share of the cap
                saving /= p.apis[where].max_tokens_per_day
            rows.append(DiagnosticRow(what, where, quarter, unit, saving,
                                      f"{what} binds at {where} in {quarter}: one more {unit} "
                                      f"would save ${saving:,.2f} (discounted)"))
    rows.sort(key=lambda r: -abs(r.shadow_price_usd))
    return rows


#: The causes of unmet demand the Diagnostics sheet names, in the order they are tested.
CAUSES = {
    "targets": "no chip meets its targets",
    "not deliverable": "nothing deliverable yet",
    "power cap": "power",
    "site space": "space",
    "supply cap": "supply cap",
    "budget": "budget",
    "emissions cap": "emissions cap",
    "penalty": "penalty cheaper than serving",
}


def _deliverable(p: Parameters, w: str, t: int) -> bool:
    """Whether anything that can serve ``w`` could be in service in quarter ``t``: a
    rental, an API, a purchase delivered by then or an existing chip still alive."""
    if p.api_for.get(w):
        return True
    for c in p.chips:
        if (w, c) not in p.capacity or not p.stack_allowed(w, c):
            continue
        if c in p.rent_usd_per_hour or any(k[0] == c for k in p.reserved_usd_per_hour):
            return True
        if any(c2 == c and p.delivered(c, o) <= t for (c2, o) in p.buy_price_usd):
            return True
        if any(c2 == c and t in p.alive_range(c, d) for (c2, _s, d) in p.existing):
            return True
    return False


def _binding_cause(p: Parameters, t: int, binding: list[DiagnosticRow]) -> tuple[str, str]:
    """The first binding limit that can stop serving in quarter ``t``: power and space then,
    a supply cap then or before, a budget of that year or before."""
    quarter, year = p.periods[t], p.years[t]
    for family, label in (("power cap", "power"), ("site space", "space")):
        rows = [b for b in binding if b.constraint == family and b.quarter == quarter]
        # chips bought once serve many quarters, so the duals of a limit binding in several
        # quarters are degenerate: the price may sit in a neighbouring quarter
        rows = rows or [b for b in binding if b.constraint == family]
        if rows:
            return label, rows[0].message
    rows = [b for b in binding if b.constraint == "supply cap" and b.quarter <= quarter]
    if rows:
        return "supply cap", rows[0].message
    rows = [b for b in binding if b.constraint.endswith("budget") and int(b.quarter) <= year]
    if rows:
        return "budget", rows[0].message + " (each dollar over costs " \
            f"budget_overrun_penalty_usd_per_usd = {p.overrun_usd_per_usd:g})"
    rows = [b for b in binding if b.constraint == "emissions cap" and int(b.quarter) == year]
    if rows:
        return "emissions cap", rows[0].message
    return "", ""


def unmet_cause(p: Parameters, w: str, t: int, binding: list[DiagnosticRow]) -> tuple[str, str]:
    """(cause, explanation) of demand of ``w`` left unmet in quarter ``t``."""
    if w in p.unservable:
        return (CAUSES["targets"], "no offered chip can serve it (latency targets or model size): "
                + p.unservable[w])
    if not _deliverable(p, w, t):
        return (CAUSES["not deliverable"], ("nothing that can serve it can be in service by "
                f"{p.periods[t]}: no rental, no API, and no purchase delivered by then (lead "
                "time or availability window)"))
    cause, why = _binding_cause(p, t, binding)
    if cause:
        return cause, why
    return (CAUSES["penalty"], ("serving it costs more than the unmet-demand penalty "
            "(raise unmet_penalty_usd_per_million_tokens if it must be met)"))


def unmet_causes(p: Parameters, v: Variables, binding: list[DiagnosticRow]) -> list[DiagnosticRow]:
    """One row per workload and quarter with demand left unmet, naming its cause (CAUSES)."""
    rows = []
    for (w, t), var in sorted(v.unmet.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        short = (var.varValue or 0.0) * p.scale(w)
        if short <= 1e-6 * max(1.0, p.demand[w, t]):
            continue
        quarter = p.periods[t]
        cause, why = unmet_cause(p, w, t, binding)
        rows.append(DiagnosticRow("unmet demand", w, quarter, "token/day", 0.0,
                                  f"{short:,.0f} tokens/day of {w} not met in {quarter}: "
                                  f"cause: {cause}: {why}"))
    for (kind, year), var in v.overrun.items():
        if (var.varValue or 0.0) > 0.5:
            rows.append(DiagnosticRow(f"{kind} budget overrun", "company", str(year), "USD", 0.0,
                                      f"{kind} budget for {year} exceeded by ${var.varValue:,.0f}"))
    for year, var in v.emissions_overrun.items():
        if (var.varValue or 0.0) > 1e-3:
            rows.append(DiagnosticRow("emissions cap overrun", "company", str(year), "tCO2e",
                                      0.0, f"emissions cap for {year} exceeded by "
                                      f"{var.varValue:,.1f} tCO2e (each tonne over costs "
                                      "emissions_overrun_penalty_usd_per_tco2e = "
                                      f"{p.carbon.overrun_usd_per_t:g})"))
    return rows
