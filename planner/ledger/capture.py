"""A solved plan as a ledger run: header, decisions and input snapshot, then recorded."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from planner import __version__
from planner.domain import ExistingChips, PlanInput, PlanResult
from planner.domain.status import has_plan
from planner.ledger.records import Decisions, RunHeader, plan_name, settings_dict, snapshot
from planner.ledger.reports import claim, discard, publish
from planner.ledger.store import record_run


def decisions_of(result: PlanResult) -> Decisions:
    return Decisions(tuple(result.purchases), tuple(result.rentals),
                     tuple(result.retirements), tuple(result.expansions))


def new_header(inp: PlanInput, result: PlanResult, *, command: str, input_path: str | Path,
               report: str | Path | None, predecessor: int | None = None,
               as_of: str | None = None, note: str = "") -> RunHeader:
    """The header of a run not yet recorded (id 0), time-stamped now (UTC)."""
    s = result.solver
    plan_made = has_plan(result)
    return RunHeader(
        id=0, created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        command=command, plan_name=plan_name(input_path),
        input_file=inp.source_name or Path(input_path).name, input_sha256=inp.source_sha256,
        settings=settings_dict(inp, s), start_quarter=str(inp.settings.start_quarter),
        quarters=inp.settings.quarters, solver=s.solver, status=s.status,
        termination=s.termination, objective_usd=s.objective_usd,
        total_cost_usd=result.total_cost_usd if plan_made else None,
        best_bound_usd=s.best_bound_usd, gap=s.gap, predecessor=predecessor, as_of=as_of,
        report=str(report or ""), planner_version=__version__, note=note)


def record_plan(ledger: str | Path, inp: PlanInput, result: PlanResult, *,
                input_path: str | Path, report: str | Path | None, command: str = "plan",
                predecessor: int | None = None, as_of: str | None = None, note: str = "",
                carried: tuple[ExistingChips, ...] = (), once: bool = False,
                staged: Path | None = None) -> int:
    """Record a solved plan in the ledger at ``ledger`` (one transaction); its run id.

    ``carried`` are the cohorts of ``inp.existing`` a re-plan added from history;
    ``once`` refuses a second re-plan of the plan as of the same quarter
    (:class:`planner.ledger.store.AlreadyRecorded`).  With ``staged`` (the run's report,
    written to :func:`planner.ledger.reports.staging_path`), the report is kept as the
    run's own inside the transaction and published at ``report`` after the commit; a run
    not recorded publishes nothing (see :mod:`planner.ledger.reports`).
    """
    header = new_header(inp, result, command=command, input_path=input_path, report=report,
                        predecessor=predecessor, as_of=as_of, note=note)
    if staged is None:
        return record_run(ledger, header, decisions_of(result), snapshot(inp, carried),
                          once=once)
    out = Path(report or staged)
    kept: list[Path] = []

    def keep(conn, run_id: int) -> None:
        kept.append(claim(conn, ledger, run_id, staged, out))

    try:
        run_id = record_run(ledger, header, decisions_of(result), snapshot(inp, carried),
                            once=once, claim=keep)
    except BaseException:
        discard(staged)
        for path in kept:  # claimed, then the commit failed: the run does not exist
            discard(path)
        raise
    publish(kept[0], out)
    return run_id
