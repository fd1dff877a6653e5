"""Run CBC or HiGHS and report honestly what happened.

PuLP's ``status`` says "Optimal" for a time-limited incumbent; ``sol_status`` tells
the two apart.  The best bound and gap come from HiGHS's info or from CBC's log.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass

import pulp

from planner.domain import PlannerError
from planner.domain.status import Status, Termination, relative_gap, status_of
from planner.optimize.clock import MARGIN_S, Deadline
from planner.optimize.strategy import solve_structured

SOLVERS = ("cbc", "highs")


@dataclass(frozen=True)
class SolveOutcome:
    status: Status
    termination: Termination
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    message: str


def constraint_items(prob: pulp.LpProblem):
    """(name, constraint) pairs on PuLP 3 (``constraints()`` list) and PuLP 2 (dict)."""
    cons = prob.constraints
    if callable(cons):
        return [(c.name, c) for c in cons()]
    return list(cons.items())


def pulp_termination(prob: pulp.LpProblem) -> Termination:
    """The one mapping from PuLP's ``sol_status`` (and ``status``) to a termination."""
    sol = prob.sol_status
    if sol == pulp.LpSolutionOptimal:
        return Termination.OPTIMAL
    if sol == pulp.LpSolutionIntegerFeasible:
        return Termination.TIME_LIMIT
    if sol == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        return Termination.INFEASIBLE
    if sol == pulp.LpSolutionUnbounded or prob.status == pulp.LpStatusUnbounded:
        return Termination.UNBOUNDED
    return Termination.NOT_SOLVED


def _log_number(section: str, label: str) -> float | None:
    found = re.search(rf"^{label}:\s+(-?[\d.eE+-]+)", section, re.MULTILINE)
    return float(found.group(1)) if found else None


def _cbc_bound(log: str, objective: float | None, termination: Termination,
               sense: int = pulp.LpMinimize) -> float | None:
    """The best bound from the final "Result" section of CBC's log (the finished search),
    never from the root node's "best possible" line.

    "Result - Optimal solution found" with no bound line is a proof: the bound is the
    objective (gap 0).  Otherwise the section's "Lower bound" (minimising) or "Upper bound"
    (maximising) is taken relative to its own "Objective value", because CBC's figures
    leave out the objective's constant term: bound = objective + (log bound - log objective).
    """
    at = log.rfind("Result - ")
    if at < 0 or objective is None:
        return objective if termination == Termination.OPTIMAL and objective is not None else None
    section = log[at:]
    reported = _log_number(section, "Objective value")
    limit = _log_number(section, "Lower bound" if sense == pulp.LpMinimize else "Upper bound")
    if limit is not None and reported is not None:
        return objective + (limit - reported)
    if section.startswith("Result - Optimal solution found"):
        return objective
    return None


def solver_command(name: str, time_limit_s: float, mip_gap: float, log_path: str | None):
    if name == "cbc":
        # No -threads option: with one (even -threads 1) the bundled CBC sometimes waits
        # on a lock for 10 s before it solves (coin-or/Cbc#640; here 4 solves in 40 of a
        # tiny model, none in 80 without it).  Without it CBC runs serially anyway.
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, gapRel=mip_gap,
                                 logPath=log_path)
    if name == "highs":
        if "HiGHS" not in pulp.listSolvers(onlyAvailable=True):
            raise PlannerError("solver 'highs' needs the highspy package, a dependency of the "
                               "planner: pip install -e . (or pip install highspy)")
        return pulp.HiGHS(msg=False, timeLimit=time_limit_s, gapRel=mip_gap, threads=1)
    raise PlannerError(f"unknown solver '{name}': choose one of {', '.join(SOLVERS)}")


@contextmanager
def silenced_stdout():
    """HiGHS prints its banner on file descriptor 1 even with output off; keep stdout
    clean for ``--json`` by pointing fd 1 at /dev/null while the solver runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


_MESSAGES = {Termination.OPTIMAL: "optimal within the requested gap",
             Termination.TIME_LIMIT: "stopped at the time limit: best plan found, not proven optimal",
             Termination.INFEASIBLE: "the model is infeasible",
             Termination.UNBOUNDED: "the model is unbounded"}
_NO_PLAN = "the solver found no plan"
_FALLBACK = ("the solver found no plan in its time: shown is the fallback that buys and rents "
             "no chips (demand the APIs sheet's offerings do not serve is priced as unmet), "
             "not a recommendation")


def run_solver(prob: pulp.LpProblem, name: str, time_limit_s: float, mip_gap: float,
               groups=None, progress=None, deadline: Deadline | None = None) -> SolveOutcome:
    """Solve ``prob`` and classify the outcome, by ``deadline`` (default: ``time_limit_s``
    from now).

    With ``name == "highs"`` and the model's rounding ``groups`` given, the structured
    solve of :mod:`planner.optimize.strategy` runs (relaxation, dive, choice MIP,
    then HiGHS's branch-and-bound); otherwise the solver runs on the problem as it is.
    """
    deadline = Deadline(time_limit_s).earliest(deadline)
    if name == "highs" and groups is not None:
        solver_command(name, time_limit_s, mip_gap, None)  # says so if highspy is missing
        return _run_structured(prob, groups, deadline, mip_gap, progress or (lambda _m: None))
    # CBC counts wall time from its own start, after PuLP has written the model out
    time_limit_s = max(deadline.left() - MARGIN_S - _handover_s(prob), 0.1)
    fd, log_path = tempfile.mkstemp(prefix="planner-cbc-", suffix=".log")
    os.close(fd)
    try:
        command = solver_command(name, time_limit_s, mip_gap, log_path if name == "cbc" else None)
        start = time.perf_counter()
        try:
            with silenced_stdout():
                prob.solve(command)
        except pulp.PulpSolverError as exc:
            if not deadline.expired():
                return SolveOutcome(Status.ERROR, Termination.ERROR, None, None, None,
                                    time.perf_counter() - start, f"solver failed: {exc}")
            # stopped from outside at its limit (the watchdog) before it wrote a solution:
            # no plan in its time, which the fallback below answers like any other
            prob.status = pulp.LpStatusNotSolved
        seconds = time.perf_counter() - start
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            log = fh.read()
    finally:
        os.unlink(log_path)
    termination = pulp_termination(prob)
    message = _MESSAGES.get(termination, _NO_PLAN)
    if termination == Termination.NOT_SOLVED and _fallback(prob):
        termination, message = pulp_termination(prob), _FALLBACK
    status = status_of(termination)
    objective = pulp.value(prob.objective) if status != Status.ERROR else None
    if name == "highs" and status != Status.ERROR:
        bound = _highs_bound(prob, objective, termination)
    else:
        bound = _cbc_bound(log, objective, termination, prob.sense) if status != Status.ERROR else None
    gap = relative_gap(objective, bound)
    return SolveOutcome(status, termination, objective, bound, gap, seconds, message)


def _fallback(prob: pulp.LpProblem) -> bool:
    """The plan that buys and rents nothing, when the solver found none in its time (a
    valid workbook never ends with no plan); needs integers to fix."""
    if not any(var.cat == pulp.LpInteger for var in prob.variables()):
        return False
    from planner.optimize.strategy import fallback_plan

    with silenced_stdout():
        return fallback_plan(prob)


def _handover_s(prob: pulp.LpProblem) -> float:
    """Seconds PuLP takes to write the model for CBC and read the solution back: about
    1 s per 40,000 columns (bench L), kept out of CBC's own limit."""
    return len(prob.variables()) / 40_000


def _run_structured(prob, groups, deadline: Deadline, mip_gap: float, progress) -> SolveOutcome:
    start = time.perf_counter()
    with silenced_stdout():
        termination, bound, fallback = solve_structured(prob, groups, deadline, mip_gap, progress)
    seconds = time.perf_counter() - start
    status = status_of(termination)
    objective = pulp.value(prob.objective) if status != Status.ERROR else None
    return SolveOutcome(status, termination, objective, bound if status != Status.ERROR else None,
                        relative_gap(objective, bound) if status != Status.ERROR else None,
                        seconds, _FALLBACK if fallback else _MESSAGES.get(termination, _NO_PLAN))


def _highs_bound(prob: pulp.LpProblem, objective: float | None, termination: Termination) -> float | None:
    info = prob.solverModel.getInfo()
    bound = getattr(info, "mip_dual_bound", None)
    if bound is None or not (abs(bound) < 1e30):
        return objective if termination == Termination.OPTIMAL else None
    return float(bound)
