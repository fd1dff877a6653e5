"""The hedged plan's report: the usual plan report of the hedged plan as it plays out in
the base (or most likely) scenario, plus Hedge, HedgeValue and Runs sheets."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from planner.common.atomic import atomic_path
from planner.common.xlsx_values import save_workbook
from planner.domain import PlanInput, PlanResult
from planner.domain.names import normalise
from planner.domain.scenarios import ScenarioSpec
from planner.report import build_workbook
from planner.report.runinfo import resolve
from planner.report.styles import PCT, USD, Fmt
from planner.report.tables import Column, TableData, table_sheet
from planner.scenarios import report_common as rc
from planner.scenarios.hedge import HedgeAnalysis
from planner.scenarios.overrides import apply_scenario


def shown_scenario(analysis: HedgeAnalysis) -> ScenarioSpec:
    """The scenario named 'base' if there is one, else the most likely (first on ties)."""
    named = [s for s in analysis.scenarios if normalise(s.name) == "base"]
    return named[0] if named else max(analysis.scenarios, key=lambda s: s.probability)


def _split(costs) -> tuple:
    """(cost of ownership, penalties) of a CostBreakdown, or blanks."""
    return (None, None) if costs is None else (costs.cost_of_ownership_usd, costs.penalties_usd)


def hedge_table(a: HedgeAnalysis) -> TableData:
    """Per scenario: the hedged plan's, the scenario optimum's and the base plan's first
    stage's cost, each as cost of ownership, penalties and objective (NPV)."""
    costs = a.scenario_costs()
    plans = a.hedge.extra.scenarios if a.hedge.extra is not None else {}
    rows = []
    for s in a.scenarios:
        hedged = plans[s.name].costs if s.name in plans else None
        eev = a.eev.get(s.name)
        rows.append((s.name, s.probability, s.describe(), *_split(hedged), costs.get(s.name),
                     *_split(a.optima[s.name].costs), a.optima[s.name].objective_usd,
                     *_split(eev.costs if eev else None), eev.objective_usd if eev else None))
    return TableData("hedge", [
        Column("scenario", max_width=30), Column("probability", PCT),
        Column("overrides", max_width=70),
        Column("hedged_plan_cost_of_ownership_usd", USD),
        Column("hedged_plan_penalties_usd", USD), Column("hedged_plan_cost_usd", USD),
        Column("scenario_optimum_cost_of_ownership_usd", USD),
        Column("scenario_optimum_penalties_usd", USD), Column("scenario_optimum_usd", USD),
        Column("base_plan_first_stage_cost_of_ownership_usd", USD),
        Column("base_plan_first_stage_penalties_usd", USD),
        Column("base_plan_first_stage_cost_usd", USD)], rows)


def value_table(a: HedgeAnalysis) -> TableData:
    n = a.first_stage_quarters
    costs = a.expected_costs()
    rows = [
        ("expected_cost_of_ownership_usd", costs.cost_of_ownership_usd if costs else None,
         "Probability-weighted cost of ownership (real money, NPV) of the hedged plan."),
        ("expected_penalties_usd", costs.penalties_usd if costs else None,
         "Probability-weighted penalties (priced shortfalls, not cash) of the hedged plan."),
        ("expected_cost_usd", a.expected_cost_usd,
         ("Probability-weighted cost of the hedged plan (one first stage shared by every "
         f"scenario: commitments of the first {n} quarters; the rest chosen per scenario).")),
        (f"cvar_{a.alpha:g}_usd", a.cvar_usd(),
         (f"Expected cost of the worst {1 - a.alpha:.0%} of outcomes under the hedged plan "
         f"(objective weight on it: {a.cvar_weight:g}).")),
        ("eev_usd", a.eev_usd, ("Expected cost of the deterministic base plan's first stage, "
         "fixed, with the rest re-solved in each scenario.")),
        ("value_of_stochastic_solution_usd", a.vss_usd,
         ("EEV minus the hedged expected cost: what planning for the scenarios saves over "
         "planning for the base alone.")),
        ("wait_and_see_usd", a.wait_and_see_usd,
         "Probability-weighted cost of each scenario's own optimum."),
        ("expected_value_of_perfect_information_usd", a.evpi_usd,
         ("Hedged expected cost minus wait-and-see: what knowing the scenario in advance "
         "would be worth.")),
    ]
    missing = a.eev_gaps()
    if missing:
        why = (f" Not known: the base plan's first stage cannot be carried out (or was not "
               f"solved) in {missing}; see Runs. Hedging is worth at least avoiding that.")
        rows = [(k, v, m + why if k in ("eev_usd", "value_of_stochastic_solution_usd") else m)
                for k, v, m in rows]
    rows = [(k, Fmt(v, USD), m) for k, v, m in rows]
    return TableData("hedge_value", [Column("measure", max_width=45), Column("value_usd", USD),
                                     Column("meaning", max_width=100)], rows)


def shown_result(a: HedgeAnalysis, inp: PlanInput) -> tuple[PlanResult, PlanInput]:
    """The hedged plan in the shown scenario (with the estimates it was planned with) and
    that scenario's input."""
    spec = shown_scenario(a)
    plan = a.hedge.extra.scenarios[spec.name]
    cost = a.scenario_costs()[spec.name]
    solver = dataclasses.replace(
        a.hedge.extra.solver, objective_usd=cost, best_bound_usd=None,
        message=f"hedged plan over {len(a.scenarios)} scenarios (expected cost "
                f"${a.expected_cost_usd:,.0f}); these sheets show scenario '{spec.name}'")
    return (dataclasses.replace(plan, solver=solver, preface=a.preface(spec.name)),
            apply_scenario(inp, spec))


def write_hedge(a: HedgeAnalysis, inp: PlanInput, workbook: str | os.PathLike,
                out: str | os.PathLike, run_info: dict) -> Path:
    """The plan report of the hedged plan plus the hedge sheets; atomically."""
    with atomic_path(out, protect=(workbook,)) as tmp:
        if a.hedge.has_plan and a.hedge.extra is not None:
            result, applied = shown_result(a, inp)
            wb = build_workbook(result, applied, resolve(applied, workbook, run_info))
        else:
            wb = rc.new_workbook()
            rc.summary_sheet(wb, "Hedged plan: no plan", [a.hedge.message or
                             "the hedged program could not be solved"], [],
                             rc.run_info(workbook, inp, rc.now()))
        table_sheet(wb, "Hedge", hedge_table(a))
        table_sheet(wb, "HedgeValue", value_table(a))
        rc.add_runs(wb, a.outcomes)
        wb.active = 0
        save_workbook(wb, tmp)
    return Path(out)
