"""The choice MIP: every discrete choice decided together, chip counts left continuous.

The procurement MIP has two kinds of integer: yes/no choices (which chip, place and
start each training run takes, when a site expansion is ordered, when a software stack
is adopted) and counts of chips (bought, sold, rented, reserved; or servers and racks
where chips come in whole units).  The counts are large and rounding them costs little
(the rounding dive shows it: bench M ends within 0.1% of the LP); the choices decide the
integrality gap, and with several training runs competing for the same chips they
decide it *jointly*: one run's gang changes what the next one costs, so bounding or
rounding one run at a time leaves the gap open (issue 17: 24% and 62% on bench M with
four and eight runs).

This stage solves the problem with the choices binary and the counts continuous, by
HiGHS's branch-and-bound (its presolve, probing and cuts see all runs at once):

* its optimum ``z_C`` is a lower bound on the full MIP's, because every plan of the full
  MIP is a solution of this one (only integrality was dropped, and only from counts):
  ``z* >= z_C >= `` HiGHS's dual bound at any time, so the bound is valid even when time
  runs out part way;
* its best solution gives every run (and expansion, and stack) one option; fixing those
  and rounding the counts (:func:`planner.optimize.rounding.dive`) gives a plan whose cost
  is above ``z_C`` by the rounding of chip counts only.

The search starts from the best plan found so far (a feasible point of this problem too),
so HiGHS has an incumbent from its first node.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from planner.domain.status import Termination
from planner.optimize.highs_model import HighsModel

#: Share of the requested gap the choice MIP aims for: the rest is left for rounding the
#: chip counts of its plan (0.02-0.03% on bench M-T4 and M-T8).
GAP_SHARE = 0.9


@dataclass(frozen=True)
class ChoiceOutcome:
    termination: Termination     # HiGHS's: optimal (within its gap), time_limit, ...
    bound: float | None          # valid lower bound on the full MIP, in dollars
    values: np.ndarray | None    # the best solution (counts possibly fractional)
    seconds: float


def choice_columns(hm: HighsModel) -> np.ndarray:
    """The integer columns that are yes/no choices: bounds within [0, 1] (training gangs,
    site expansions, software stacks; a count fixed at 0 or 1 by a decision already taken
    counts too, harmlessly).  Counts of chips or units have no upper bound."""
    return np.flatnonzero(hm.integer & (hm.lower >= 0) & (hm.upper <= 1)).astype(np.int32)


def solve_choices(hm: HighsModel, start: np.ndarray | None, end: float,
                  mip_gap: float) -> ChoiceOutcome:
    """HiGHS's branch-and-bound on ``hm`` with only the choice columns integer, until
    ``end`` (a ``time.perf_counter`` time) or a gap of ``GAP_SHARE * mip_gap``, started from
    ``start`` (a feasible plan) when given.  Leaves every column continuous."""
    began = time.perf_counter()
    hm.set_integrality(False)
    cols = choice_columns(hm)
    hm.highs.changeColsIntegrality(len(cols), cols, np.ones(len(cols), np.uint8))
    if start is not None:
        hm.start_from(start)
    status = hm.solve_mip(end, GAP_SHARE * mip_gap)
    values = hm.values() if hm.has_primal() else None
    if values is not None:
        values[cols] = np.round(values[cols])
    outcome = ChoiceOutcome(status, hm.mip_bound(), values, time.perf_counter() - began)
    hm.set_integrality(False)
    hm.highs.clearSolver()  # the LPs that follow start afresh, not from the MIP's last node
    return outcome
