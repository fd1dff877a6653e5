"""HiGHS's branch-and-bound in a child process (planner.optimize.highs_model): the same
answer as in-process, and a branch-and-bound stuck where HiGHS checks no clock (its root
heuristics) is killed at its end, so the time limit holds."""

from __future__ import annotations

import time

import pulp

from planner.domain.status import Termination
from planner.optimize.highs_model import HighsModel
from planner.optimize.watchdog import children


def _cover() -> HighsModel:
    """min 3x + 2y with 2x + 2y >= 7, x, y integers in [0, 10]: x + y >= 4 (3.5 rounded
    up), cheapest with y alone: y = 4, cost $8 (x = 1, y = 3 costs $9)."""
    prob = pulp.LpProblem("cover", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 10, cat="Integer")
    y = prob.add_variable("y", 0, 10, cat="Integer")
    prob += 3 * x + 2 * y
    prob += 2 * x + 2 * y >= 7
    hm = HighsModel(prob)
    hm.set_integrality(True)
    return hm


def test_the_child_returns_the_plan_and_bound_it_found():
    hm = _cover()
    status, values, bound = hm.solve_mip_apart(time.perf_counter() + 60, 0.0)
    assert status == Termination.OPTIMAL
    assert hm.cost(values) == 8.0 and bound == 8.0
    assert children() == []


def test_a_stuck_branch_and_bound_is_killed_at_its_end(monkeypatch):
    """The child sleeps instead of solving (as HiGHS does inside an unchecked heuristic):
    it is killed 0.5 s after its 1 s end; no plan, no bound, no child left."""
    monkeypatch.setattr(HighsModel, "solve_mip", lambda self, end, gap: time.sleep(600))
    hm = _cover()
    start = time.perf_counter()
    assert hm.solve_mip_apart(start + 1.0, 0.0, grace_s=0.5) == (Termination.TIME_LIMIT, None, None)
    assert time.perf_counter() - start < 10  # 1.5 s plus a loaded machine's slack, not 600 s
    assert children() == []


def test_a_killed_child_still_gives_the_plans_it_sent(monkeypatch):
    """The child finds the $8 plan, then hangs (as in an unchecked heuristic): the plan it
    sent before it was killed comes back, labelled time_limit, with HiGHS's bound."""
    real = HighsModel.solve_mip

    def solve_then_hang(self, end, gap):
        real(self, end, gap)
        time.sleep(600)

    monkeypatch.setattr(HighsModel, "solve_mip", solve_then_hang)
    hm = _cover()
    status, values, bound = hm.solve_mip_apart(time.perf_counter() + 2.0, 0.0, grace_s=0.5)
    assert status == Termination.TIME_LIMIT
    assert hm.cost(values) == 8.0 and bound is not None and bound <= 8.0
    assert children() == []
