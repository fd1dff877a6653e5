"""Command line for the plan ledger: ``planner history``, ``planner show``, ``planner replan``.

``register(subparsers)`` adds the three commands to the main parser (planner/cli.py).
"""

from __future__ import annotations

import argparse
import json
import sys

from planner.api import list_runs, load_run, replan
from planner.cli_options import add_output_flags, add_solver_flags, progress_printer
from planner.domain.status import Status
from planner.ledger.render import history_record, history_text, show_json, show_text
from planner.ledger.replan import parse_as_of
from planner.ledger.schema import DEFAULT_LEDGER


def cmd_history(args: argparse.Namespace) -> int:
    runs = list_runs(args.ledger)
    if args.json:
        print(json.dumps([history_record(h) for h in runs], indent=2))
    else:
        print(history_text(runs, args.ledger))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    run = load_run(args.ledger, args.run_id)
    print(json.dumps(show_json(run), indent=2) if args.json else show_text(run))
    return 0


def _replan_summary(outcome) -> dict:
    out = {"run_id": outcome.run_id, "previous_run_id": outcome.previous_run,
           "as_of": outcome.as_of, "skipped": outcome.skipped,
           "report": str(outcome.report) if outcome.report else None}
    if outcome.result is not None:
        s = outcome.result.solver
        out.update(status=s.status, termination=s.termination, gap=s.gap,
                   costs=outcome.result.costs.as_dict() if outcome.result.cashflow else None)
    if outcome.changes is not None:
        c = outcome.changes
        out.update(total_cost_usd=c.new_cost_usd, previous_total_cost_usd=c.previous_cost_usd,
                   cost_change_usd=c.cost_change_usd, changes=len(c.rows),
                   drivers=[d.text for d in c.drivers], notes=c.notes)
    return out


def _replan_text(outcome) -> str:
    if outcome.skipped:
        return (f"already re-planned as of {outcome.as_of}: run {outcome.run_id} "
                "(--force to re-plan again)")
    c = outcome.changes
    lines = [(f"run {outcome.run_id}: re-plan of run {outcome.previous_run} as of "
              f"{outcome.as_of}; report written to {outcome.report}")]
    if c is not None and c.cost_change_usd is not None:
        pen = outcome.result.costs.penalties_usd if outcome.result is not None else 0.0
        extra = f" + ${pen:,.0f} penalties" if pen >= 0.5 else ""
        lines.append(f"total cost of ownership ${c.new_cost_usd:,.0f} NPV{extra} "
                     f"({c.cost_change_usd:+,.0f} against run {c.previous_run}); "
                     f"{len(c.rows)} decision(s) changed")
    if c is not None:
        lines += [f"driver: {d.text}" for d in c.drivers]
    return "\n".join(lines)


def cmd_replan(args: argparse.Namespace) -> int:
    outcome = replan(args.workbook, parse_as_of(args.as_of), previous=args.previous,
                     force=args.force, inputs_dir=args.inputs_dir, ledger=args.ledger,
                     out=args.out, solver=args.solver, time_limit_s=args.time_limit,
                     mip_gap=args.gap, progress=progress_printer(args))
    print(json.dumps(_replan_summary(outcome), indent=2) if args.json else _replan_text(outcome))
    result = outcome.result
    if result is not None and result.solver.status == Status.ERROR:
        print(f"planner: no plan: {result.solver.message}; the decisions kept from run "
              f"{outcome.previous_run} may not fit the updated workbook (power caps, site "
              "space, supply caps)", file=sys.stderr)
        return 1
    if result is not None and result.has_unmet_demand:
        from planner.report.recommend import share

        print(f"planner: warning: {share(result.unmet_demand_share)} of demand is not met; "
              "see the Capacity sheet", file=sys.stderr)
    return 0


def _ledger_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ledger", default=str(DEFAULT_LEDGER), metavar="PATH",
                   help=f"plan ledger (SQLite; default {DEFAULT_LEDGER})")


def _replan_parser(sub) -> None:
    r = sub.add_parser("replan", help="re-plan a quarter later: keep past decisions, "
                       "re-optimise the rest, report what changed and why")
    r.add_argument("workbook", nargs="?", help="updated workbook with an Actuals sheet "
                   "(or --inputs-dir)")
    r.add_argument("--as-of", required=True, metavar="QUARTER",
                   help="first quarter not yet history, e.g. 2027Q2 ('current': today's)")
    r.add_argument("--previous", type=int, metavar="RUN_ID",
                   help="run to re-plan (default: the latest of the same workbook name)")
    r.add_argument("--force", action="store_true",
                   help="re-plan even if this quarter was re-planned already")
    r.add_argument("--inputs-dir", metavar="DIR",
                   help="take the newest .xlsx in DIR when no workbook is given")
    _ledger_arg(r)
    r.add_argument("--out", metavar="PATH",
                   help="report path (default outputs/<name>-replan-<quarter>.xlsx)")
    add_solver_flags(r)
    add_output_flags(r)
    r.set_defaults(func=cmd_replan)


def register(sub) -> None:
    """Add history, show and replan to the main parser's subparsers."""
    h = sub.add_parser("history", help="list the runs recorded in the plan ledger")
    _ledger_arg(h)
    h.add_argument("--json", action="store_true", help="print a JSON list to stdout")
    h.set_defaults(func=cmd_history)

    s = sub.add_parser("show", help="one recorded run: summary and every decision")
    s.add_argument("run_id", type=int, metavar="RUN_ID", help="a run id from planner history")
    _ledger_arg(s)
    s.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    s.set_defaults(func=cmd_show)

    _replan_parser(sub)


def add_ledger_options(p: argparse.ArgumentParser) -> None:
    """``--ledger PATH`` / ``--no-ledger`` for ``planner plan`` (``args.ledger`` None to skip)."""
    _ledger_arg(p)
    p.add_argument("--no-ledger", dest="ledger", action="store_const", const=None,
                   help="do not record the run in the plan ledger")


def recorded(run_id: int | None, ledger: str | None) -> str:
    """'; recorded as run 3 in outputs/plans.sqlite' (empty when not recorded)."""
    return "" if run_id is None else f"; recorded as run {run_id} in {ledger}"
