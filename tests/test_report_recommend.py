"""Headlines never flatter (issue 14): a plan that pays penalties or stopped at its time
limit is never called lowest-cost, and its cost is never shown below the optimal plan's
objective without its penalties beside it."""

from __future__ import annotations

import dataclasses
import re

import pytest
from optimize_fixtures import two_chip_instance

from planner.domain import FixedDecisions
from planner.domain.status import Status, Termination
from planner.optimize import solve_plan
from planner.report import recommend

DOLLARS = re.compile(r"\$([\d,.]+)( million| billion)?")


def _amounts(line: str) -> list[float]:
    scale = {"": 1.0, " million": 1e6, " billion": 1e9}
    return [float(n.replace(",", "")) * scale[s] for n, s in DOLLARS.findall(line)]


def _time_limited(result):
    """The same plan as a solve stopped at its time limit would return it."""
    return dataclasses.replace(result, solver=dataclasses.replace(
        result.solver, status=Status.WARNING, termination=Termination.TIME_LIMIT,
        gap=0.5))


@pytest.fixture(scope="module")
def plans():
    """The optimum (objective $138,400, all demand met) and a worse plan: nothing bought
    or rented in Q1 (fixed), so Q1's 864M tokens/day go unmet ($7,200,000 of penalty) and
    its cost of ownership is only $86,400, below the optimum's objective."""
    inp, tp = two_chip_instance()
    best = solve_plan(inp, tp, diagnose=False)
    worse = solve_plan(inp, tp, fixed=FixedDecisions(through="2027Q2"), diagnose=False)
    return inp, best, worse


def test_the_worse_plan_is_cheaper_without_its_penalties(plans):
    _inp, best, worse = plans
    assert best.solver.objective_usd == pytest.approx(138_400)
    assert worse.costs.cost_of_ownership_usd == pytest.approx(86_400)
    assert worse.costs.unmet_inference_penalty_usd == pytest.approx(7_200_000)


@pytest.mark.parametrize("time_limited", [False, True])
def test_a_headline_below_the_optimum_names_its_penalties(plans, time_limited):
    inp, best, worse = plans
    plan = _time_limited(worse) if time_limited else worse
    lines = [recommend.sentences(plan, inp)[0], f"{plan.costs.describe()}, NPV"]
    for line in lines:
        assert "lowest-cost plan for" not in line.lower()
        if any(x < best.solver.objective_usd for x in _amounts(line)):
            assert "penalt" in line
    assert "not the proven lowest-cost plan" in lines[0]
    if time_limited:
        assert "not proven optimal (time_limit)" in lines[0]


def test_a_time_limited_plan_without_penalties_is_still_not_called_lowest_cost(plans):
    inp, best, _worse = plans
    head = recommend.sentences(_time_limited(best), inp)[0]
    assert head.startswith("Plan for 2027Q1–2027Q2 (not the proven lowest-cost plan: not "
                           "proven optimal (time_limit))")
    assert recommend.sentences(best, inp)[0].startswith("Lowest-cost plan for 2027Q1–2027Q2")


def test_gap_words_are_honest(plans):
    _inp, best, _worse = plans
    plan = dataclasses.replace(best, solver=dataclasses.replace(best.solver, gap=0.0036,
                                                                mip_gap=0.005))
    assert recommend.gap_words(plan) == "within 0.36% of the best bound; 0.50% requested"


def test_a_tiny_share_is_never_printed_as_zero():
    """Issue 18 case 11: 'warning: 0.0% of demand is not met' said something false.  A
    share that rounds to 0.0% but is not zero reads "less than 0.1%"; zero is 0.0%."""
    from planner.report.recommend import share

    assert share(0.0004) == "less than 0.1%"
    assert share(0.0) == "0.0%"
    assert share(0.032) == "3.2%"
