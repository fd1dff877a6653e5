"""Sheets of decisions and their consequences: Purchases, Rentals, Fleet, Allocation,
Capacity, Utilisation, Power, Throughput and Training (each one tidy table), plus the sheets of the
optional features (Retirements, Expansions, Stacks, ApiUsage) when the plan has them."""

from __future__ import annotations

from planner.domain import PlanInput, PlanResult
from planner.report import charts, plan_tables, slices
from planner.report.tables import table_sheet
from planner.report.usage import utilisation_table

DECISIONS_EXTRA = ("Retirements", "Expansions", "Stacks")


def build(wb, result: PlanResult, inp: PlanInput) -> dict:
    """Create the plan's table sheets in story order; return them by title."""
    extra = plan_tables.optional_tables(result, inp)
    sheets = {
        "Purchases": plan_tables.purchases_table(result),
        "Rentals": plan_tables.rentals_table(result),
    }
    sheets.update({k: extra[k] for k in DECISIONS_EXTRA if k in extra})
    sheets["Fleet"] = plan_tables.fleet_table(result)
    sheets["Allocation"] = plan_tables.allocation_table(result, inp)
    if "ApiUsage" in extra:
        sheets["ApiUsage"] = extra["ApiUsage"]
    sheets["Capacity"] = plan_tables.capacity_table(result, inp)
    if result.slices:
        sheets["Slices"] = slices.slices_table(result)
    sheets["Utilisation"] = utilisation_table(result)
    sheets["Power"] = plan_tables.power_table(result)
    return {title: table_sheet(wb, title, table) for title, table in sheets.items()}


def build_estimates(wb, result: PlanResult, inp: PlanInput) -> dict:
    """Throughput, and the Training sheets when the plan involves training."""
    out = {"Throughput": table_sheet(wb, "Throughput", plan_tables.throughput_table(result))}
    if plan_tables.has_training(result, inp):
        out["Training"] = table_sheet(wb, "Training", plan_tables.training_table(result, inp))
        out["TrainingEstimates"] = table_sheet(
            wb, "TrainingEstimates", plan_tables.training_estimates_table(result))
    return out


def build_diagnostics(wb, result: PlanResult):
    """The Diagnostics sheet (binding constraints and their shadow prices), if any."""
    if result.diagnostics:
        return table_sheet(wb, "Diagnostics", plan_tables.diagnostics_table(result))
    return None


def add_charts(sheets: dict, data_ws, result: PlanResult) -> None:
    """Charts beside the Fleet, Capacity, Power and Slices tables, fed from the ChartData
    sheet."""
    col = 1
    fleet, capacity, power = sheets["Fleet"], sheets["Capacity"], sheets["Power"]
    col = charts.fleet_chart(fleet, data_ws, col, result, fleet.max_column)
    col = charts.capacity_chart(capacity, data_ws, col, result, capacity.max_column)
    col = charts.power_charts(power, data_ws, col, result, power.max_column)
    if "Slices" in sheets:
        slices.chart(sheets["Slices"], data_ws, col, result)
