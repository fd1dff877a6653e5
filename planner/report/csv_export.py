"""Every table of the report as a CSV file (UTF-8 with a byte-order mark, so Excel reads
non-ASCII names correctly), each written atomically."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from planner.common.atomic import atomic_path
from planner.domain import PlanInput, PlanResult, units
from planner.report import emissions, metrics, mix_saving, plan_tables, runinfo, slices
from planner.report.assumptions import assumptions_table
from planner.report.pnl import pnl_table
from planner.report.sheets_audit import solver_table
from planner.report.styles import is_risky, plain
from planner.report.tables import Column, TableData
from planner.report.unit_economics import unit_economics_table
from planner.report.usage import utilisation_table


def cashflow_by_year_table(result: PlanResult, inp: PlanInput) -> TableData:
    return TableData(
        "cashflow_by_year",
        [Column(n) for n in ("year", "capital_usd", "operating_usd", "resale_usd",
                             "net_cash_usd", "residual_value_usd", "penalty_usd",
                             "discounted_cost_usd", "capital_budget_usd",
                             "operating_budget_usd")],
        [(y.year, y.capex_usd, y.opex_usd, y.resale_usd, y.net_cash_usd, y.residual_usd,
          y.penalty_usd, y.discounted_usd, y.capex_budget_usd, y.opex_budget_usd)
         for y in metrics.spend_by_year(result, inp)],
    )


def cost_per_million_tokens_table(result: PlanResult, inp: PlanInput) -> TableData:
    users, _ = metrics.cost_per_user(result, inp)
    return TableData(
        "cost_per_million_tokens",
        [Column(n) for n in ("workload", "kind", "demand_prompt_output_tokens",
                             "served_prompt_output_tokens", "met_share", "allocated_cost_usd",
                             units.usd_per_mtok_column(units.PROMPT_OUTPUT),
                             units.usd_per_mtok_column(units.OUTPUT_ONLY))],
        [(u.user, u.kind, u.demand_tokens, u.served_tokens, u.met_share, u.cost_usd,
          u.usd_per_million_tokens, metrics.usd_per_million_output_tokens(u, inp))
         for u in users],
    )


def all_tables(result: PlanResult, inp: PlanInput, info: dict) -> list[TableData]:
    """Every table the report holds, in sheet order (optional ones always, maybe empty,
    so that scripts find the same files for every plan)."""
    return [
        cashflow_by_year_table(result, inp), cost_per_million_tokens_table(result, inp),
        plan_tables.purchases_table(result), plan_tables.rentals_table(result),
        plan_tables.retirements_table(result), plan_tables.expansions_table(result),
        plan_tables.stacks_table(result), plan_tables.fleet_table(result),
        plan_tables.allocation_table(result, inp), plan_tables.api_table(result),
        plan_tables.capacity_table(result, inp), slices.slices_table(result),
        mix_saving.options_table(result), mix_saving.per_workload_table(result),
        utilisation_table(result),
        plan_tables.power_table(result), emissions.emissions_table(result, inp),
        plan_tables.cashflow_table(result),
        pnl_table(result, inp), unit_economics_table(result, inp),
        plan_tables.throughput_table(result),
        plan_tables.training_table(result, inp), plan_tables.training_estimates_table(result),
        assumptions_table(inp, info), solver_table(result, info),
        plan_tables.diagnostics_table(result),
    ]


def csv_value(value) -> object:
    """A CSV field: risky text quoted with a leading apostrophe, booleans as true/false."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def write_table_csv(table: TableData, path: Path) -> Path:
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f)
        out.writerow(table.headers)
        for row in table.rows:
            out.writerow([csv_value(v) for v in row])
    return path


def write_csv(result: PlanResult, inp: PlanInput, directory: str | os.PathLike, *,
              run_info: dict | None = None) -> list[Path]:
    """Write one ``<table>.csv`` per table into ``directory``; return the paths."""
    directory = Path(directory)
    info = runinfo.resolve(inp, None, run_info)
    return [write_table_csv(t, directory / f"{t.key}.csv")
            for t in all_tables(result, inp, info)]
