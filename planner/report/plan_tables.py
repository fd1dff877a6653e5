"""The plan's own tables (decisions, capacity, power, money, estimates) as TableData."""

from __future__ import annotations

from planner.domain import PlanInput, PlanResult, units
from planner.report import sources
from planner.report.styles import (
    FACTOR,
    INT,
    NUM1,
    NUM2,
    PCT,
    USD,
    USD_RATE,
)
from planner.report.tables import Column as C
from planner.report.tables import TableData, quarter_key, vintage_quarter


def _start(result: PlanResult) -> str | None:
    return result.periods[0] if result.periods else None


def purchases_table(result: PlanResult) -> TableData:
    rows = sorted(result.purchases, key=lambda r: (quarter_key(r.quarter_ordered), r.chip, r.site))
    return TableData(
        "purchases",
        [C("chip"), C("site"), C("quarter_ordered"), C("quarter_delivered"),
         C("quantity_chips", INT), C("unit_price_usd", USD), C("total_usd", USD)],
        [(r.chip, r.site, r.quarter_ordered, r.quarter_delivered, r.quantity,
          r.unit_price_usd, r.total_usd) for r in rows],
        "No purchases: this plan buys no chips.",
    )


def rentals_table(result: PlanResult) -> TableData:
    rows = sorted(result.rentals, key=lambda r: (quarter_key(r.quarter), r.chip, r.kind))
    return TableData(
        "rentals",
        [C("chip"), C("kind"), C("term_quarters", INT), C("quarter"), C("quantity_chips", INT),
         C("price_usd_per_chip_hour", USD_RATE), C("total_usd", USD)],
        [(r.chip, r.kind, r.term_quarters, r.quarter, r.quantity, r.price_usd_per_chip_hour,
          r.total_usd) for r in rows],
        "No rentals: this plan rents no chips.",
    )


def fleet_table(result: PlanResult) -> TableData:
    start = _start(result)
    rows = sorted(((r.quarter, r.chip, r.site, r.ownership, vintage_quarter(r.vintage, start),
                    r.quantity) for r in result.fleet),
                  key=lambda r: (quarter_key(r[0]), r[1], r[2], r[3], quarter_key(r[4])))
    return TableData(
        "fleet",
        [C("quarter"), C("chip"), C("site"), C("ownership"), C("vintage"),
         C("quantity_chips", INT)],
        rows,
        "No chips in service in any quarter.",
    )


def allocation_table(result: PlanResult, inp: PlanInput | None = None) -> TableData:
    """Chips allocated per quarter, workload and chip, and whether the rate they serve at
    was measured or modelled (``throughput_source``; needs ``inp``)."""
    rows = sorted(result.allocation, key=lambda r: (quarter_key(r.quarter), r.workload, r.chip))
    source = sources.by_workload_chip(result, inp) if inp is not None else {}
    return TableData(
        "allocation",
        [C("quarter"), C("workload"), C("chip"), C("chips", NUM1), C(units.tokens_per_s_column(units.PROMPT_OUTPUT), INT),
         C("tokens_per_day", INT), C("throughput_source")],
        [(r.quarter, r.workload, r.chip, r.chips, r.tokens_per_s, r.tokens_per_day,
          source.get((r.workload, r.chip), "")) for r in rows],
        "No chips are allocated to inference workloads.",
    )


def capacity_table(result: PlanResult, inp: PlanInput | None = None) -> TableData:
    """Demand against what is served; ``demand_method`` (direct, drivers or history) says
    where each workload's demand came from (planner.forecast)."""
    rows = sorted(result.capacity, key=lambda r: (quarter_key(r.quarter), r.workload))
    methods = {w.name: w.demand_method for w in inp.workloads} if inp is not None else {}

    def met(r) -> float:
        return r.served_tokens_per_day / r.demand_tokens_per_day if r.demand_tokens_per_day > 0 else 1.0

    return TableData(
        "capacity",
        [C("quarter"), C("workload"), C("demand_tokens_per_day", INT),
         C("served_tokens_per_day", INT), C("unmet_tokens_per_day", INT), C("met_share", PCT),
         C("demand_method")],
        [(r.quarter, r.workload, r.demand_tokens_per_day, r.served_tokens_per_day,
          r.unmet_tokens_per_day, met(r), methods.get(r.workload, "direct")) for r in rows],
        "No inference demand in this plan.",
    )


def power_table(result: PlanResult) -> TableData:
    rows = sorted(result.power, key=lambda r: (quarter_key(r.quarter), r.site))
    return TableData(
        "power",
        [C("quarter"), C("site"), C("it_power_kw", NUM1), C("facility_power_kw", NUM1),
         C("cap_kw", NUM1), C("headroom_kw", NUM1), C("energy_mwh", NUM1)],
        [(r.quarter, r.site, r.it_power_kw, r.facility_power_kw, r.cap_kw,
          r.cap_kw - r.facility_power_kw, r.energy_mwh) for r in rows],
        "No power drawn at any site.",
    )


CASHFLOW_COLUMNS = [
    C("quarter"), C("capital_usd", USD), C("rental_usd", USD), C("power_usd", USD),
    C("api_usd", USD), C("expansion_usd", USD), C("stack_usd", USD), C("resale_usd", USD),
    C("net_cash_usd", USD), C("capital_charge_usd", USD), C("residual_credit_usd", USD),
    C("cost_usd", USD), C("discount_factor", FACTOR), C("discounted_cost_usd", USD),
    C("unmet_inference_penalty_usd", USD), C("unmet_training_penalty_usd", USD),
    C("budget_overrun_penalty_usd", USD), C("emissions_overrun_penalty_usd", USD),
    C("discounted_penalty_usd", USD), C("carbon_cost_usd", USD),
    C("discounted_carbon_cost_usd", USD),
]


#: After tax and financing, appended when the plan has a tax rate or a loan
#: (docs/model.md, After tax): the pre-tax cost, each tax and financing term (negative:
#: tax saved), the after-tax net cash, and what tax and financing add to the cost.
AFTER_TAX_COLUMNS = [
    C("pre_tax_cost_usd", USD), C("tax_operating_usd", USD),
    C("tax_depreciation_chips_usd", USD), C("tax_depreciation_expansions_usd", USD),
    C("tax_resale_usd", USD), C("tax_interest_usd", USD), C("financing_usd", USD),
    C("after_tax_net_cash_usd", USD), C("tax_end_usd", USD), C("capital_charge_tax_usd", USD),
    C("tax_cost_usd", USD),
]


def has_after_tax(result: PlanResult) -> bool:
    """Whether the plan was made after tax or with a loan (the after-tax columns apply)."""
    return result.tax_basis != "pre-tax" or any(r.financing_usd for r in result.cashflow)


def cashflow_table(result: PlanResult) -> TableData:
    """Cash: net_cash = capital + rental + power + api + expansion + stack - resale.
    Cost of ownership: cost = capital charge + rental + power + api + expansion + stack
    - resale - residual credit (+ the tax and financing terms after tax), discounted.
    Penalties (not cash) apart, discounted.  After tax, the columns of
    :data:`AFTER_TAX_COLUMNS` follow."""
    rows = sorted(result.cashflow, key=lambda r: quarter_key(r.quarter))
    after = has_after_tax(result)
    return TableData(
        "cashflow",
        list(CASHFLOW_COLUMNS) + (AFTER_TAX_COLUMNS if after else []),
        [(r.quarter, r.capital_usd, r.rental_usd, r.power_usd, r.api_usd, r.expansion_usd,
          r.stack_usd, r.resale_usd, r.net_cash_usd, r.capital_cost_usd,
          r.residual_credit_usd, r.cost_usd, r.discount_factor, r.discounted_cost_usd,
          r.unmet_inference_penalty_usd, r.unmet_training_penalty_usd,
          r.budget_overrun_penalty_usd, r.emissions_overrun_penalty_usd,
          r.discounted_penalty_usd, r.carbon_cost_usd, r.discounted_carbon_cost_usd)
         + ((r.pre_tax_cost_usd, r.tax_operating_usd, r.tax_depreciation_chips_usd,
             r.tax_depreciation_expansions_usd, r.tax_resale_usd, r.tax_interest_usd,
             r.financing_usd, r.after_tax_net_cash_usd, r.tax_end_usd,
             r.capital_charge_tax_usd, r.tax_cost_usd) if after else ()) for r in rows],
        "No cash flows: the solver found no plan.",
    )


def _throughput_row(e) -> tuple:
    """An estimate's row; an infeasible one leaves its (zero) rates and shape blank."""
    shape = (e.output_tokens_per_s_per_chip, e.tokens_per_s_per_chip, e.chips_per_replica,
             e.tensor_parallel, e.pipeline_parallel, e.data_parallel, e.expert_parallel,
             e.batch_size, e.ttft_ms, e.tpot_ms)
    if not e.feasible:
        shape = (None,) * len(shape)
    return ((e.chip, e.model, e.precision, e.precision_used, e.dense_precision_used or None,
             e.prompt_tokens, e.output_tokens, e.feasible) + shape
            + (e.bound, e.source, e.reason, e.best_ttft_ms, e.best_tpot_ms, e.stack, e.software_gain_per_year))


def _speedups(e, quarters: int) -> tuple:
    """The estimate's software-maturity multiplier per planned quarter (blank if infeasible)."""
    if not e.feasible:
        return (None,) * quarters
    return tuple(e.speedup(t) for t in range(quarters))


def throughput_table(result: PlanResult) -> TableData:
    return TableData(
        "throughput",
        [C("chip"), C("model"), C("precision"), C("precision_used"), C("dense_precision_used"),
         C("prompt_tokens", INT), C("output_tokens", INT), C("feasible"),
         C("output_tokens_per_s_per_chip", NUM1), C(units.tokens_per_s_column(units.PROMPT_OUTPUT, "chip"), NUM1),
         C("chips_per_replica", INT), C("tensor_parallel", INT), C("pipeline_parallel", INT),
         C("data_parallel", INT), C("expert_parallel", INT), C("batch_size", INT),
         C("ttft_ms", NUM1), C("tpot_ms", NUM2), C("bound"), C("source"), C("reason"),
         C("best_ttft_ms", NUM1), C("best_tpot_ms", NUM2), C("serving_stack"),
         C("software_gain_per_year", NUM2)]
        + [C(f"speedup_{q}", FACTOR) for q in result.periods],
        [_throughput_row(e) + _speedups(e, len(result.periods)) for e in result.throughput],
        "No throughput estimates were made.",
    )


def training_table(result: PlanResult, inp: PlanInput) -> TableData:
    models = {run.name: run.model for run in inp.training}
    rows = sorted(result.training, key=lambda r: (r.run, quarter_key(r.quarter), r.chip))
    return TableData(
        "training",
        [C("run"), C("model"), C("quarter"), C("chip"), C("site"), C("chips", NUM1),
         C("share_of_run", PCT)],
        [(r.run, models.get(r.run, ""), r.quarter, r.chip, r.site, r.chips, r.share_of_run)
         for r in rows],
        "No training is scheduled in this plan.",
    )


def training_estimates_table(result: PlanResult) -> TableData:
    return TableData(
        "training_estimates",
        [C("chip"), C("model"), C("method"), C("tokens", INT), C("chips", INT),
         C("precision_used"), C("feasible"), C("mfu", PCT), C("hours", NUM1),
         C("chip_hours", INT), C("reason")],
        [(e.chip, e.model, e.method, e.tokens, e.chips, e.precision_used, e.feasible, e.mfu,
          e.hours, e.chip_hours, e.reason) for e in result.training_estimates],
        "No training estimates were made.",
    )


def has_training(result: PlanResult, inp: PlanInput) -> bool:
    """Whether the plan involves training at all (the Training sheets appear only then)."""
    return bool(inp.training or result.training or result.training_estimates)



def retirements_table(result: PlanResult) -> TableData:
    rows = sorted(result.retirements, key=lambda r: (quarter_key(r.quarter), r.chip, r.site))
    return TableData(
        "retirements",
        [C("chip"), C("site"), C("vintage"), C("quarter_sold"), C("quantity_chips", INT),
         C("resale_usd_per_chip", USD), C("total_usd", USD)],
        [(r.chip, r.site, vintage_quarter(r.vintage, _start(result)), r.quarter, r.quantity,
          r.resale_usd_per_chip, r.total_usd) for r in rows],
        "No chips are sold before the end of the horizon.",
    )


def expansions_table(result: PlanResult) -> TableData:
    rows = sorted(result.expansions, key=lambda r: (quarter_key(r.quarter_ordered), r.site))
    return TableData(
        "expansions",
        [C("site"), C("expansion"), C("quarter_ordered"), C("quarter_available"),
         C("extra_kw", NUM1), C("cost_usd", USD)],
        [(r.site, r.name, r.quarter_ordered, r.quarter_available, r.extra_kw, r.cost_usd)
         for r in rows],
        "No site expansion is chosen.",
    )


def stacks_table(result: PlanResult) -> TableData:
    return TableData(
        "stacks",
        [C("stack"), C("adoption_usd", USD)],
        [(r.stack, r.adoption_usd) for r in result.stacks_adopted],
        "No new software stack is adopted.",
    )


def api_table(result: PlanResult) -> TableData:
    rows = sorted(result.api_usage, key=lambda r: (quarter_key(r.quarter), r.workload))
    return TableData(
        "api_usage",
        [C("quarter"), C("workload"), C("offering"), C("tokens_per_day", INT),
         C(units.usd_per_mtok_column(units.PROMPT_OUTPUT), USD_RATE), C("total_usd", USD)],
        [(r.quarter, r.workload, r.offering, r.tokens_per_day, r.usd_per_million_tokens,
          r.total_usd) for r in rows],
        "No tokens are bought from APIs.",
    )


def diagnostics_table(result: PlanResult) -> TableData:
    rows = sorted(result.diagnostics, key=lambda r: -abs(r.shadow_price_usd))
    return TableData(
        "diagnostics",
        [C("constraint"), C("where"), C("quarter"), C("unit"),
         C("shadow_price_usd", USD_RATE), C("message")],
        [(r.constraint, r.where, r.quarter, r.unit, r.shadow_price_usd, r.message)
         for r in rows],
        "No binding constraints were reported.",
    )


def optional_tables(result: PlanResult, inp: PlanInput) -> dict[str, TableData]:
    """Sheets for the plan's optional features, present only when the input offers the
    feature or the plan uses it: sheet title -> table."""
    out = {}
    if result.retirements or inp.existing:
        out["Retirements"] = retirements_table(result)
    if result.expansions or inp.expansions:
        out["Expansions"] = expansions_table(result)
    if result.stacks_adopted or inp.stacks:
        out["Stacks"] = stacks_table(result)
    if result.api_usage or inp.apis:
        out["ApiUsage"] = api_table(result)
    if result.diagnostics:
        out["Diagnostics"] = diagnostics_table(result)
    return out
