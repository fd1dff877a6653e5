"""The quarterly re-plan: the previous run's past kept, the rest re-optimised, the
differences explained, the new run recorded with its predecessor.

Idempotent per plan and as-of quarter: when the ledger already holds a re-plan of the
same plan (workbook name, see :func:`planner.ledger.records.plan_name`) as of the same
quarter, nothing is solved and that run is returned, unless ``force``.  Inputs are stale
(PlannerError, exit 2) when the workbook's Actuals sheet has no row for the quarter just
ended (the one before the as-of quarter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from planner.domain import PlanInput, PlannerError, PlanResult, Quarter
from planner.domain.status import Status, has_plan
from planner.io.paths import check_output_file
from planner.ledger.capture import decisions_of, record_plan
from planner.ledger.carry import Carry, carry_over
from planner.ledger.changes import ChangeReport, accuracy_rows, add_to_report, change_rows
from planner.ledger.drivers import all_drivers, repricing_driver
from planner.ledger.records import LedgerRun, RunHeader, plan_name, snapshot
from planner.ledger.reports import staging_path
from planner.ledger.schema import DEFAULT_LEDGER, check_ledger
from planner.ledger.store import AlreadyRecorded, find_runs, load_run
from planner.optimize.clock import Deadline
from planner.pipeline import SolveOptions, estimates_for, load_workbook, plan
from planner.report import write_report
from planner.report.runinfo import make_run_info, start_clock


def _quiet(_: str) -> None:
    return None


@dataclass
class ReplanOutcome:
    """``skipped``: the quarter was re-planned already (``run_id`` is that run)."""

    run_id: int
    previous_run: int | None
    as_of: str
    skipped: bool = False
    report: Path | None = None
    result: PlanResult | None = None
    changes: ChangeReport | None = None
    notes: list[str] = field(default_factory=list)


def parse_as_of(text: str) -> Quarter:
    """A quarter such as 2027Q2, or ``current`` for today's quarter (UTC)."""
    if str(text).strip().lower() in ("current", "now"):
        return Quarter.parse(datetime.now(timezone.utc).date())
    try:
        return Quarter.parse(text)
    except ValueError as exc:
        raise PlannerError(f"--as-of: {exc} or 'current'") from None


def newest_workbook(folder: str | Path) -> Path:
    """The most recently modified .xlsx in ``folder`` (Excel's ~$ lock files skipped)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlannerError(f"--inputs-dir {folder} is not a folder")
    found = [p for p in folder.glob("*.xlsx") if not p.name.startswith(("~$", "."))]
    if not found:
        raise PlannerError(f"no .xlsx workbook in {folder}")
    return max(found, key=lambda p: (p.stat().st_mtime, p.name))


def default_replan_path(workbook: str | Path, as_of: Quarter) -> Path:
    """``outputs/<plan name>-replan-<as-of>.xlsx``."""
    return Path("outputs") / f"{plan_name(workbook)}-replan-{as_of}.xlsx"


def already_done(runs: list[RunHeader], as_of: Quarter) -> RunHeader | None:
    """The latest re-plan with a plan as of ``as_of`` among ``runs``."""
    done = [r for r in runs if r.command == "replan" and r.as_of == str(as_of)
            and r.status != Status.ERROR]
    return done[-1] if done else None


def previous_run(ledger: Path, runs: list[RunHeader], as_of: Quarter,
                 chosen: int | None, plan: str) -> LedgerRun:
    """``chosen``, or the latest run of the plan with a plan made before ``as_of``."""
    if chosen is not None:
        return load_run(ledger, chosen)
    earlier = [r for r in runs if r.status != Status.ERROR
               and (r.as_of is None or Quarter.parse(r.as_of) < as_of)]
    if not earlier:
        raise PlannerError(f"no previous plan of '{plan}' in the ledger {ledger}: run "
                           "`planner plan` on it first, or name one with --previous RUN_ID")
    return load_run(ledger, earlier[-1].id)


def check_fresh(inp: PlanInput, as_of: Quarter, workbook: Path) -> None:
    """PlannerError unless the Actuals sheet covers the quarter before ``as_of``."""
    ended = as_of.shift(-1)
    if not any(a.quarter == ended for a in inp.actuals):
        raise PlannerError(
            f"inputs are stale: {workbook.name} has no Actuals rows for {ended}, the quarter "
            f"just ended before the as-of quarter {as_of}; add the chips delivered and the "
            f"demand served in {ended} to its Actuals sheet")


def _solve(carry: Carry, options: SolveOptions, progress, deadline: Deadline) -> PlanResult:
    if deadline.seconds is None:
        deadline.set_limit(options.resolved(carry.inp).time_limit_s)
    est = estimates_for(carry.inp, None, progress, deadline)
    fixed = carry.fixed
    progress(f"re-optimising from {fixed.through} with {len(fixed.purchases)} purchase, "
             f"{len(fixed.rentals)} rental, {len(fixed.retirements)} sale and "
             f"{len(fixed.expansions)} expansion decision(s) kept")
    return plan(carry.inp, options, fixed, est, progress=progress, deadline=deadline)


def _repricing(prev: LedgerRun, result: PlanResult, as_of: Quarter) -> list:
    discount = {r.quarter: r.discount_factor for r in result.cashflow}
    return repricing_driver(prev.decisions, decisions_of(result), as_of, discount)


def _change_report(prev: LedgerRun, carry: Carry, result: PlanResult, as_of: Quarter) -> ChangeReport:
    new_inputs = snapshot(carry.inp, carry.carried)
    plan_made = has_plan(result)
    return ChangeReport(
        previous_run=prev.header.id, as_of=str(as_of),
        previous_cost_usd=prev.header.total_cost_usd,
        new_cost_usd=result.total_cost_usd if plan_made else None,
        rows=change_rows(prev.decisions, decisions_of(result), result.periods) if plan_made else [],
        accuracy=accuracy_rows(prev.inputs, new_inputs),
        drivers=all_drivers(prev.inputs, new_inputs, as_of, carry.planned)
        + (_repricing(prev, result, as_of) if plan_made else []),
        notes=list(carry.notes), previous_start=prev.header.start_quarter,
        new_start=str(carry.inp.settings.start_quarter))


def _write(result: PlanResult, carry: Carry, workbook: Path, out: Path, report: ChangeReport,
           started: datetime, clock: float) -> Path:
    run_info = make_run_info(workbook, carry.inp, started, clock)
    path = write_report(result, carry.inp, out, input_path=workbook, run_info=run_info)
    return add_to_report(path, report)


def replan(workbook: str | Path | None, as_of: Quarter, *, previous: int | None = None,
           force: bool = False, inputs_dir: str | Path | None = None,
           ledger: str | Path = DEFAULT_LEDGER, out: str | Path | None = None,
           solver: str | None = None, time_limit_s: float | None = None,
           mip_gap: float | None = None,
           progress: Callable[[str], None] = _quiet) -> ReplanOutcome:
    """Re-plan ``workbook`` (or the newest .xlsx in ``inputs_dir``) as of ``as_of``."""
    started, clock = start_clock()
    deadline = Deadline(time_limit_s)  # one budget for the whole re-plan, from now
    if workbook is None:
        if inputs_dir is None:
            raise PlannerError("give a workbook or --inputs-dir")
        workbook = newest_workbook(inputs_dir)
    workbook, ledger, plan = Path(workbook), Path(ledger), plan_name(workbook)
    out_path = check_output_file(out if out is not None else default_replan_path(workbook, as_of),
                                 inputs=(workbook,), force=force)
    if ledger.exists():
        check_ledger(ledger)
    runs = find_runs(ledger, plan)
    done = already_done(runs, as_of)
    if done is not None and not force:
        return ReplanOutcome(done.id, done.predecessor, str(as_of), skipped=True,
                             report=Path(done.report) if done.report else None)
    prev = previous_run(ledger, runs, as_of, previous, plan)
    progress(f"reading {workbook}; re-planning run {prev.header.id} as of {as_of}")
    inp = load_workbook(workbook)
    check_fresh(inp, as_of, workbook)
    carry = carry_over(prev, inp, as_of)
    result = _solve(carry, SolveOptions(solver, time_limit_s, mip_gap), progress, deadline)
    report = _change_report(prev, carry, result, as_of)
    progress(f"writing {out_path}")
    staged = _write(result, carry, workbook, staging_path(out_path), report, started, clock)
    try:  # the report is published at out_path only if this run is the one recorded
        run_id = record_plan(ledger, carry.inp, result, input_path=workbook, report=out_path,
                             command="replan", predecessor=prev.header.id, as_of=str(as_of),
                             note="\n".join(carry.notes), carried=carry.carried,
                             once=not force and result.solver.status != Status.ERROR,
                             staged=staged)
    except AlreadyRecorded as exc:  # another re-plan of this quarter finished first
        return ReplanOutcome(exc.run_id, prev.header.id, str(as_of), skipped=True)
    return ReplanOutcome(run_id, prev.header.id, str(as_of), report=out_path, result=result,
                         changes=report, notes=carry.notes)
