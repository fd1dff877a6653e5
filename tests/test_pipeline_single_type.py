"""The single-type comparison's hook in planner.pipeline.plan: when it runs (Settings
``single_type_comparison``, fresh plans only, never in what-if/sweep jobs) and its time.

The instance is test_optimize_single_type's hand-worked one: mixed plan $70,000, X alone
$80,000, Y alone $150,000, so mixing saves 12.5%."""

from __future__ import annotations

import dataclasses

import pytest
from optimize_fixtures import with_settings
from test_optimize_single_type import two_types

from planner.domain import FixedDecisions
from planner.optimize.clock import Deadline
from planner.pipeline import SolveOptions, compare_single_type, plan
from planner.report.mix_saving import cost_attribution


def test_plan_compares_when_the_settings_say_yes():
    inp, est = two_types()
    result = plan(with_settings(inp, single_type_comparison="yes"), estimates=est,
                  deadline=Deadline(60), cost_per_mtok=cost_attribution(inp))
    got = result.single_type
    assert got.best_chip == "X" and got.single_type_best_usd == pytest.approx(80_000)
    assert got.plan_cost_usd == pytest.approx(70_000)
    assert got.mix_saving_share == pytest.approx(0.125)
    assert {r.workload for r in got.per_workload} == {"short", "long"}
    # the report's attribution splits the mixed plan's $70,000 by chips (10 X, 5 Y):
    # short 10/15 x 70,000 / 72,000 Mtok
    short = next(r for r in got.per_workload if r.workload == "short")
    assert short.plan_usd_per_mtok == pytest.approx(70_000 * 10 / 15 / 72_000)


@pytest.mark.parametrize(("setting", "options", "fixed", "runs"), [
    ("auto", SolveOptions(), None, False),   # no workload has a request mix
    ("no", SolveOptions(), None, False),
    ("yes", SolveOptions(single_type=False), None, False),  # what-if and sweep jobs
    ("yes", SolveOptions(), FixedDecisions(), False),       # a re-plan's fixed decisions
    ("yes", SolveOptions(), None, True),
])
def test_when_the_comparison_runs(setting, options, fixed, runs):
    inp, est = two_types()
    result = plan(with_settings(inp, single_type_comparison=setting), options, fixed, est)
    assert (result.single_type is not None) == runs


def test_no_time_left_lists_every_type_as_not_solved():
    """The run's deadline already spent once the plan is made: nothing more is solved,
    the note says the comparison is partial and no saving is stated."""
    inp, est = two_types()
    inp = with_settings(inp, single_type_comparison="yes")
    result = plan(inp, estimates=est)
    got = compare_single_type(inp, est, result, SolveOptions().resolved(inp), Deadline(0.0))
    assert [o.termination for o in got.options] == ["not_solved", "not_solved"]
    assert "Partial" in got.note and got.mix_saving_share is None


def test_a_failed_plan_is_not_compared():
    inp, est = two_types()
    result = plan(with_settings(inp, single_type_comparison="yes"), estimates=est)
    failed = dataclasses.replace(result, cashflow=[])
    assert compare_single_type(inp, est, failed, SolveOptions().resolved(inp), None) is None
