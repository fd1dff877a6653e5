"""A lower bound by branching on one choice: min over its options of the LP with it fixed.

Training gangs make the LP relaxation weak: it spreads a run over several start quarters
and places, so no quarter carries the whole gang.  Whatever the optimal plan is, each
run takes exactly one option (a chip, a place and a start, or undone), so

    z* >= min_o LP(option o fixed)        for every choice,

and the largest of these minima over the choices is a valid bound, usually far above the
plain relaxation.  Options are tried in the order of a cheaper bound from the root LP's
reduced costs: for an option whose variable is non-basic at zero with reduced cost d_o,
LP(o fixed) >= z_LP + d_o.  Once that estimate reaches the best value found (or the bound
the caller needs), the remaining options cannot lower the minimum and are skipped; the
result stays valid if time runs out part way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.optimize.highs_model import HighsModel
from planner.optimize.rounding import Choice, Deadline, fix_choice

# Reduced costs satisfy dual feasibility only to HiGHS's tolerance (1e-7); the estimate
# is shaded by this share of the root objective so it never overstates a bound.
_SAFETY = 1e-7


@dataclass(frozen=True)
class ChoiceBound:
    name: str
    bound: float          # valid lower bound on the MIP objective
    best_option: int      # index into Choice.options, -1 for none
    best_value: float     # LP objective with that option fixed
    evaluated: int        # LPs solved
    options: int          # options in all, counting none


def _estimates(hm: HighsModel, choice: Choice, root: float, x: np.ndarray, d: np.ndarray) -> list:
    """(estimate, option) pairs, cheapest first; -1 is "none"."""
    shade = _SAFETY * max(abs(root), 1.0)
    out = []
    for k, col in enumerate(hm.cols(choice.options)):
        gain = max(d[col], 0.0) if x[col] < 1e-9 else 0.0
        out.append((root + gain - shade, k))
    if choice.none is not None and choice.none.name in hm.index:
        col = hm.index[choice.none.name]
        gain = max(d[col], 0.0) if x[col] < 1e-9 else 0.0
        out.append((root + gain - shade, -1))
    else:
        out.append((root - shade, -1))
    return sorted(out)


def _fixed_lp(hm: HighsModel, choice: Choice, option: int, deadline: Deadline) -> float | None:
    """LP objective with ``option`` fixed: +inf when impossible, None when out of time."""
    cols = hm.cols(choice.options)
    fix_choice(hm, choice, option)
    status = hm.solve(deadline.left())
    value = hm.objective() if status == "optimal" else float("inf") if status == "infeasible" else None
    hm.restore_bounds(cols)  # invalidates the solution: read it first
    return value


def choice_bound(hm: HighsModel, choice: Choice, root: float, x: np.ndarray, d: np.ndarray,
                 enough: float, deadline: Deadline) -> ChoiceBound:
    """Bound the MIP by branching on ``choice`` from the root LP (value ``root``, primal
    ``x``, reduced costs ``d``).  Stops early once the bound reaches ``enough``."""
    estimates = _estimates(hm, choice, root, x, d)
    best, best_option, evaluated, bound = float("inf"), -1, 0, None
    for estimate, option in estimates:
        if estimate >= min(best, enough) or deadline.left() <= 0:
            bound = min(best, estimate)
            break
        value = _fixed_lp(hm, choice, option, deadline)
        if value is None:
            bound = min(best, estimate)
            break
        evaluated += 1
        if value < best:
            best, best_option = value, option
    if bound is None:
        bound = best
    return ChoiceBound(choice.name, max(bound, root), best_option, best, evaluated, len(estimates))
