"""Sheets for the auditor: Assumptions (every input used) and Solver (how it was solved)."""

from __future__ import annotations

from dataclasses import fields

from planner.domain import PENALTY_KINDS, PlanInput, PlanResult
from planner.report.assumptions import assumptions_table
from planner.report.styles import INT, PCT, PCT2, SECONDS, USD, Fmt
from planner.report.tables import Column, TableData, table_sheet

SOLVER_FORMATS = {
    "objective_usd": USD, "best_bound_usd": USD, "gap": PCT2, "solve_seconds": SECONDS,
    "build_seconds": SECONDS, "variables": INT, "integer_variables": INT, "constraints": INT,
    "time_limit_s": SECONDS, "mip_gap": PCT2,
}


def solver_table(result: PlanResult, info: dict) -> TableData:
    """SolverInfo field by field, then the plan's headline figures and the run."""
    s = result.solver
    rows = [(f.name, Fmt(getattr(s, f.name), SOLVER_FORMATS.get(f.name))) for f in fields(s)]
    rows += [
        ("cost_basis", result.cost_basis),
        ("total_cost_of_ownership_usd", Fmt(result.costs.cost_of_ownership_usd, USD)),
        *[(f"{name.removesuffix('_usd')}_npv_usd", Fmt(getattr(result.costs, name), USD))
          for name, _label in PENALTY_KINDS],
        ("objective_incl_penalties_usd", Fmt(result.costs.objective_usd, USD)),
        ("unmet_demand_share", Fmt(result.unmet_demand_share, PCT)),
        ("planner_version", info.get("planner_version")),
        ("started_at", info.get("started_at")),
        ("run_seconds", Fmt(info.get("run_seconds"), SECONDS)),
        ("input_file", info.get("input_file")),
        ("input_sha256", info.get("input_sha256")),
    ]
    return TableData("solver", [Column("field"), Column("value", max_width=66, align="left")], rows)


def build(wb, result: PlanResult, inp: PlanInput, info: dict) -> dict:
    return {
        "Assumptions": table_sheet(wb, "Assumptions", assumptions_table(inp, info)),
        "Solver": table_sheet(wb, "Solver", solver_table(result, info)),
    }
