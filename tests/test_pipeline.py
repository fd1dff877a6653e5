"""The one estimate -> solve path (planner.pipeline): every command that plans gets the
same estimates.  A workload that allows disaggregated serving must be planned with its
prefill and decode estimates whichever command plans it: a plan, a re-plan or a hedged plan.

The workbook is the ledger tests' tiny one (one H100 offer, one llama-3.1-8b workload, six
quarters, gap 0), read with its workload marked ``disaggregated``.  With the phase estimates
the optimizer splits that workload's chips into prefill-only and decode-only ones (cheaper
than colocated serving: $304.7k against $308.5k NPV on this workbook); without them every
allocation row is ``both``, so these tests tell the two apart.
"""

from __future__ import annotations

import dataclasses

import pytest
from test_ledger_workbooks import served, tiny

from planner.api import load_workbook, plan_workbook
from planner.domain import Quarter, Status
from planner.domain.scenarios import Override, ScenarioSpec
from planner.io import reader
from planner.ledger.replan import replan
from planner.scenarios.hedge import run_hedge

SPLIT = {"prefill", "decode"}


@pytest.fixture()
def disaggregated(monkeypatch):
    """Every workbook read from here on has its workloads marked disaggregated (the
    Workloads sheet has no such column yet)."""
    real = reader.read_workbook

    def read(*args, **kwargs):
        inp = real(*args, **kwargs)
        return dataclasses.replace(inp, workloads=tuple(
            dataclasses.replace(w, disaggregated=True) for w in inp.workloads))

    monkeypatch.setattr(reader, "read_workbook", read)


def _phases(result) -> set[str]:
    """The one-phase kinds serving chat.  Chips already paid for (whole rented chips, the
    fleet a re-plan keeps) may serve colocated at no extra cost, so a solver may put chat on
    "both" beside the split (HiGHS does, CBC does not): ties, not a missing split."""
    return {a.phase for a in result.allocation if a.workload == "chat"} - {"both"}


def test_a_plan_splits_the_disaggregated_workload(tmp_path, disaggregated):
    run = plan_workbook(tiny(tmp_path), tmp_path / "plan.xlsx")
    assert run[1].solver.status == Status.OK
    assert _phases(run[1]) == SPLIT


def test_a_replan_uses_the_phase_estimates(tmp_path, disaggregated):
    ledger = tmp_path / "plans.sqlite"
    plan_workbook(tiny(tmp_path), tmp_path / "plan.xlsx", ledger=ledger)
    path = tiny(tmp_path, "fleet-2027Q2.xlsx", actuals=[served("2027Q1", 3e10)])
    outcome = replan(path, Quarter.parse("2027Q2"), ledger=ledger, out=tmp_path / "replan.xlsx")
    assert outcome.result.solver.status == Status.OK
    assert _phases(outcome.result) == SPLIT


def test_a_hedged_plan_uses_the_phase_estimates(tmp_path, disaggregated):
    low = ScenarioSpec("low", (Override("demand", "multiply", 0.8),), 0.5)
    high = ScenarioSpec("high", (Override("demand", "multiply", 1.2),), 0.5)
    inp = dataclasses.replace(load_workbook(tiny(tmp_path)), scenarios=(low, high))
    a = run_hedge(inp, workers=1)
    assert a.hedge.status == Status.OK
    assert {name: _phases(r) for name, r in a.hedge.extra.scenarios.items()} == \
        {"low": SPLIT, "high": SPLIT}


def test_chips_not_estimated_in_time_are_left_out_and_said_so():
    """A run whose deadline started 6 s ago with a 10 s limit is past the 50% share
    estimation may take: no chip is estimated, so the plan serves what it can without
    chips (all of it unmet or through the APIs), is labelled time_limit, has no bound
    (the smaller problem's bound does not bound the input's) and says which chips it
    left out."""
    import time

    from workbooks import EXAMPLE

    from planner.optimize.clock import Deadline
    from planner.pipeline import SolveOptions, plan

    inp = load_workbook(EXAMPLE)
    run = Deadline(10, start=time.perf_counter() - 6)
    result = plan(inp, SolveOptions(diagnose=False), deadline=run)
    s = result.solver
    assert s.termination == "time_limit" and s.status == Status.WARNING
    assert s.best_bound_usd is None and s.gap is None
    assert f"0 of {len(inp.chips)} chips estimated" in s.message
    assert inp.chips[0].chip in s.message
    assert result.throughput == [] and not result.purchases
