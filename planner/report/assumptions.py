"""The Assumptions table: every input the plan used, one value per row.

One long table (section, item, parameter, value, unit, note) rather than several wide
ones, so an auditor can filter by section or by chip, site or workload.
"""

from __future__ import annotations

from dataclasses import fields

from planner.domain import PlanInput, units
from planner.domain.carbon import describe_by_year
from planner.domain.names import find_by_name
from planner.report.styles import FACTOR, INT, NUM1, NUM2, PCT, PCT2, USD, USD_KWH, USD_RATE, Fmt
from planner.report.tables import Column, TableData

# parameter -> (unit, number format)
UNITS: dict[str, tuple[str, str | None]] = {
    "start_quarter": ("quarter", None), "quarters": ("quarters", INT),
    "discount_rate_per_year": ("share per year", PCT), "pue": ("ratio", NUM2),
    "time_limit_s": ("s", NUM1), "mip_gap": ("share", PCT2),
    "target_utilisation": ("share", PCT), "server_power_overhead": ("ratio", NUM2),
    "power_draw_fraction": ("share", PCT),
    "unmet_penalty_usd_per_million_tokens": (units.usd_per_mtok_label(units.PROMPT_OUTPUT),
                                             USD_RATE),
    "unmet_training_penalty_usd_per_chip_hour": ("USD per chip-hour", USD_RATE),
    "budget_overrun_penalty_usd_per_usd": ("USD per USD over budget", NUM2),
    "hours_per_quarter": ("hours", NUM1),
    "purchase_usd_per_chip": ("USD", USD), "rent_usd_per_chip_hour": ("USD per chip-hour", USD_RATE),
    "lifetime_years": ("years", NUM1), "power_kw_per_chip": ("kW", FACTOR),
    "lead_time_quarters": ("quarters", INT), "available_from": ("quarter", None),
    "available_until": ("quarter", None), "memory_gb": ("GB", NUM1),
    "memory_bw_tbs": ("TB/s", NUM2), "tdp_w": ("W", INT), "scaleup_domain_chips": ("chips", INT),
    "scaleup_gbs_per_chip": ("GB/s", INT), "power_cap_kw": ("kW", NUM1),
    "electricity_usd_per_kwh": ("USD per kWh", USD_KWH), "prompt_tokens": ("tokens", INT),
    "output_tokens": ("tokens", INT), "ttft_ms": ("ms", NUM1), "tpot_ms": ("ms", NUM2),
    "peak_to_average": ("ratio", NUM2), "tokens": ("tokens", INT), "mfu": ("share", PCT),
    "output_tokens_per_s_per_chip": (units.tokens_per_s_label(units.OUTPUT_ONLY) + " per chip",
                                     NUM1),
    "params_b": ("billion parameters", NUM1), "active_params_b": ("billion parameters", NUM1),
    "demand_tokens_per_day": ("tokens per day", INT),
    "price_decline_per_quarter": ("share per quarter", PCT),
    "resale_decline_per_year": ("share per year", PCT),
    "reserved_1y_discount": ("share", PCT), "reserved_3y_discount": ("share", PCT),
    "supply_cap_per_quarter": ("chips per quarter", INT), "max_chips": ("chips", INT),
    "order_unit_chips": ("chips per unit", INT), "rental_unit_chips": ("chips per instance", INT),
    "extra_kw": ("kW", NUM1), "cost_usd": ("USD", USD), "quantity": ("chips", INT),
    "usd_per_million_tokens": (units.usd_per_mtok_label(units.PROMPT_OUTPUT), USD_RATE),
    "max_tokens_per_day": ("tokens per day", INT), "earliest": ("quarter", None),
    "deadline": ("quarter", None), "bought": ("quarter", None),
    "electricity_usd_per_kwh_by_quarter": ("USD per kWh", USD_KWH),
    "draft_tokens": ("tokens per decode step", INT), "draft_acceptance": ("share", PCT),
    "max_replica_chips": ("chips", INT), "lora_rank": ("adapter rank", INT),
    "embodied_kgco2e_per_chip": ("kgCO2e per chip", NUM1),
    "rent_kgco2e_per_chip_hour": ("kgCO2e per chip-hour", FACTOR),
    "gco2e_per_million_tokens": ("gCO2e per million prompt+output tokens", NUM1),
    "grid_gco2e_per_kwh": ("gCO2e per kWh", NUM1), "market_gco2e_per_kwh": ("gCO2e per kWh", NUM1),
    "carbon_price_usd_per_tco2e": ("USD per tCO2e", None),
    "emissions_cap_tco2e": ("tCO2e per year", None),
    "emissions_overrun_penalty_usd_per_tco2e": ("USD per tCO2e over the cap", USD),
    "max_gang_chips": ("chips", INT),
    "tax_rate": ("share of taxable income", PCT), "bonus_depreciation_share": ("share", PCT),
    "depreciation_schedule": ("share of cost per year after delivery", None),
    "declining_balance_factor": ("x straight-line rate", NUM2),
    "expansion_depreciation_years": ("years", NUM1), "financed_share": ("share", PCT),
    "loan_rate_per_year": ("share per year", PCT), "loan_term_years": ("years", NUM1),
    "usd_per_million_input_tokens": ("USD per million input (prompt) tokens", USD_RATE),
    "usd_per_million_output_tokens": ("USD per million output tokens", USD_RATE),
    "output_tokens_per_s_per_user": ("output tokens/s per user", INT),
}
#: By-year Settings values (planner.domain.carbon) and what a blank one means.
BY_YEAR = {"carbon_price_usd_per_tco2e": "no carbon price", "emissions_cap_tco2e": "no cap"}
SPEC_FIELDS = ("vendor", "software_stack", "memory_gb", "memory_bw_tbs", "tdp_w",
               "scaleup_domain_chips", "scaleup_gbs_per_chip", "purchasable", "modelable",
               "confidence")
MODEL_FIELDS = ("params_b", "active_params_b", "layers", "hidden_size", "attention_heads",
                "kv_heads", "head_dim", "experts", "active_experts", "attention",
                "kv_lora_rank", "rope_head_dim", "vocab_size", "max_context")

Row = tuple
CHIP_NOTES = {"available_from": "from the start", "available_until": "to the end",
              "supply_cap_per_quarter": "no limit", "reserved_1y_discount": "not offered",
              "reserved_3y_discount": "not offered", "power_kw_per_chip": "no TDP known",
              "embodied_kgco2e_per_chip": "not counted", "rent_kgco2e_per_chip_hour": "not counted"}


def _row(section: str, item: str, parameter: str, value, note: str = "",
         unit: str | None = None, fmt: str | None = None) -> Row:
    default_unit, default_fmt = UNITS.get(parameter, ("", None))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and fmt is None:
        fmt = default_fmt or (INT if isinstance(value, int) else NUM2)
    if isinstance(value, tuple) and value and all(isinstance(x, float) for x in value):
        value = ", ".join(f"{x * 100:.6g}%" for x in value)  # shares, as typed
    if value is not None and not isinstance(value, (int, float, bool, str)):
        value = str(value)
    return (section, item, parameter, Fmt(value, fmt), default_unit if unit is None else unit,
            note)


def _settings(inp: PlanInput) -> list[Row]:
    s = inp.settings
    rows = []
    for f in fields(s):
        value = getattr(s, f.name)
        if f.name in BY_YEAR:  # '2027: 50, 2029: 100' (a year not listed keeps the last)
            rows.append(_row("settings", "", f.name, describe_by_year(value) or None,
                             "" if value else BY_YEAR[f.name]))
        else:
            rows.append(_row("settings", "", f.name, value))
    return rows


def _chip_rows(inp: PlanInput) -> list[Row]:
    out: list[Row] = []
    for offer in inp.chips:
        c = offer.chip
        spec = inp.chip_specs.get(c) or find_by_name(c, inp.chip_specs)
        for f in fields(offer):
            if f.name == "chip":
                continue
            value = getattr(offer, f.name)
            note = ""
            if f.name == "purchase_usd_per_chip":
                note = "cannot be bought" if value is None else units.PURCHASE_PRICE_INCLUDES
            elif f.name == "rent_usd_per_chip_hour" and value is None:
                note = "cannot be rented"
            elif f.name in CHIP_NOTES and value is None:
                note = CHIP_NOTES[f.name]
            if f.name == "power_kw_per_chip" and value is None and spec and spec.tdp_w:
                value = spec.tdp_w * inp.settings.server_power_overhead / 1000.0
                note = "derived: TDP x server_power_overhead"
            out.append(_row("chip", c, f.name, value, note))
        if spec is None:
            out.append(_row("chip spec", c, "spec", None, "no catalog entry"))
            continue
        if spec.name != c:
            out.append(_row("chip spec", c, "catalog_name", spec.name))
        out += [_row("chip spec", c, name, getattr(spec, name)) for name in SPEC_FIELDS]
        out += [_row("chip spec", c, f"peak_tflops_{p}", v, unit="TFLOP/s dense", fmt=NUM1)
                for p, v in spec.peak_tflops.items()]
        if spec.sources:
            out.append(_row("chip spec", c, "sources", None, spec.sources))
    return out


def _generic(section: str, item: str, obj, periods: list[str], skip=("name",),
             notes: dict | None = None) -> list[Row]:
    """One row per field of a dataclass; per-quarter tuples become one row per quarter."""
    out: list[Row] = []
    for f in fields(obj):
        if f.name in skip:
            continue
        value = getattr(obj, f.name)
        note = (notes or {}).get(f.name, "") if value is None else ""
        if isinstance(value, tuple) and value and all(isinstance(v, (int, float)) for v in value):
            base = f.name.removesuffix("_by_quarter")
            out += [_row(section, item, f"{f.name}[{q}]", v, unit=UNITS.get(base, ("", None))[0],
                         fmt=UNITS.get(base, ("", None))[1]) for q, v in zip(periods, value)]
            continue
        if isinstance(value, tuple):
            value = ", ".join(str(v) for v in value)
        out.append(_row(section, item, f.name, value, note))
    return out


def _sites(inp: PlanInput) -> list[Row]:
    out: list[Row] = []
    periods = [str(q) for q in inp.periods]
    notes = {"pue": f"settings default ({inp.settings.pue:.2f})", "max_chips": "no limit",
             "power_cap_kw_by_quarter": "power_cap_kw every quarter",
             "electricity_usd_per_kwh_by_quarter": "electricity_usd_per_kwh every quarter",
             "grid_gco2e_per_kwh_by_quarter": "no Carbon sheet: not counted",
             "market_gco2e_per_kwh_by_quarter": "no Carbon sheet: not counted"}
    for site in inp.sites:
        out += _generic("site", site.name, site, periods, notes=notes)
    for x in inp.expansions:
        out += _generic("site expansion", f"{x.site} / {x.name}", x, periods,
                        skip=("site", "name"), notes={"earliest": "any quarter"})
    for e in inp.existing:
        out += _generic("existing chips", f"{e.chip} at {e.site}", e, periods,
                        skip=("chip", "site"))
    return out


def _workloads(inp: PlanInput) -> list[Row]:
    out: list[Row] = []
    periods = [str(q) for q in inp.periods]
    notes = {"ttft_ms": "no target", "tpot_ms": "no target"}
    for w in inp.workloads:
        out += _generic("workload", w.name, w, periods, skip=("name", "demand_tokens_per_day"),
                        notes=notes)
        for q, demand in zip(periods, w.demand_tokens_per_day):
            out.append(_row("demand", w.name, q, demand, "prompt + output tokens",
                            unit="tokens per day", fmt=INT))
    for a in inp.apis:
        out += _generic("api offer", a.name, a, periods, notes={
            "max_tokens_per_day": "no limit", "gco2e_per_million_tokens": "not counted",
            "usd_per_million_input_tokens": "one price for all tokens",
            "usd_per_million_output_tokens": "one price for all tokens",
            "output_tokens_per_s_per_user": "not published: no latency check"})
    return out


def _money_inputs(inp: PlanInput) -> list[Row]:
    out: list[Row] = []
    for b in inp.budgets:
        out.append(_row("budget", str(b.year), "capex_usd", b.capex_usd,
                        "no limit" if b.capex_usd is None else "", unit="USD", fmt=USD))
        out.append(_row("budget", str(b.year), "opex_usd", b.opex_usd,
                        "no limit" if b.opex_usd is None else "", unit="USD", fmt=USD))
    for st in inp.stacks:
        out.append(_row("software stack", st.name, "adoption_usd", st.adoption_usd,
                        "already adopted" if st.adopted else "", unit="USD", fmt=USD))
    return out


def _training(inp: PlanInput) -> list[Row]:
    out: list[Row] = []
    periods = [str(q) for q in inp.periods]
    for run in inp.training:
        out += _generic("training run", run.name, run, periods, notes={"mfu": "model default"})
    for m in inp.measured:
        item = f"{m.chip} / {m.model} / {m.precision}"
        note = "measured" + (f": {m.source}" if m.source else "")
        if m.output_tokens_per_s_per_chip is not None:
            out.append(_row("measured throughput", item, "output_tokens_per_s_per_chip",
                            m.output_tokens_per_s_per_chip, note))
        else:
            out.append(_row("measured throughput", item, "requests_per_s_per_chip",
                            m.requests_per_s_per_chip, note, unit="requests/s per chip"))
        out.append(_row("measured throughput", item, "prompt_tokens", m.prompt_tokens))
        out.append(_row("measured throughput", item, "output_tokens", m.output_tokens))
    for c in inp.complete_measured:
        item = " / ".join(x for x in (c.chip, c.model, c.precision) if x)
        out.append(_row("measured throughput", item, "complete", True,
                        "declared complete: a size not measured cannot be served on this "
                        "chip" + (f" ({c.source})" if c.source else "")))
    return out


def _models(inp: PlanInput) -> list[Row]:
    names = list(dict.fromkeys([w.model for w in inp.workloads] + [r.model for r in inp.training]))
    out: list[Row] = []
    for name in names:
        spec = inp.model_specs.get(name) or find_by_name(name, inp.model_specs)
        if spec is None:
            out.append(_row("model", name, "spec", None, "no catalog entry"))
            continue
        out += [_row("model", name, f, getattr(spec, f)) for f in MODEL_FIELDS]
        if spec.source:
            out.append(_row("model", name, "source", None, spec.source))
    return out


def assumptions_table(inp: PlanInput, info: dict) -> TableData:
    rows = [_row("input", "", "file", info.get("input_file", "")),
            _row("input", "", "sha256", info.get("input_sha256", ""))]
    rows += _settings(inp) + _chip_rows(inp) + _sites(inp) + _workloads(inp)
    rows += _money_inputs(inp)
    rows += _training(inp) + _models(inp)
    return TableData(
        "assumptions",
        [Column("section"), Column("item"), Column("parameter"), Column("value", max_width=24),
         Column("unit", align="indent"), Column("note")],
        rows,
    )
