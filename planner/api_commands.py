"""The library API of the commands beyond ``plan`` (``planner.api`` holds ``plan``): each
reads the workbook, runs the analysis and writes its workbook, returning both, so the CLI
only parses options and prints.

>>> from planner.api_commands import whatif_workbook           # doctest: +SKIP
>>> w, report = whatif_workbook("inputs/example.xlsx", workers=2)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from planner.domain import PlanInput
from planner.forecast.analysis import WorkloadForecast, analyse, describe
from planner.forecast.scenarios import with_forecast_scenarios
from planner.io.parse_forecast import read_forecast_inputs
from planner.io.paths import check_output_file
from planner.pipeline import DEFAULT_OPTIONS, SolveOptions, load_workbook
from planner.report.forecast import write_forecast
from planner.report.runinfo import make_run_info, start_clock
from planner.scenarios.hedge import HedgeAnalysis, run_hedge
from planner.scenarios.report_common import check_out, default_out
from planner.scenarios.report_hedge import write_hedge
from planner.scenarios.report_sweep import write_sweep
from planner.scenarios.report_whatif import write_whatif
from planner.scenarios.sweep import SweepResult, sweep, tornado
from planner.scenarios.whatif import WhatIf, run_whatif


def _quiet(_: str) -> None:
    return None


def _read(workbook: str | Path, forecast_scenarios: bool) -> PlanInput:
    """The workbook's input; with ``forecast_scenarios`` the history forecasts' low/base/high
    scenarios (P10/P50/P90) replace the Scenarios sheet's."""
    inp = load_workbook(workbook)
    return with_forecast_scenarios(inp) if forecast_scenarios else inp


def whatif_workbook(workbook: str | Path, out: str | Path | None = None, *,
                    options: SolveOptions = DEFAULT_OPTIONS, workers: int | None = None,
                    scheduler: str | None = None, forecast_scenarios: bool = False,
                    progress: Callable[[str], None] = _quiet,
                    force: bool = False) -> tuple[WhatIf, Path]:
    """``planner whatif``: the base and every scenario solved, the regret matrix, and the
    comparison workbook (default ``outputs/<input-name>-whatif.xlsx``; checked before
    anything is read, ``force`` lets it replace a workbook the planner did not write)."""
    started, _clock = start_clock()
    out = check_out(out or default_out(workbook, "whatif"), workbook, force)
    inp = _read(workbook, forecast_scenarios)
    if not inp.scenarios:
        progress("the workbook has no Scenarios sheet: comparing the base with itself only")
    w = run_whatif(inp, options, workers=workers, scheduler=scheduler, progress=progress)
    return w, write_whatif(w, workbook, out, started)


def sweep_workbook(workbook: str | Path, out: str | Path | None = None, *,
                   parameter: str | None = None, values: Sequence[str] = (),
                   selector: str | None = None, operation: str | None = None,
                   tornado_spec: str | None = None, options: SolveOptions = DEFAULT_OPTIONS,
                   workers: int | None = None, scheduler: str | None = None,
                   progress: Callable[[str], None] = _quiet,
                   force: bool = False) -> tuple[SweepResult, Path]:
    """``planner sweep``: one solve per value of ``parameter``, or with ``tornado_spec``
    (NAME:LOW:HIGH,...) a tornado; the workbook (default ``outputs/<input-name>-sweep.xlsx``
    or ``-tornado.xlsx``)."""
    mode = "tornado" if tornado_spec else "sweep"
    started, _clock = start_clock()
    out = check_out(out or default_out(workbook, mode), workbook, force)
    inp = load_workbook(workbook)
    run = {"options": options, "workers": workers, "scheduler": scheduler, "progress": progress}
    if tornado_spec:
        res = tornado(inp, tornado_spec, operation=operation or "multiply", **run)
    else:
        res = sweep(inp, parameter or "", values, selector=selector, operation=operation, **run)
    return res, write_sweep(res, inp, workbook, out, started, mode)


def hedge_workbook(workbook: str | Path, out: str | Path | None = None, *,
                   options: SolveOptions = DEFAULT_OPTIONS, cvar_weight: float = 0.0,
                   alpha: float = 0.9, workers: int | None = None, scheduler: str | None = None,
                   forecast_scenarios: bool = False,
                   progress: Callable[[str], None] = _quiet,
                   force: bool = False) -> tuple[HedgeAnalysis, Path]:
    """``planner plan --hedge``: the hedged plan, what hedging is worth, and the report
    (default ``outputs/<input-name>-hedge.xlsx``)."""
    started, clock = start_clock()
    out = check_out(out or default_out(workbook, "hedge"), workbook, force)
    inp = _read(workbook, forecast_scenarios)
    a = run_hedge(inp, options, cvar_weight=cvar_weight, alpha=alpha, workers=workers,
                  scheduler=scheduler, progress=progress)
    return a, write_hedge(a, inp, workbook, out, make_run_info(workbook, inp, started, clock))


def record_hedge(ledger: str | Path, workbook: str | Path, a: HedgeAnalysis, report: Path,
                 forecast_scenarios: bool = False) -> int | None:
    """Record a hedged plan in the ledger (as it plays out in the scenario its report
    shows, command ``plan --hedge``); its run id, None without a hedged plan."""
    if not a.hedge.has_plan or a.hedge.extra is None:
        return None
    from planner.ledger import record_plan
    from planner.scenarios.report_hedge import shown_result

    result, applied = shown_result(a, _read(workbook, forecast_scenarios))
    return record_plan(ledger, applied, result, input_path=workbook, report=report,
                       command="plan --hedge",
                       note=f"hedged over {len(a.scenarios)} scenarios; expected cost "
                            f"${a.expected_cost_usd:,.0f} (objective, NPV)")


def default_forecast_path(workbook: str | Path) -> Path:
    """``outputs/<input-name>-forecast.xlsx``."""
    return Path("outputs") / f"{Path(workbook).stem}-forecast.xlsx"


def forecast_workbook(workbook: str | Path, out: str | Path | None = None, *,
                      backtest: int | None = None, progress: Callable[[str], None] = _quiet,
                      force: bool = False) -> tuple[list[WorkloadForecast], list[str], Path]:
    """``planner forecast``: each workload's demand forecast, one sentence per workload,
    and the forecast workbook (default ``outputs/<input-name>-forecast.xlsx``; checked
    before anything is read)."""
    out = check_output_file(out or default_forecast_path(workbook), inputs=(workbook,),
                            force=force)
    progress(f"reading {workbook}")
    inp = load_workbook(workbook)
    inputs = read_forecast_inputs(workbook, inp)
    forecasts = analyse(inp, inputs.drivers, inputs.history, backtest)
    sentences = [describe(f) for f in forecasts]
    progress(f"writing {out}")
    return forecasts, sentences, write_forecast(forecasts, sentences, inp, workbook, out)
