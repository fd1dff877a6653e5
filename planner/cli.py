"""Command line: a thin layer over :mod:`planner.api`.

Exit codes: 0 success (a plan with unmet demand is a success with a warning),
1 no plan could be made or a requested figure cannot be produced, 2 the input is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from planner import __version__, cli_forecast, cli_ledger, cli_perf, cli_scenarios
from planner.api import plan_workbook, write_template
from planner.cli_options import add_output_flags, add_solver_flags, progress_printer
from planner.domain import PlannerError
from planner.domain.status import Status, Termination
from planner.io.paths import check_output_file


def _plan_summary(result, report: Path) -> dict:
    s = result.solver
    return {
        "status": s.status,
        "termination": s.termination,
        "objective_usd": s.objective_usd,
        "total_cost_usd": result.total_cost_usd if result.cashflow else None,
        "costs": result.costs.as_dict() if result.cashflow else None,
        "best_bound_usd": s.best_bound_usd,
        "gap": s.gap,
        "solve_seconds": round(s.solve_seconds, 3),
        "build_seconds": round(s.build_seconds, 3),
        "solver": s.solver,
        "unmet_demand_share": result.unmet_demand_share,
        "chips_bought": sum(r.quantity for r in result.purchases),
        "report": str(report),
        "message": s.message,
    }


def _single_type(result, inp) -> dict:
    """The single-chip-type comparison's --json keys (null, with the reason in
    ``single_type_note``, when it was not computed or states no saving)."""
    from planner.optimize.single_type import why_not

    c = result.single_type
    if c is None:
        return {"single_type_best_usd": None, "single_type_best_chip": None,
                "mix_saving_share": None, "single_type_basis": None, "single_type_options": None,
                "single_type_note": why_not(inp, result)}
    options = [{"chip": o.chip, "termination": o.termination,
                "cost_of_ownership_npv_usd": o.cost_of_ownership_usd,
                "objective_npv_usd": o.objective_usd,
                "unmet_demand_share": o.unmet_demand_share, "gap": o.gap,
                "note": o.message} for o in c.options]
    return {"single_type_best_usd": c.single_type_best_usd, "single_type_best_chip": c.best_chip,
            "mix_saving_share": c.mix_saving_share, "single_type_basis": c.basis,
            "single_type_options": options, "single_type_note": c.note}


def _saving_words(result) -> str:
    """'; mixing chip types saves 12.5% ($10,000) against X alone (new chips of one type,
    owned fleet kept)', or '' when no saving is stated."""
    c = result.single_type
    if c is None or c.single_type_best_usd is None:
        return ""
    from planner.optimize.single_type import SCOPE_WORDS
    from planner.report.recommend import money, share

    saving = c.single_type_best_usd - c.plan_cost_usd
    return (f"; mixing chip types {'saves' if saving >= 0 else 'costs'} "
            f"{share(abs(c.mix_saving_share))} ({money(abs(saving))}) against {c.best_chip} "
            f"alone ({SCOPE_WORDS})")


def cmd_plan(args: argparse.Namespace) -> int:
    if getattr(args, "hedge", False):
        return cli_scenarios.cmd_hedge(args)
    if getattr(args, "forecast_scenarios", False):
        raise PlannerError("--forecast-scenarios needs --hedge (or use planner whatif "
                           "--forecast-scenarios)")

    run = plan_workbook(
        args.workbook, args.out, solver=args.solver, time_limit_s=args.time_limit,
        mip_gap=args.gap, csv_dir=args.csv, progress=progress_printer(args), ledger=args.ledger,
        force=args.force)
    inp, result, report = run
    training = _training_warnings(result, inp)
    summary = {**_plan_summary(result, report), **_single_type(result, inp),
               "run_id": run.run_id, "training_warnings": training}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        cost = (f"{result.costs.describe()} "
                f"({result.costs.basis_words(inp.settings.discount_rate_per_year)})"
                if result.cashflow else "no plan")
        print(f"{summary['termination']}: {cost}{_saving_words(result)}; report written to "
              f"{report}"
              + cli_ledger.recorded(run.run_id, args.ledger))
    if result.solver.status == Status.ERROR:
        print(f"planner: no plan: {result.solver.message}", file=sys.stderr)
        return 1
    if result.solver.termination == Termination.TIME_LIMIT:
        from planner.report.recommend import gap_words
        print(f"planner: warning: {result.solver.message} ({gap_words(result)})",
              file=sys.stderr)
    if result.has_unmet_demand:
        from planner.report.recommend import share

        print(f"planner: warning: {share(result.unmet_demand_share)} of demand is not met; "
              "see the Capacity sheet", file=sys.stderr)
    for text in training:
        print(f"planner: warning: {text}", file=sys.stderr)
    return 0


def _training_warnings(result, inp) -> list[str]:
    """'training run 'x' is not scheduled; see the Training sheet', one per run short."""
    if result.solver.status == "error":
        return []
    from planner.report.metrics import training_shortfalls
    from planner.report.recommend import share

    return [f"training run '{run}' " + ("is not scheduled" if done <= 0 else
                                        f"is only {share(done)} scheduled")
            + "; see the Training sheet" for run, done in training_shortfalls(result, inp)]


def cmd_template(args: argparse.Namespace) -> int:
    target = check_output_file(args.path, option="template path", force=args.force)
    if target.exists() and not args.force:
        raise PlannerError(f"{target} exists: refusing to replace it with a blank template; "
                           "choose another path, or add --force to replace it")
    path = write_template(target)
    print(f"template written to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner", description="Plan an accelerator fleet: what to buy or rent, where and when.")
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("plan", help="solve a plan for a workbook and write the Excel report")
    p.add_argument("workbook", help="input workbook (.xlsx)")
    p.add_argument("--out", help="report path (default outputs/<input-name>-plan.xlsx)")
    add_solver_flags(p)
    p.add_argument("--csv", metavar="DIR", help="also write every report table as CSV into DIR")
    p.add_argument("--force", action="store_true",
                   help="let --out replace an existing workbook the planner did not write")
    add_output_flags(p)
    cli_ledger.add_ledger_options(p)
    cli_scenarios.add_hedge_arguments(p)
    p.set_defaults(func=cmd_plan)

    t = sub.add_parser("template", help="write a blank input workbook with a README sheet")
    t.add_argument("path", help="where to write the template (.xlsx)")
    t.add_argument("--force", action="store_true", help="replace an existing file at PATH")
    t.set_defaults(func=cmd_template)

    cli_perf.register(sub)
    cli_forecast.register(sub)
    cli_scenarios.register(sub)
    cli_ledger.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from planner.runtime import command_runtime

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with command_runtime():
            return int(args.func(args) or 0)
    except PlannerError as exc:
        print(f"planner: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("planner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into `head`: the reader left, nothing to report
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (kept open until exit)
        return 0


if __name__ == "__main__":
    sys.exit(main())
