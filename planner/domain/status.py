"""What a solve came to: a status apart from a termination condition, as linopy has.

Every solver's own codes are mapped to :class:`Termination` once, next to the call
(PuLP's in :mod:`planner.optimize.solver`, HiGHS's in :mod:`planner.optimize.highs_model`);
everything else compares these enums.  Both are ``str`` enums, so they print, compare
and store as their values (``"ok"``, ``"optimal"``).

>>> status_of(Termination.TIME_LIMIT)
<Status.WARNING: 'warning'>
>>> status_of(Termination.INFEASIBLE) is Status.ERROR
True
>>> Termination("time_limit") is Termination.TIME_LIMIT, f"{Status.OK}"
(True, 'ok')
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """``ok``: a plan proven within the gap; ``warning``: a plan, not proven (time limit);
    ``error``: no plan."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


class Termination(StrEnum):
    """Why the solver stopped."""

    OPTIMAL = "optimal"          # within the requested gap
    TIME_LIMIT = "time_limit"    # stopped early (time, iteration or interrupt)
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NOT_SOLVED = "not_solved"
    ERROR = "error"              # the solver or the run failed


#: The one rule from termination to status.
_STATUS = {Termination.OPTIMAL: Status.OK, Termination.TIME_LIMIT: Status.WARNING}


def status_of(termination: Termination | str) -> Status:
    """``ok`` when optimal, ``warning`` at a time limit with a plan, else ``error``."""
    return _STATUS.get(Termination(termination), Status.ERROR)


def has_plan(result) -> bool:
    """A :class:`~planner.domain.results.PlanResult` holds a plan: its status is not
    ``error`` and it has cash flows (a solve that stopped before any incumbent has none)."""
    return result.solver.status != Status.ERROR and bool(result.cashflow)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """The relative gap |objective - bound| / |objective| (None without both).

    >>> relative_gap(100.0, 99.0)
    0.01
    """
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)
