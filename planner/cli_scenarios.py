"""Commands for scenarios: ``planner whatif``, ``planner sweep`` and ``planner plan --hedge``.

Every solve is an independent job run on local processes (``--workers N``) or on a Dask
cluster (``--scheduler ADDRESS``); see :mod:`planner.scenarios.runner`.
"""

from __future__ import annotations

import argparse
import json
import sys

from planner import cli_ledger
from planner.api_commands import hedge_workbook, record_hedge, sweep_workbook, whatif_workbook
from planner.cli_options import add_output_flags, add_solver_flags, progress_printer, solve_options
from planner.domain import PlannerError
from planner.scenarios.report_sweep import tornado_rows
from planner.scenarios.whatif import regret_matrix


def _common(p: argparse.ArgumentParser, suffix: str) -> None:
    p.add_argument("workbook", help="input workbook (.xlsx)")
    p.add_argument("--out", help=f"output workbook (default outputs/<input-name>-{suffix}.xlsx)")
    p.add_argument("--force", action="store_true",
                   help="let --out replace an existing workbook the planner did not write")
    _parallel(p)
    add_solver_flags(p, each=True)
    add_output_flags(p)


def _parallel(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, metavar="N",
                   help="solves run at once in local processes (default: the number of CPUs)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the solves on this Dask distributed scheduler (e.g. tcp://host:8786)")


def _failures(outcomes, what: str) -> None:
    failed = [o for o in outcomes if not o.has_plan]
    if failed:
        print(f"planner: warning: {len(failed)} {what} solve(s) failed or were infeasible; "
              "see the Runs sheet", file=sys.stderr)


def _add_forecast_flag(p: argparse.ArgumentParser, prefix: str = "") -> None:
    p.add_argument("--forecast-scenarios", action="store_true",
                   help=f"{prefix}use the low/base/high demand scenarios of the history "
                        "forecasts (P10/P50/P90) instead of the Scenarios sheet")


def _costs(outcome) -> dict | None:
    """The outcome's cost of ownership and penalties by kind (planner.domain.costs)."""
    return outcome.costs.as_dict() if outcome.costs is not None else None


def money_words(costs, rate: float | None) -> str:
    """'$1,234 cost of ownership (NPV at 8.0%/yr, annuity basis, pre-tax)': which money a
    scenario's figure is, as the plan's one-line answer says it."""
    basis = costs.basis_words(rate) if rate is not None else "NPV"
    return f"{costs.describe()} ({basis})"


def cmd_whatif(args: argparse.Namespace) -> int:
    w, out = whatif_workbook(args.workbook, args.out, options=solve_options(args),
                             workers=args.workers, scheduler=args.scheduler,
                             forecast_scenarios=args.forecast_scenarios,
                             progress=progress_printer(args), force=args.force)
    base = w.optima["base"].total_cost_usd
    summary = {
        "report": str(out),
        "scenarios": [{"scenario": c.name, "status": w.optima[c.name].status,
                       "total_cost_usd": w.optima[c.name].total_cost_usd,
                       "costs": _costs(w.optima[c.name]),
                       "difference_from_base_usd": None if base is None or
                       w.optima[c.name].total_cost_usd is None
                       else w.optima[c.name].total_cost_usd - base} for c in w.cases],
        "regret_usd": [{"plan_made_for": c.plan_for, "evaluated_under": c.scenario,
                        "regret_usd": c.regret_usd,
                        "regret_cost_of_ownership_usd": c.regret_cost_of_ownership_usd,
                        "regret_penalties_usd": c.regret_penalties_usd,
                        "costs": c.costs.as_dict() if c.costs is not None else None,
                        "note": c.note} for c in regret_matrix(w)],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for c in w.cases:
            o = w.optima[c.name]
            print(f"{c.name}: {o.status}" +
                  (f", {money_words(o.costs, o.discount_rate_per_year)}"
                   if o.costs is not None else ""))
        print(f"comparison written to {out}")
    _failures(w.outcomes, "what-if")
    return 0 if w.optima["base"].has_plan else 1


def _values(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def cmd_sweep(args: argparse.Namespace) -> int:
    if bool(args.tornado) == bool(args.param):
        raise PlannerError("give either --param NAME --values V1,V2,... or --tornado "
                           "NAME:LOW:HIGH,...")
    if args.param and not args.values:
        raise PlannerError("--values: give the values to sweep, e.g. --values 0.8,1,1.2")
    mode = "tornado" if args.tornado else "sweep"
    res, out = sweep_workbook(args.workbook, args.out, parameter=args.param,
                              values=_values(args.values or ""), selector=args.selector,
                              operation=args.operation, tornado_spec=args.tornado,
                              options=solve_options(args), workers=args.workers,
                              scheduler=args.scheduler, progress=progress_printer(args), force=args.force)
    points = [{"parameter": p.parameter, "value": p.value, "status": p.outcome.status,
               "total_cost_usd": p.outcome.total_cost_usd, "costs": _costs(p.outcome),
               "emissions_tco2e": p.outcome.emissions_tco2e}
              for p in res.points]
    summary = {"report": str(out), "base_total_cost_usd": res.base.total_cost_usd,
               "points": points}
    if args.tornado:
        summary["tornado"] = [dict(zip(("parameter", "low", "high", "cost_low_usd",
                                        "cost_high_usd", "low_minus_base_usd",
                                        "high_minus_base_usd", "swing_usd",
                                        "penalties_at_low_npv_usd",
                                        "penalties_at_high_npv_usd"), r))
                              for r in tornado_rows(res)]
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for p in res.points:
            costs = p.outcome.costs
            print(f"{p.parameter} = {p.value}: {p.outcome.status}"
                  + (f", {money_words(costs, p.outcome.discount_rate_per_year)}"
                     if costs is not None else ""))
        print(f"{mode} written to {out}")
    _failures(res.outcomes, mode)
    return 0 if res.base.has_plan else 1


def add_hedge_arguments(p: argparse.ArgumentParser) -> None:
    """``planner plan``'s hedging flags."""
    p.add_argument("--hedge", action="store_true",
                   help="plan hedged over the workbook's Scenarios (two-stage stochastic)")
    p.add_argument("--cvar-weight", type=float, default=0.0, metavar="W",
                   help="with --hedge: weight of CVaR in the objective, 0 to 1 (default 0)")
    p.add_argument("--alpha", type=float, default=0.9, metavar="A",
                   help="with --hedge: CVaR level, the worst 1-A of outcomes (default 0.9)")
    _add_forecast_flag(p, "with --hedge: ")
    _parallel(p)


def cmd_hedge(args: argparse.Namespace) -> int:
    """``planner plan WORKBOOK --hedge``."""
    a, out = hedge_workbook(args.workbook, args.out, options=solve_options(args),
                            cvar_weight=args.cvar_weight, alpha=args.alpha, workers=args.workers,
                            scheduler=args.scheduler, forecast_scenarios=args.forecast_scenarios,
                            progress=progress_printer(args), force=args.force)
    run_id = None
    if args.ledger is not None:
        run_id = record_hedge(args.ledger, args.workbook, a, out, args.forecast_scenarios)
    costs = a.expected_costs()
    summary = {"hedged": True, "scenarios": len(a.scenarios),
               "probabilities": a.probabilities, "status": a.hedge.status,
               "termination": a.hedge.termination,
               "expected_costs": costs.as_dict() if costs is not None else None,
               "expected_cost_usd": a.expected_cost_usd, "cvar_usd": a.cvar_usd(),
               "eev_usd": a.eev_usd, "vss_usd": a.vss_usd, "wait_and_see_usd": a.wait_and_see_usd,
               "evpi_usd": a.evpi_usd, "eev_unknown_in": a.eev_gaps() or None,
               "scenario_costs_usd": a.scenario_costs(),
               "report": str(out), "run_id": run_id}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        cost = (f"expected {money_words(costs, a.hedge.discount_rate_per_year)}" if costs is not None
                else "no hedged plan")
        print(f"hedged plan over {len(a.scenarios)} scenarios, {a.hedge.termination}: {cost}; "
              f"report written to {out}" + cli_ledger.recorded(run_id, args.ledger))
    if args.csv:
        print("planner: warning: --csv is not written with --hedge", file=sys.stderr)
    _failures(a.outcomes, "hedge")
    return 0 if a.hedge.has_plan else 1


def register(sub) -> None:
    w = sub.add_parser("whatif", help="solve the base and every scenario; compare costs, "
                                      "purchases and regret")
    _common(w, "whatif")
    _add_forecast_flag(w)
    w.set_defaults(func=cmd_whatif)

    s = sub.add_parser("sweep", help="sensitivity of the plan's cost to one parameter, or a "
                                     "tornado over several")
    _common(s, "sweep")
    s.add_argument("--param", metavar="NAME", help="parameter to sweep (see the Scenarios sheet)")
    s.add_argument("--selector", help="chip, site or workload, and/or quarters (2028Q1..2029Q4)")
    s.add_argument("--operation", choices=["set", "multiply", "add"],
                   help="how each value changes the parameter (tornado default: multiply)")
    s.add_argument("--values", metavar="V1,V2,...", help="values to sweep, comma-separated")
    s.add_argument("--tornado", metavar="NAME:LOW:HIGH,...",
                   help="tornado over several parameters, e.g. demand:0.8:1.2,rent_price:0.7:1.5"
                        " (NAME@SELECTOR for one chip, site or workload)")
    s.set_defaults(func=cmd_sweep)
