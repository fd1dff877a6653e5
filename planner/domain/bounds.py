"""Plausible ranges: the largest value of each input quantity that any real fleet could have.

Every number the planner reads has a documented upper bound here, far above anything real
(a trillion dollars of capex, a hundred million chips, ten quadrillion tokens a day) and far
below what breaks arithmetic or the solver (1e308 prices, 1e22 tokens a day, lifetimes of
1e30 years, millions of quarters).  A value above its bound is an input error naming the
cell and the range (:mod:`planner.io.cells`); values the workbook does not hold directly
(demand grown by Drivers or History, values changed by a scenario) pass the same bounds
again in :func:`magnitude_problems` before any solve.  Lower bounds are the column kinds'
(>= 0, > 0, fractions in (0, 1]); see :data:`planner.io.schema_spec.KINDS`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

_MONEY = 1e12          # a trillion dollars: capex, opex or one expansion of the largest fleet
_CHIPS = 1e8           # a hundred million accelerators
_TOKENS_PER_DAY = 1e16  # ten quadrillion tokens a day (all of 2025's AI traffic is ~1e14)
_MODEL = 1e5           # layers, heads, experts

#: Column (or Settings key, or domain field) -> its largest plausible value.
PLAUSIBLE_MAX: dict[str, float] = {
    # money
    "purchase_usd_per_chip": 1e7, "rent_usd_per_chip_hour": 1e4,
    "cost_usd": _MONEY, "adoption_usd": _MONEY, "capex_usd": _MONEY, "opex_usd": _MONEY,
    "electricity_usd_per_kwh": 100.0, "usd_per_million_tokens": 1e6,
    "usd_per_million_input_tokens": 1e6, "usd_per_million_output_tokens": 1e6,
    "unmet_penalty_usd_per_million_tokens": 1e6,
    "unmet_training_penalty_usd_per_chip_hour": 1e5, "budget_overrun_penalty_usd_per_usd": 1e3,
    # time
    "quarters": 200, "hedge_first_stage_quarters": 200, "lead_time_quarters": 40,
    "lifetime_years": 30.0, "time_limit_s": 7 * 24 * 3600.0, "hours_per_quarter": 2208.0,
    "ttft_ms": 1e7, "tpot_ms": 1e7,
    # demand and its drivers
    "tokens_per_day": _TOKENS_PER_DAY, "max_tokens_per_day": _TOKENS_PER_DAY,
    "prompt_tokens": 1e8, "output_tokens": 1e8, "tokens": 1e17,
    "prompt_tokens_max": 1e8, "output_tokens_max": 1e8, "prompt_tokens_min": 1e8,
    "output_tokens_min": 1e8, "prompt_tokens_mean": 1e8, "output_tokens_mean": 1e8,
    "requests_per_s": 1e11, "requests_per_day": _TOKENS_PER_DAY,
    "active_users": 1e11, "requests_per_user_per_day": 1e6, "reasoning_multiplier": 1e4,
    "forecast_p10_probability": 1.0, "forecast_p50_probability": 1.0,
    "forecast_p90_probability": 1.0,
    "users_growth_per_quarter": 10.0, "requests_growth_per_quarter": 10.0,
    "reasoning_growth_per_quarter": 10.0, "peak_to_average": 1e3,
    # chips, sites and power
    "quantity": _CHIPS, "max_chips": _CHIPS, "supply_cap_per_quarter": _CHIPS,
    "scaleup_domain_chips": 1e6, "power_cap_kw": 1e8, "extra_kw": 1e8,
    "power_kw_per_chip": 1e3, "tdp_w": 1e6, "pue": 10.0, "server_power_overhead": 10.0,
    "memory_gb": 1e6, "memory_bw_tbs": 1e4, "scaleup_gbs_per_chip": 1e7,
    "bf16_tflops": 1e7, "fp8_tflops": 1e7, "fp4_tflops": 1e7, "int8_tops": 1e7,
    "output_tokens_per_s_per_chip": 1e8, "max_requests_per_s_per_chip": 1e8, "output_tokens_per_s_per_user": 1e6,
    # models
    "params_b": 1e5, "active_params_b": 1e5, "vocab_size": 1e8, "max_context": 1e9,
    "hidden_size": 1e7, "head_dim": 1e5, "layers": _MODEL, "attention_heads": _MODEL,
    "kv_heads": _MODEL, "experts": _MODEL, "active_experts": _MODEL, "moe_layers": _MODEL,
    "lora_rank": 1e5, "draft_tokens": 1e3, "max_replica_chips": 1e6,
    "max_gang_chips": 1e6,
    "order_unit_chips": 1e5, "rental_unit_chips": 1e5,
    # carbon (the dirtiest grids emit about 1,000 gCO2e/kWh; a GPU server's embodied
    # emissions are thousands of kg; carbon prices in use are below $200/t)
    "grid_gco2e_per_kwh": 1e4, "market_gco2e_per_kwh": 1e4,
    "embodied_kgco2e_per_chip": 1e6, "rent_kgco2e_per_chip_hour": 1e3,
    "gco2e_per_million_tokens": 1e8, "carbon_price_usd_per_tco2e": 1e5,
    "emissions_cap_tco2e": 1e10, "emissions_overrun_penalty_usd_per_tco2e": 1e6,
    # tax and financing (fractions and rates are bounded by their kind: tax_rate,
    # financed_share, loan_rate_per_year, bonus_depreciation_share in [0, 1])
    "loan_term_years": 30.0, "expansion_depreciation_years": 50.0,
    "declining_balance_factor": 10.0,
}

#: Domain fields that hold a column's values by quarter, and the column they hold.
_FIELD_COLUMN = {"demand_tokens_per_day": "tokens_per_day",
                 "power_cap_kw_by_quarter": "power_cap_kw",
                 "electricity_usd_per_kwh_by_quarter": "electricity_usd_per_kwh",
                 "grid_gco2e_per_kwh_by_quarter": "grid_gco2e_per_kwh",
                 "market_gco2e_per_kwh_by_quarter": "market_gco2e_per_kwh"}


def plausible_max(name: str) -> float | None:
    """The largest plausible value of column ``name``; None for columns bounded by their
    kind alone (fractions, rates, years, quarters)."""
    return PLAUSIBLE_MAX.get(name)


def range_text(name: str) -> str:
    """'at most 10,000,000' as messages and docs say it."""
    top = PLAUSIBLE_MAX[name]
    return f"at most {top:,.0f}" if top >= 1 and top < 1e13 else f"at most {top:.0e}"


def _numbers(value: object) -> Iterator[tuple[str, float]]:
    """(where, number) for a number, each number of a per-quarter tuple, and the value
    of each (year, value) pair of a by-year tuple (planner.domain.carbon)."""
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield "", float(value)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            where = f" in quarter {i + 1} of the plan"
            if isinstance(item, tuple) and len(item) == 2:  # a (year, value) pair
                where = f" in {item[0]}" if item[0] else ""
                item = item[1]
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                yield where, float(item)


def _record_problems(where: str, record: object) -> Iterator[str]:
    for f in dataclasses.fields(record):  # type: ignore[arg-type]
        column = _FIELD_COLUMN.get(f.name, f.name)
        top = PLAUSIBLE_MAX.get(column)
        if top is None:
            continue
        for at, number in _numbers(getattr(record, f.name)):
            if math.isfinite(number) and abs(number) <= top:
                continue
            shown = f"{number:.3g}" if math.isfinite(number) else "not a finite number"
            yield (f"{where}: {column}{at} is {shown}, outside the plausible range "
                   f"({range_text(column)})")
            break


def magnitude_problems(inp: object) -> list[str]:
    """Every value of a plan input (its settings, chips, sites, workloads, runs, budgets,
    stacks, APIs, expansions and owned chips) outside its plausible range, as messages
    naming the record; empty when all are plausible."""
    found = list(_record_problems("Settings", inp.settings))  # type: ignore[attr-defined]
    groups = ("chips", "sites", "workloads", "training", "existing", "budgets", "stacks",
              "apis", "expansions", "measured")
    for group in groups:
        for record in getattr(inp, group, ()):
            name = getattr(record, "name", None) or getattr(record, "chip", None) or ""
            found.extend(_record_problems(f"{group} '{name}'" if name else group, record))
    return found
