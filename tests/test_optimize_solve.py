"""planner.optimize.solve: the solvers' outcome read honestly (bound and gap from the
finished search)."""

from __future__ import annotations

import pulp
import pytest

from planner.optimize.solver import _cbc_bound, run_solver


def _knapsack_cover(constant: float) -> pulp.LpProblem:
    """min 7a + 5b + constant  s.t.  3a + 2b >= 7, a, b integer >= 0.

    By hand: a costs 7/3 = 2.33 per unit of cover, b 5/2 = 2.5, so the LP takes a = 7/3
    (16.33 + constant); the integer plans (1, 2) = 17, (2, 1) = 19, (0, 4) = 20,
    (3, 0) = 21 make 17 + constant optimal, which CBC must branch or cut to prove."""
    prob = pulp.LpProblem("cover", pulp.LpMinimize)
    a = prob.add_variable("a", 0, None, cat="Integer")
    b = prob.add_variable("b", 0, None, cat="Integer")
    prob += 7 * a + 5 * b + constant
    prob += 3 * a + 2 * b >= 7
    return prob


@pytest.mark.parametrize("constant", [0.0, 1e6])
def test_cbc_finished_search_reports_gap_zero(constant: float) -> None:
    """CBC proves the optimum (log: "Result - Optimal solution found"): the reported bound
    is the objective and the gap 0, whatever the objective's constant term (which CBC's
    own figures leave out)."""
    prob = _knapsack_cover(constant)
    out = run_solver(prob, "cbc", 30, 0.0)
    assert out.termination == "optimal"
    assert out.objective == pytest.approx(17 + constant)
    assert out.bound == pytest.approx(out.objective)
    assert out.gap == pytest.approx(0.0, abs=1e-9)


_GAP_LOG = """Cbc0010I After 0 nodes, 1 on tree, 1e+10 best solution, best possible 50 (0.01 seconds)
Result - Optimal solution found (within gap tolerance)

Objective value:                635.00000000
Lower bound:                    605.650
Gap:                            0.05
"""

_OPTIMAL_LOG = """Cbc0010I After 0 nodes, 1 on tree, 1e+10 best solution, best possible 50 (0.01 seconds)
Result - Optimal solution found

Objective value:                635.00000000
Enumerated nodes:               2
"""

_TIME_LOG = """Result - Stopped on time limit

Objective value:                110.00000000
Upper bound:                    120.000
Gap:                            0.09
"""


def test_cbc_bound_read_from_the_result_section_not_the_root() -> None:
    """The root's "best possible 50" is never used: a proof gives bound = objective; a gap
    stop gives objective + (605.65 - 635) = objective - 29.35 (constant term 1000 kept);
    a maximisation reads the "Upper bound" line: 1110 + (120 - 110) = 1120."""
    assert _cbc_bound(_OPTIMAL_LOG, 1635.0, "optimal") == pytest.approx(1635.0)
    assert _cbc_bound(_GAP_LOG, 1635.0, "optimal") == pytest.approx(1635.0 - 29.35)
    assert _cbc_bound(_TIME_LOG, 1110.0, "time_limit", pulp.LpMaximize) == pytest.approx(1120.0)
    assert _cbc_bound("no result", 10.0, "time_limit") is None


def test_highs_is_the_default_solver() -> None:
    """A workbook that does not name a solver is solved with HiGHS."""
    from planner.domain import Settings
    from planner.domain.periods import Quarter

    assert Settings(start_quarter=Quarter(2027, 1)).solver == "highs"


def test_cbc_without_a_plan_in_its_time_returns_the_fallback() -> None:
    """Bench M given CBC 0.05 s: whether or not CBC finds a plan that fast, a plan comes
    back (at worst the one that buys and rents nothing, said so in the message)."""
    from bench.generate import generate
    from planner.optimize import solve_plan

    inp, tp, training = generate("M", 0)
    r = solve_plan(inp, tp, training, solver="cbc", time_limit_s=0.05, diagnose=False)
    assert r.solver.objective_usd is not None
    assert r.solver.termination in ("optimal", "time_limit")
    if "fallback" in r.solver.message:
        assert r.purchases == [] and r.rentals == []


def test_cbc_is_run_without_a_threads_option():
    """PuLP passes ``-threads N`` to CBC when threads is set, and with it the bundled CBC
    sometimes waits 10 s on a lock before solving (coin-or/Cbc#640: 4 tiny solves in 40
    stalled here); CBC is serial without the option, so the planner never sets it."""
    from planner.optimize.solver import solver_command

    command = solver_command("cbc", 10.0, 0.01, None)
    assert command.optionsDict.get("threads") is None
    assert not any(o.startswith("threads") for o in command.getOptions())
