"""Bounds on every number (issue 18 cases 1 and 4): each number column has a documented
plausible range; absurd magnitudes are input errors naming the cell and the range (never
an overflow, an endless loop, a false "infeasible" or a plan built on 1e22 tokens a day);
values the cells do not hold directly (forecast growth, scenario overrides) meet the
same bounds before any solve."""

from __future__ import annotations

import dataclasses

import pytest
from workbooks import EXAMPLE, mutate, set_cell, set_setting

from planner.api import load_workbook
from planner.domain import InputError, PlannerError
from planner.domain.bounds import PLAUSIBLE_MAX, magnitude_problems
from planner.io.schema import SETTINGS, SHEETS
from planner.io.schema_spec import NUMERIC_KINDS
from planner.optimize.parameters import prepare

#: Kinds whose range is complete without an upper bound from PLAUSIBLE_MAX.
_BOUNDED_BY_KIND = ("fraction", "rate", "share", "year")


def test_every_number_column_has_a_documented_upper_bound():
    columns = [(s.name, c) for s in SHEETS for c in s.columns] + \
        [("Settings", c) for c in SETTINGS]
    for sheet, col in columns:
        if col.kind not in NUMERIC_KINDS or col.kind in _BOUNDED_BY_KIND:
            continue
        assert col.upper == PLAUSIBLE_MAX[col.name], (sheet, col.name)
        assert "Plausible range: at most" in col.doc, (sheet, col.name)


@pytest.mark.parametrize(("change", "sheet", "column", "says"), [
    (set_setting("quarters", 1_000_000), "Settings", "value", "at most 200"),
    (set_setting("quarters", 10**9), "Settings", "value", "at most 200"),
    (set_cell("Chips", 2, "lifetime_years", 1e30), "Chips", "lifetime_years", "at most 30"),
    (set_cell("Chips", 2, "purchase_usd_per_chip", 1e308), "Chips", "purchase_usd_per_chip",
     "at most 10,000,000"),
    (set_cell("Chips", 2, "purchase_usd_per_chip", 1e12), "Chips", "purchase_usd_per_chip",
     "at most 10,000,000"),
    (set_cell("Chips", 2, "rent_usd_per_chip_hour", 1e308), "Chips", "rent_usd_per_chip_hour",
     "at most 10,000"),
    (set_cell("Demand", 2, "tokens_per_day", 1e22), "Demand", "tokens_per_day", "at most 1e+16"),
])
def test_an_absurd_cell_is_a_problem_naming_it_and_its_range(tmp_path, change, sheet, column,
                                                            says):
    path = mutate(tmp_path, "absurd.xlsx", change, base=EXAMPLE)
    with pytest.raises(InputError) as exc:
        load_workbook(path)
    problems = exc.value.problems
    assert len(problems) == 1, problems  # no follow-on ("... is blank") problems
    p = problems[0]
    assert (p.sheet, p.row) == (sheet, p.row) and p.column == column
    assert "outside the plausible range" in p.message and says in p.message


def test_runaway_forecast_growth_is_a_drivers_problem_not_an_overflow(tmp_path):
    """A 900%/quarter users and reasoning growth over 200 quarters overflows a float
    (10^200): the Drivers sheet is named, with the quarter it leaves the range."""
    def change(wb) -> None:
        ws = wb["Drivers"]
        header = [c.value for c in ws[1]]
        ws.cell(2, header.index("users_growth_per_quarter") + 1).value = 9
        ws.cell(2, header.index("reasoning_growth_per_quarter") + 1).value = 9
        set_setting("quarters", 200)(wb)

    path = mutate(tmp_path, "growth.xlsx", change, base=EXAMPLE)
    with pytest.raises(InputError) as exc:
        load_workbook(path)
    drivers = [p for p in exc.value.problems if p.sheet == "Drivers"]
    assert any("tokens per day in quarter" in p.message for p in drivers)
    assert any("tokens per request" in p.message for p in drivers)


def test_a_scenario_pushing_a_value_out_of_range_is_refused_before_the_solve():
    inp = load_workbook(EXAMPLE)
    assert magnitude_problems(inp) == []
    chip = inp.chips[0]
    pricey = dataclasses.replace(chip, purchase_usd_per_chip=1e15)
    spiked = dataclasses.replace(inp, chips=(pricey, *inp.chips[1:]))
    found = magnitude_problems(spiked)
    assert found == [(f"chips '{chip.chip}': purchase_usd_per_chip is 1e+15, outside the "
                     "plausible range (at most 10,000,000)")]
    demand = inp.workloads[0]
    flooded = dataclasses.replace(inp, workloads=(dataclasses.replace(
        demand, demand_tokens_per_day=(1e22,) * len(demand.demand_tokens_per_day)),
        *inp.workloads[1:]))
    with pytest.raises(PlannerError, match="tokens_per_day in quarter 1 of the plan is 1e"):
        prepare(flooded, {}, {})


def test_extremes_that_combine_past_what_a_solver_handles_are_refused_before_solving():
    """Each value plausible, the product not.  The model counts unmet demand in chips of
    the workload's fastest chip, so one unit's cost is the penalty times that chip's
    tokens a day: a measured 1e8 output tokens/s per H100 (the largest allowed) for the
    chat workload (1,000 prompt + 300 output tokens) is 1e8 x 1,300/300 x 86,400 =
    3.744e13 tokens/day; at $1,000,000/Mtok (the largest allowed penalty) over a quarter
    of 91.3125 days, at the 0.7 target utilisation and 1.6 peak-to-average, discounted
    at 8%/year to the first quarter (1.08^-1/8 = 0.9904):
    1e6 x 3.744e7 x 91.3125 x 0.7 / 1.6 x 0.9904 = 1.48e15, past 1e15: refused naming
    the term."""
    from planner.domain.inputs import MeasuredThroughput
    from planner.optimize.coefficients import MAX_COEFFICIENT
    from planner.pipeline import plan

    inp = load_workbook(EXAMPLE)
    w = inp.workloads[0]
    fast = MeasuredThroughput(chip=inp.chips[0].chip, model=w.model, precision=w.precision,
                              output_tokens_per_s_per_chip=1e8)
    extreme = dataclasses.replace(
        inp, measured=(fast,),
        settings=dataclasses.replace(inp.settings, unmet_penalty_usd_per_million_tokens=1e6))
    assert magnitude_problems(extreme) == []
    assert MAX_COEFFICIENT == 1e15
    with pytest.raises(PlannerError, match=r"cannot be solved reliably: the cost of unmet_0_0 "
                                           r"is 1\.48e\+15, beyond the 1e\+15"):
        plan(extreme)
