"""The library API: everything the CLI does, usable on its own.

>>> from planner.api import plan_workbook                      # doctest: +SKIP
>>> inp, result, report = plan_workbook("inputs/example.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from planner.api_commands import forecast_workbook, hedge_workbook, sweep_workbook, whatif_workbook
from planner.domain import PlanInput, PlanResult
from planner.io.paths import check_output_dir, check_output_file
from planner.io.template import write_template
from planner.ledger import check_ledger, record_plan
from planner.ledger.replan import replan
from planner.ledger.store import list_runs, load_run
from planner.optimize.clock import Deadline
from planner.perf.compare import compare_chips
from planner.perf.inference import estimate_throughput
from planner.perf.training import estimate_training
from planner.pipeline import SolveOptions, load_workbook, plan
from planner.report import write_csv, write_report
from planner.report.mix_saving import cost_attribution
from planner.report.runinfo import make_run_info, start_clock

#: One function per ``planner`` command: plan (plan_workbook), replan, history
#: (list_runs), show (load_run), template (write_template), throughput
#: (estimate_throughput), chips (compare_chips), train-time (estimate_training), whatif,
#: sweep, plan --hedge and forecast (the *_workbook functions of planner.api_commands).
__all__ = ["PlanRun", "compare_chips", "default_report_path", "estimate_throughput",
           "estimate_training", "forecast_workbook", "hedge_workbook", "list_runs",
           "load_run", "load_workbook", "plan_workbook", "replan", "solve", "sweep_workbook",
           "whatif_workbook", "write_template"]


def _quiet(_: str) -> None:
    return None


def default_report_path(workbook: str | Path) -> Path:
    """``outputs/<input-name>-plan.xlsx``."""
    return Path("outputs") / f"{Path(workbook).stem}-plan.xlsx"


def solve(inp: PlanInput, *, solver: str | None = None, time_limit_s: float | None = None,
          mip_gap: float | None = None, progress: Callable[[str], None] = _quiet,
          deadline: Deadline | None = None) -> PlanResult:
    """Performance estimates, then the MIP (:func:`planner.pipeline.plan`), within
    ``deadline`` (the run's time budget) when given; the single-type comparison's
    per-workload rows use the report's cost attribution."""
    return plan(inp, SolveOptions(solver, time_limit_s, mip_gap), progress=progress,
                deadline=deadline, cost_per_mtok=cost_attribution(inp))


def check_outputs(workbook: str | Path, out: str | Path | None, csv_dir: str | Path | None,
                  ledger: str | Path | None, *, force: bool = False) -> Path:
    """The report path (``out`` or the default), after checking it, the CSV folder and the
    ledger can be written (PlannerError, before any work, if one cannot)."""
    target = Path(out) if out is not None else default_report_path(workbook)
    check_output_file(target, inputs=(workbook,), force=force)
    check_output_dir(csv_dir)
    if ledger is not None:
        check_ledger(ledger)
    return target


class PlanRun(tuple):
    """What :func:`plan_workbook` returns: unpacks as ``(input, result, report path)``;
    ``run_id`` is the run's id in the plan ledger (None when not recorded)."""

    def __new__(cls, inp: PlanInput, result: PlanResult, report: Path,  # noqa: PYI034
                run_id: int | None = None) -> PlanRun:
        self = super().__new__(cls, (inp, result, report))
        self.run_id = run_id
        return self


def plan_workbook(
    workbook: str | Path,
    out: str | Path | None = None,
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    csv_dir: str | Path | None = None,
    progress: Callable[[str], None] = _quiet,
    ledger: str | Path | None = None,
    force: bool = False,
) -> PlanRun:
    """Read ``workbook``, plan, write the report; return input, result and report path.

    With ``ledger`` (a SQLite file, see :mod:`planner.ledger`) the run is recorded there
    and its id is the returned value's ``run_id``.  Every output path (and the ledger) is
    checked before the workbook is read; ``force`` lets ``out`` replace an existing workbook
    the planner did not write."""
    started, clock = start_clock()
    deadline = Deadline(time_limit_s)  # one budget for the whole run, from now
    out_path = check_outputs(workbook, out, csv_dir, ledger, force=force)
    progress(f"reading {workbook}")
    inp = load_workbook(workbook)
    result = solve(inp, solver=solver, time_limit_s=time_limit_s, mip_gap=mip_gap,
                   progress=progress, deadline=deadline)
    run_info = make_run_info(workbook, inp, started, clock)
    progress(f"writing {out_path}")
    if ledger is None:
        report = write_report(result, inp, out_path, input_path=workbook, run_info=run_info)
    else:  # the run's own report, published at out_path once the run is recorded
        from planner.ledger.reports import staging_path

        report = write_report(result, inp, staging_path(out_path), input_path=workbook,
                              run_info=run_info)
    if csv_dir is not None:
        progress(f"writing CSV tables to {csv_dir}")
        write_csv(result, inp, csv_dir, run_info=run_info)
    run_id = None
    if ledger is not None:
        progress(f"recording the run in {ledger}")
        run_id = record_plan(ledger, inp, result, input_path=workbook, report=out_path,
                             staged=report)
        report = out_path
    return PlanRun(inp, result, report, run_id)
