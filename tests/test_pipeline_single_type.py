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
    # the report's attribution pools cost by chip type: short runs on the 10 X ($40,000),
    # long on the 5 Y ($30,000): short $40,000 / 72,000 Mtok, long $30,000 / 36,000 Mtok;
    # alone, each is cheapest on the type it uses in the mix (X alone: long on 10 X,
    # $40,000 / 36,000 Mtok; Y alone: short on 20 Y), so neither saves on its own: the
    # 12.5% comes from serving the two on different types
    by = {r.workload: r for r in got.per_workload}
    assert by["short"].plan_usd_per_mtok == pytest.approx(40_000 / 72_000)
    assert by["long"].plan_usd_per_mtok == pytest.approx(30_000 / 36_000)
    assert (by["short"].best_chip, by["long"].best_chip) == ("X", "Y")
    assert by["short"].saving_share == pytest.approx(0.0, abs=1e-9)
    assert by["long"].saving_share == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(("setting", "options", "fixed", "runs"), [
    ("auto", SolveOptions(), None, True),    # two types offered
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


def mixed_workload():
    """One workload, chat, 1,296M tokens/day, half its requests short (100 prompt + 100
    output tokens: 1/3 of the tokens, 432M/day), half long (300 + 100: 2/3, 864M/day).
    X ($4,000 a quarter) serves short at 86.4M/day per chip, long at 43.2M;
    Y ($6,000) short at 43.2M, long at 86.4M.

    Mixed: short on 5 X ($20,000) + long on 10 Y ($60,000) = $80,000.
    X only: 5 + 20 = 25 X = $100,000.  Y only: 10 + 10 = 20 Y = $120,000.
    Saving 1 - 80,000 / 100,000 = 20%; per workload (all cost is chat's, 1,296M x 2,000/24
    days = 108,000 Mtok): $0.741 in the plan against $0.926 on X alone, the same 20%.
    """
    from optimize_fixtures import estimate

    from planner.domain.estimates import Estimates
    from planner.domain.mixes import RequestMix, SizeSlice, slice_name

    inp, _ = two_types()
    short, long = SizeSlice(100, 100, 0.5, 100, 100), SizeSlice(300, 100, 0.5, 300, 100, 100)
    chat = dataclasses.replace(inp.workloads[0], name="chat", prompt_tokens=200,
                               output_tokens=100, demand_tokens_per_day=(1296e6,),
                               mix=RequestMix((short, long)))
    out = {("short", "X"): 500, ("short", "Y"): 250, ("long", "X"): 125, ("long", "Y"): 250}
    throughput = {}
    for label, s in (("short", short), ("long", long)):
        for chip in ("X", "Y"):
            name = slice_name("chat", s)
            throughput[name, chip] = estimate(chip, name, out[label, chip], s.prompt_tokens,
                                              s.output_tokens)
    return with_settings(dataclasses.replace(inp, workloads=(chat,)),
                         single_type_comparison="auto"), Estimates(throughput)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_request_mix_is_compared_by_default_and_per_workload(solver):
    inp, est = mixed_workload()
    result = plan(inp, SolveOptions(solver=solver), estimates=est, deadline=Deadline(60),
                  cost_per_mtok=cost_attribution(inp))
    assert result.total_cost_usd == pytest.approx(80_000)
    served = {(r.slice, r.served_by) for r in result.slices if r.kind == "chip"}
    assert served == {("prompt 0-100, output 0-100", "X"), ("prompt 100-300, output 0-100", "Y")}
    got = result.single_type  # auto: chat has a request mix and two types are offered
    assert {o.chip: o.cost_of_ownership_usd for o in got.options} == {
        "X": pytest.approx(100_000), "Y": pytest.approx(120_000)}
    assert got.best_chip == "X" and got.mix_saving_share == pytest.approx(0.2)
    (row,) = got.per_workload
    assert row.workload == "chat" and row.best_chip == "X"
    assert row.plan_usd_per_mtok == pytest.approx(80_000 / 108_000)
    assert row.single_type_usd_per_mtok == pytest.approx(100_000 / 108_000)
    assert row.saving_share == pytest.approx(0.2)
