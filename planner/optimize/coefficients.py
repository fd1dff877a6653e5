"""The built model's numbers checked before any solver sees them.

Every input is within its plausible range (:mod:`planner.domain.bounds`), but extremes can
still multiply: a $1M/Mtok unmet penalty on 1e16 tokens a day is a 1e18 objective
coefficient.  Solvers read 1e20 as infinity (HiGHS) and lose all precision well before
(a double has 16 digits): a coefficient that large gives a false "infeasible" or a plan
that is nonsense.  :func:`check_coefficients` refuses, with a message naming the term, any
objective, constraint or right-hand-side value that is not finite or at least
:data:`MAX_COEFFICIENT` in magnitude (the example's largest is 1.6e9).
"""

from __future__ import annotations

import math

import pulp

from planner.domain import PlannerError
from planner.optimize.solver import constraint_items

MAX_COEFFICIENT = 1e15


def _bad(value: float) -> bool:
    return not math.isfinite(value) or abs(value) >= MAX_COEFFICIENT


def _first_bad(prob: pulp.LpProblem) -> str | None:
    for var, value in prob.objective.items():
        if _bad(value):
            return f"the cost of {var.name} is {value:.3g}"
    for name, con in constraint_items(prob):
        if _bad(con.constant):
            return f"constraint {name} has the bound {-con.constant:.3g}"
        for var, value in con.items():
            if _bad(value):
                return f"constraint {name} multiplies {var.name} by {value:.3g}"
    return None


def check_coefficients(prob: pulp.LpProblem) -> None:
    """PlannerError if a number of ``prob`` is beyond what a solver handles exactly."""
    found = _first_bad(prob)
    if found is not None:
        raise PlannerError(
            f"the model cannot be solved reliably: {found}, beyond the {MAX_COEFFICIENT:.0e} "
            "a solver handles exactly (extreme values combine: a very high unmet-demand "
            "penalty on a very large demand, a very high price over many chips); bring the "
            "largest prices, penalties or demand on the workbook nearer real values")
