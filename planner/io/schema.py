"""The input workbook's layout: one source of truth for the reader, the template and the docs.

Each sheet is a tidy table with its header in row 1.  Column names are matched ignoring
case, spaces, hyphens and underscores; extra columns are ignored; column order is free.

``ColumnSpec.kind`` says what a cell must hold (see :data:`KINDS`); ``required`` means
the cell must be filled (so the column must exist); ``header_required`` means the column
must exist although its cells may be blank.  ``default`` is the value a blank cell takes;
where it is None, ``blank`` says in words what a blank cell means.

The building blocks (kinds, ColumnSpec, SheetSpec) are in :mod:`planner.io.schema_spec`
and the optional sheets added later (Fleet, SitePower, Expansions, Stacks, APIs, Budgets)
in :mod:`planner.io.schema_optional`; this module puts them together.

Run ``python -m planner.io.schema > docs/workbook.md`` to regenerate the docs.
"""

from __future__ import annotations

import dataclasses

from planner.domain import units
from planner.domain.costs import COST_BASES
from planner.domain.inputs import (
    DEPRECIATION_METHODS,
    REPAYMENT_PROFILES,
    ChipOffer,
    Settings,
)
from planner.domain.scenarios import OPERATIONS, PARAMETERS
from planner.io.schema_optional import MIX_NOTES, OPTIONAL_SHEETS
from planner.io.schema_spec import ACCEPTS, KINDS, ColumnSpec, SheetSpec
from planner.io.schema_spec import col as _c

__all__ = ["KINDS", "PEAK_COLUMNS", "SETTINGS", "SHEETS", "SHEET_BY_NAME", "ColumnSpec",
           "SheetSpec", "document", "markdown", "required_text"]

#: Inference and training number formats a workload may ask for.
WORKLOAD_PRECISIONS = ("fp4", "fp8", "int8", "bf16", "fp16")
SOLVERS = ("cbc", "highs")
#: Serving stacks the performance core is calibrated for (planner.perf.efficiency.STACKS).
SERVING_STACKS = ("vllm", "sglang", "trt-llm", "mlperf")
_SERVING_STACK_DOC = ("Serving stack whose calibrated efficiency is used: vllm (what a typical "
                      "buyer runs), sglang, trt-llm (TensorRT-LLM, NVIDIA only) or mlperf (a "
                      "vendor's tuned MLPerf submission, an upper reference); docs/calibration.md.")


_SETTING_DEFAULTS = {
    f.name: f.default for f in dataclasses.fields(Settings) if f.default is not dataclasses.MISSING
}


def _s(name: str, unit: str, kind: str, doc: str, **extra: object) -> ColumnSpec:
    """A Settings key; its default comes from the Settings dataclass."""
    default = _SETTING_DEFAULTS.get(name)
    if default == ():
        default = None  # an empty by-year value: none (the doc's blank text says so)
    if isinstance(default, tuple) and default:
        default = ", ".join(f"{x * 100:.6g}%" for x in default)
    if isinstance(default, bool):
        default = "yes" if default else "no"
    elif isinstance(default, float) and name == "hours_per_quarter":
        default = round(default, 2)
    return _c(name, unit, kind, name not in _SETTING_DEFAULTS, default, doc, **extra)


#: The Settings keys of a carbon price and an emissions cap (issue 20; docs/model.md,
#: "Emissions"), after the others.
_CARBON_SETTINGS = [
    _s("carbon_price_usd_per_tco2e", "USD per tCO2e", "by_year",
       "Internal carbon price by calendar year: each tonne of CO2e the plan emits (on the "
       "emissions_basis) is charged this price in the objective, as its own line (carbon "
       "cost, NPV) kept apart from the cost of ownership like the penalties: a priced "
       "externality, not cash, unless the company pays it as a tax. One number for every "
       "year, or pairs like 2027: 50, 2029: 100 (a year not listed keeps the latest listed "
       "year's price; years before the first have none).", blank="no carbon price"),
    _s("emissions_cap_tco2e", "tCO2e per year", "by_year",
       "Most tCO2e the plan may emit in a calendar year (on the emissions_basis; a year "
       "only partly in the plan counts its quarters in the plan), as a constraint whose "
       "shadow price (USD per tCO2e) the Diagnostics sheet reports. One number for every "
       "year, or pairs like 2027: 5000, 2029: 3000 (a year not listed keeps the latest "
       "listed year's cap; years before the first have none). Tonnes over it are allowed "
       "at emissions_overrun_penalty_usd_per_tco2e, so a cap the fleet already owned "
       "cannot meet shows what it costs instead of making the plan infeasible.",
       blank="no cap"),
    _s("emissions_basis", "", "choice",
       "Which grid factor the carbon price and the cap count: location (the grid's "
       "average intensity, grid_gco2e_per_kwh) or market (after the site's clean-energy "
       "contracts, market_gco2e_per_kwh or clean_energy_share on the Carbon sheet). Both "
       "are reported on the Emissions sheet.", choices=("location", "market")),
    _s("emissions_overrun_penalty_usd_per_tco2e", "USD per tCO2e over the cap", "number",
       "Penalty (a price, not cash) for each tCO2e emitted over an emissions_cap_tco2e. "
       "The default is about fifty times the highest carbon prices in use, so the plan "
       "exceeds a cap only when nothing it may still decide can keep within it."),
]


#: The Settings keys of after-tax economics (issue 21; docs/model.md, "After tax").
_TAX_SETTINGS = [
    _s("tax_rate", "fraction", "rate",
       "Corporate income tax rate (0.21 = 21%, the US federal rate of 26 U.S.C. 11(b); add "
       "a state rate for a combined one). Filled, the plan minimises after-tax cost: "
       "operating costs net of tax, purchases less the present value of their depreciation "
       "tax shields, resale gains and losses taxed against tax book value, and "
       "discount_rate_per_year is read as an after-tax rate; penalties stay pre-tax prices. "
       "A year's rate on the Budgets sheet wins over this one.",
       blank="no tax: the plan is made before tax"),
    _s("depreciation_method", "", "choice",
       "How owned chips are depreciated for tax (used with tax_rate): straight_line over "
       "the chip's lifetime_years; declining_balance at declining_balance_factor / "
       "lifetime_years a year, switching to straight line when that deducts more; "
       "schedule: the shares of depreciation_schedule, one per year after delivery. A "
       "chip retired at the end of its life deducts what is left of its cost then.",
       choices=DEPRECIATION_METHODS),
    _s("depreciation_schedule", "share of cost per year", "shares",
       "Tax depreciation per year after delivery, as shares of the cost (method "
       "schedule). The default is 5-year MACRS (GDS, half-year convention) for computers "
       "and peripheral equipment: IRS Publication 946, Table A-1 and asset class 00.12 of "
       "Table B-1. Each year's share is deducted evenly over its four quarters."),
    _s("declining_balance_factor", "ratio", "ratio",
       "Declining-balance rate as a multiple of the straight-line rate (2 = double "
       "declining balance; 1.5 = 150%). Method declining_balance only."),
    _s("bonus_depreciation_share", "fraction", "share",
       "Share of a chip's or expansion's cost deducted in the quarter it enters service "
       "(bonus depreciation, 26 U.S.C. 168(k)); the rest follows the method. A year's "
       "share on the Budgets sheet wins over this one."),
    _s("expansion_depreciation_years", "years", "positive",
       "Tax life of a site expansion, depreciated straight-line from the quarter it is "
       "available (assumption: 15 years, the MACRS class of qualified improvement "
       "property; power and cooling plant may be longer)."),
]


#: The keys of the Settings sheet, one per field of :class:`planner.domain.Settings`.
SETTINGS: list[ColumnSpec] = [
    _s("start_quarter", "quarter", "quarter", "First quarter of the plan."),
    _s("quarters", "quarters", "count1", "Number of quarters planned."),
    _s("discount_rate_per_year", "1/year", "rate",
       "Annual discount rate applied to future cash flows (0.08 = 8%)."),
    _s("pue", "ratio", "ratio",
       "Power usage effectiveness: facility power / IT power, for sites without their own."),
    _s("solver", "", "choice", "MIP solver.", choices=SOLVERS),
    _s("time_limit_s", "s", "positive", "Solver time limit."),
    _s("mip_gap", "fraction", "rate", "Relative optimality gap at which the solver may stop."),
    _s("target_utilisation", "fraction", "fraction",
       "Share of a chip's modelled peak throughput planned for at peak demand."),
    _s("server_power_overhead", "ratio", "ratio",
       "Server IT power / chip TDP (CPUs, NICs, fans), used where power_kw_per_chip is blank."),
    _s("power_draw_fraction", "fraction", "fraction",
       "Average power drawn / rated power, used for the electricity bill."),
    _s("unmet_penalty_usd_per_million_tokens", "USD per million tokens", "number",
       "Penalty (a price, not cash) for each million tokens (prompt + output) of inference "
       "demand not served. The default is many times what serving a million tokens costs on "
       "any catalog chip, so the plan leaves demand unmet only when nothing can serve it."),
    _s("unmet_training_penalty_usd_per_chip_hour", "USD per chip-hour", "number",
       "Penalty (a price, not cash) for each chip-hour of a training run not done by its "
       "deadline. The default is over ten times any chip's rent, so a run is dropped only "
       "when no chip can run it."),
    _s("budget_overrun_penalty_usd_per_usd", "USD per USD over budget", "number",
       "Penalty (a price, not cash) for each dollar spent over a Budgets limit. The default "
       "10 means a dollar over budget must save $10 elsewhere; serving demand over budget "
       "still beats leaving it unmet."),
    _s("cost_basis", "", "choice",
       "How owned chips are costed (docs/model.md, Cost basis). annuity: each chip is "
       "charged its capital recovery factor x price for each quarter it serves inside the "
       "plan, nothing credited at the end (the capacity-expansion standard; a finance "
       "team's rent-equivalent cost). cash: purchases when paid, chips still owned at the "
       "end credited at market resale value. cash_book: as cash, credited at straight-line "
       "book value.", choices=COST_BASES),
    _s("hours_per_quarter", "hours", "positive", "Hours in a quarter (365.25 days / 4)."),
    _s("allow_early_retirement", "", "bool",
       "Whether the plan may sell or retire bought chips before the end of their lifetime."),
    _s("hedge_first_stage_quarters", "quarters", "count1",
       "Quarters of commitments (purchases, reserved rentals, expansions) a hedged plan "
       "(planner plan --hedge) shares across scenarios."),
    _s("software_maturity", "", "bool",
       "Whether modelled throughput grows quarter by quarter with each chip family's "
       "software-maturity curve, for owned and new chips alike (docs/perf.md; the "
       "Throughput sheet shows the factor per quarter); no = frozen at the calibration date."),
    *[_s(f"forecast_{p}_probability", "fraction", "number",
         f"Probability of the {name} demand scenario, in which every history-based "
         f"workload takes its {p.upper()} forecast (the three add up to 1).")
      for p, name in (("p10", "low"), ("p50", "base"), ("p90", "high"))],
    *_CARBON_SETTINGS,
    *_TAX_SETTINGS,
    _s("single_type_comparison", "", "choice",
       "Whether the plan is compared with the best plan that buys or rents only one chip "
       "type (the owned fleet and API offers kept), solved on the same inputs after the "
       "plan within its time limit, to show what mixing chip types saves (Summary; "
       "docs/report.md). auto: when two to eight chip types may be bought or rented (each is "
       "one more solve); yes: always; no: never. What-if, sweep and hedge jobs "
       "never run it.", choices=("auto", "yes", "no")),
]

_SPEC_COLUMNS = [
    _c("memory_gb", "GB", "positive", doc="Memory (HBM) per chip."),
    _c("memory_bw_tbs", "TB/s", "positive", doc="Memory bandwidth per chip."),
    _c("bf16_tflops", "TFLOP/s", "positive", doc="Dense BF16 peak per chip."),
    _c("fp8_tflops", "TFLOP/s", "positive", doc="Dense FP8 peak per chip."),
    _c("int8_tops", "TOP/s", "positive", doc="Dense INT8 peak per chip."),
    _c("fp4_tflops", "TFLOP/s", "positive", doc="Dense FP4 peak per chip."),
    _c("tdp_w", "W", "positive", doc="Board power per chip."),
    _c("scaleup_domain_chips", "chips", "count1",
       doc="Chips sharing the fast interconnect (NVLink, Infinity Fabric)."),
    _c("scaleup_gbs_per_chip", "GB/s", "positive",
       doc="Per-chip bandwidth into the scale-up domain; blank = PCIe only for a new chip."),
    _c("software_stack", "", "name", doc="Software stack the chip runs (CUDA, ROCm, ...); "
       "a catalog stack is matched ignoring case, another name is a new stack.",
       blank="the catalog's; none for a new chip"),
]

_OFFER_DEFAULTS = {f.name: f.default for f in dataclasses.fields(ChipOffer)}

#: Commercial terms beyond price, lifetime and lead time; defaults from ChipOffer.
_TERM_COLUMNS = [
    _c("price_decline_per_quarter", "fraction per quarter", "rate",
       default=_OFFER_DEFAULTS["price_decline_per_quarter"],
       doc="Fall of the purchase price each quarter, compounded from the plan's first "
           "quarter (0.02 = 2% a quarter). Needs a purchase price."),
    _c("supply_cap_per_quarter", "chips per quarter", "count",
       doc="Most chips the vendor delivers per quarter, over all sites. Needs a purchase "
           "price.", blank="no limit"),
    _c("resale_decline_per_year", "fraction per year", "rate",
       default=_OFFER_DEFAULTS["resale_decline_per_year"],
       doc="Yearly fall of a used chip's market value, compounded: 0.35 leaves 65%, 42%, "
           "27% of the price after 1, 2, 3 years (market.md Resale: about 60%, 40%, "
           "25-30%; low confidence)."),
    _c("reserved_1y_discount", "fraction", "rate",
       doc="Discount off rent_usd_per_chip_hour for chips reserved for 1 year (paid "
           "whether used or not). Needs a rent price.", blank="not offered"),
    _c("reserved_3y_discount", "fraction", "rate",
       doc="Discount off rent_usd_per_chip_hour for chips reserved for 3 years. Needs a "
           "rent price.", blank="not offered"),
    _c("order_unit_chips", "chips", "count1", default=_OFFER_DEFAULTS["order_unit_chips"],
       doc="Chips per unit bought or sold: 8 for an HGX/DGX server, 72 for a GB200 NVL72 "
           "rack. The plan buys and sells whole units."),
    _c("rental_unit_chips", "chips", "count1", default=_OFFER_DEFAULTS["rental_unit_chips"],
       doc="Chips per rented instance (8 for an 8-GPU cloud instance such as AWS p5). "
           "On-demand and reserved rentals are whole instances."),
    _c("serving_stack", "", "choice", choices=SERVING_STACKS, doc=_SERVING_STACK_DOC,
       blank="the workload's, else vllm"),
    _c("software_gain_per_year", "log throughput per year", "rate",
       doc="Software-maturity rate of this chip: throughput grows by about this fraction a "
           "year right after the calibration date, slowing with a 1.5-year time constant "
           "(0 = no growth).", blank="the chip family's calibrated rate"),
    _c("embodied_kgco2e_per_chip", "kgCO2e per chip", "number",
       doc="Embodied (manufacturing) emissions of one accelerator with its share of the "
           "server, from a published life-cycle assessment; counted straight-line over "
           "lifetime_years for each quarter an owned chip is in service (docs/model.md, "
           "Emissions).", blank="not counted"),
    _c("rent_kgco2e_per_chip_hour", "kgCO2e per chip-hour", "number",
       doc="Emissions of one rented chip-hour (its energy and embodied share, which the "
           "buyer does not meter), from the provider or an estimate.",
       blank="not counted"),
    _c("financed_share", "fraction", "share", default=_OFFER_DEFAULTS["financed_share"],
       doc="Share of the purchase price borrowed when a chip is ordered (vendor financing, "
           "an asset-backed loan); the rest is paid in cash then. The loan is repaid over "
           "loan_term_years, its interest deducted from taxable income, and what is still "
           "owed is repaid when the chips are sold (docs/model.md, After tax). Needs a "
           "purchase price."),
    _c("loan_rate_per_year", "1/year", "rate", default=_OFFER_DEFAULTS["loan_rate_per_year"],
       doc="Interest rate of the purchase loan, compounded quarterly to the same annual "
           "rate ((1 + r)^(1/4) - 1 a quarter)."),
    _c("loan_term_years", "years", "positive", default=_OFFER_DEFAULTS["loan_term_years"],
       doc="Term of the purchase loan, rounded to whole quarters; payments quarterly in "
           "arrears from the quarter after the order."),
    _c("loan_repayment", "", "choice", default=_OFFER_DEFAULTS["loan_repayment"],
       choices=REPAYMENT_PROFILES,
       doc="level: equal quarterly payments (an annuity); linear: equal principal each "
           "quarter plus the interest on the balance."),
]

#: Spec-override column -> ChipSpec.peak_tflops key (the other override columns map to
#: ChipSpec fields of the same name).
PEAK_COLUMNS = {"bf16_tflops": "bf16", "fp8_tflops": "fp8", "int8_tops": "int8",
                "fp4_tflops": "fp4"}

_STACKS_COLUMN = _c("stacks", "", "names", blank="any stack",
                    doc="Software stacks it may run on, separated by commas (e.g. CUDA, "
                        "ROCm): only chips on those stacks are used.")

SHEETS: list[SheetSpec] = [
    SheetSpec("Settings", True,
              "Run-wide settings, one per row. A blank value takes the default.", [
                  _c("setting", "", "name", True, doc="Setting name (see the Settings keys)."),
                  _c("value", "", "text", False,
                     doc="The setting's value (each setting's kind is listed below).",
                     blank="the setting's default", header_required=True),
                  _c("unit", "", "text", doc="Unit, for reading only."),
                  _c("meaning", "", "text", doc="Explanation, for reading only."),
              ]),
    SheetSpec("Chips", True,
              "Chips the plan may buy or rent, with their prices. A chip in the catalog "
              "needs only prices; a new chip also needs memory_gb, memory_bw_tbs, tdp_w "
              "(or power_kw_per_chip) and at least one *_tflops column. Filled spec "
              "columns override the catalog.", [
                  _c("chip", "", "name", True, doc="Chip name (catalog name or alias, "
                     "e.g. H100)."),
                  _c("purchase_usd_per_chip", "USD per chip", "number",
                     doc="Price to buy one chip, " + units.PURCHASE_PRICE_INCLUDES + ".",
                     blank="cannot be bought", header_required=True),
                  _c("rent_usd_per_chip_hour", "USD per chip-hour", "number",
                     doc="Price to rent one chip for an hour (at least one of purchase "
                     "and rent must be filled).",
                     blank="cannot be rented", header_required=True),
                  _c("lifetime_years", "years", "positive", default=5.0,
                     doc="Depreciation life of a bought chip."),
                  _c("power_kw_per_chip", "kW per chip", "positive",
                     doc="IT power per chip including its share of the server.",
                     blank="TDP x server_power_overhead"),
                  _c("lead_time_quarters", "quarters", "count", default=0,
                     doc="Quarters between ordering and delivery of a bought chip."),
                  _c("available_from", "quarter", "quarter",
                     doc="First quarter the chip can be bought or rented.",
                     blank="from the start"),
                  _c("available_until", "quarter", "quarter",
                     doc="Last quarter the chip can be bought or rented.",
                     blank="to the end"),
                  *_TERM_COLUMNS,
                  *_SPEC_COLUMNS,
              ]),
    SheetSpec("Sites", True, "Data-centre sites where bought chips are installed.", [
        _c("site", "", "name", True, doc="Site name."),
        _c("power_cap_kw", "kW", "positive", True,
           doc="Facility power available (including cooling, i.e. IT power x PUE)."),
        _c("electricity_usd_per_kwh", "USD per kWh", "number", True,
           doc="Electricity price."),
        _c("pue", "ratio", "ratio", doc="This site's PUE.", blank="the pue setting"),
        _c("max_chips", "chips", "count1",
           doc="Most chips (bought and owned) the site holds at once: racks, floor space.",
           blank="no limit"),
    ]),
    SheetSpec("Workloads", True,
              "Inference services. Their demand per quarter is on the Demand sheet.", [
                  _c("workload", "", "name", True, doc="Workload name."),
                  _c("model", "", "name", True,
                     doc="Model served (catalog name or a model of the Models sheet)."),
                  _c("precision", "", "choice", True, doc="Number format served.",
                     choices=WORKLOAD_PRECISIONS),
                  _c("prompt_tokens", "tokens per request", "number",
                     doc="Average prompt (input) length.",
                     blank="required, unless the workload has a request mix (RequestMix "
                           "sheet): then the mix's mean, which also replaces a typed value"),
                  _c("output_tokens", "tokens per request", "positive",
                     doc="Average output length.",
                     blank="required, unless the workload has a request mix: then the "
                           "mix's mean, which also replaces a typed value"),
                  _c("ttft_ms", "ms", "positive", doc="Time-to-first-token target.",
                     blank="no target"),
                  _c("tpot_ms", "ms", "positive", doc="Time-per-output-token target.",
                     blank="no target"),
                  _c("peak_to_average", "ratio", "ratio", default=1.0,
                     doc="Peak demand / average demand; capacity is sized for the peak."),
                  _c("draft_tokens", "tokens per step", "count", default=0,
                     doc="Speculative decoding / multi-token prediction: draft tokens "
                         "verified per decode step (DeepSeek-V3's MTP module: 1)."),
                  _c("draft_acceptance", "fraction", "fraction", doc="Probability each draft "
                     "token is accepted given the previous one was (DeepSeek-V3: 0.85-0.9).",
                     blank="0 (no speculation)"),
                  _c("max_replica_chips", "chips", "count1", doc="Largest serving replica "
                     "(e.g. 8 for one server; wide expert parallelism can otherwise span up "
                     "to 128 chips).", blank="no cap"),
                  _STACKS_COLUMN,
                  _c("serving_stack", "", "choice", choices=SERVING_STACKS,
                     doc=_SERVING_STACK_DOC + " Wins over the chip's.",
                     blank="the chip's, else vllm"),
                  _c("demand_method", "", "choice", default="direct",
                     choices=("direct", "drivers", "history"),
                     doc="Where the demand comes from: the Demand sheet (direct), the "
                         "Drivers sheet (users x requests x tokens) or a forecast fitted "
                         "to the History sheet (docs/forecast.md)."),
              ]),
    SheetSpec("Demand", True,
              "Average demand per workload and quarter: one row for every direct "
              "workload (demand_method direct) and every planned quarter, quarters in "
              "order. Each row gives exactly one of tokens_per_day, requests_per_s and "
              "requests_per_day, and a workload uses one of them on all its rows; "
              "requests become tokens at the workload's tokens per request (its request "
              "mix's mean prompt plus output, else prompt_tokens + output_tokens).", [
                  _c("workload", "", "name", True, doc="A workload of the Workloads sheet."),
                  _c("quarter", "quarter", "quarter", True, doc="Quarter."),
                  _c("tokens_per_day", "tokens per day", "number",
                     doc="All tokens processed per day (prompt plus output), on average.",
                     blank="demand given in requests instead"),
                  _c("requests_per_s", "requests per second", "number",
                     doc="Requests per second, averaged over the quarter (the unit of "
                         "serving benchmarks and profiles).",
                     blank="demand given in another unit"),
                  _c("requests_per_day", "requests per day", "number",
                     doc="Requests per day, on average.",
                     blank="demand given in another unit"),
              ]),
    SheetSpec("Training", False, "Training runs: 6 x parameters x tokens FLOPs, done "
              "between the earliest quarter and the deadline.", [
                  _c("run", "", "name", True, doc="Run name."),
                  _c("model", "", "name", True, doc="Model trained."),
                  _c("tokens", "tokens", "positive", True, doc="Training tokens."),
                  _c("precision", "", "choice", default="bf16", doc="Training number format.",
                     choices=WORKLOAD_PRECISIONS),
                  _c("earliest_quarter", "quarter", "quarter", True,
                     doc="First quarter the run may use chips."),
                  _c("deadline_quarter", "quarter", "quarter", True,
                     doc="Quarter by whose end the run must be done."),
                  _c("mfu", "fraction", "fraction", doc="Model FLOPs utilisation.",
                     blank="the performance core's estimate"),
                  _c("method", "", "choice", default="full", choices=("full", "lora", "qlora"),
                     doc="full trains every weight (6 N D FLOPs, 18 bytes/parameter); lora / "
                     "qlora fine-tune rank-r adapters over a frozen BF16 / 4-bit base "
                     "(4 N D FLOPs plus adapters; 4 / 2.5 bytes per parameter plus adapters)."),
                  _c("lora_rank", "", "count1", doc="Adapter rank for lora / qlora.",
                     blank="16"),
                  _c("max_gang_chips", "chips", "count1", doc="Largest gang the plan may "
                     "train on: the optimizer then also weighs bigger, shorter gangs (one per "
                     "whole quarter saved, each with the performance core's MFU at its size) "
                     "against the smallest one, e.g. 16384 to allow 16k GPUs for one quarter.",
                     blank="only the smallest gang that finishes by the deadline"),
                  _STACKS_COLUMN,
              ]),
    SheetSpec("Models", False, "Models not in the catalog, or overrides of catalog models "
              "(blank cells keep the catalog value). A row may name a Hugging Face config.json "
              "in config_json instead of typing the architecture: layers, sizes, heads, experts "
              "(DeepSeek, Qwen3-MoE, Mixtral, gpt-oss and Llama 4 field names), MLA ranks and "
              "MTP modules are read from it and the parameters counted from the matrix shapes "
              "(planner/io/hfconfig.py); typed cells on the row override the file.", [
                  _c("model", "", "name", True, doc="Model name."),
                  _c("params_b", "billion parameters", "positive",
                     doc="Total parameters (required for a new model)."),
                  _c("active_params_b", "billion parameters", "positive",
                     doc="Parameters used per token (MoE).", blank="params_b"),
                  _c("layers", "layers", "count1", doc="Transformer layers (required for a "
                     "new model)."),
                  _c("hidden_size", "", "count1", doc="Model width (required for a new "
                     "model)."),
                  _c("attention_heads", "heads", "count1", doc="Query heads (required for a "
                     "new model)."),
                  _c("kv_heads", "heads", "count1", doc="Key/value heads (GQA).",
                     blank="attention_heads"),
                  _c("head_dim", "", "count1", doc="Size of one head.",
                     blank="hidden_size / attention_heads"),
                  _c("experts", "experts", "count1", default=1, doc="Experts per MoE layer."),
                  _c("active_experts", "experts", "count1", default=1,
                     doc="Experts used per token."),
                  _c("vocab_size", "tokens", "count1", default=32000, doc="Vocabulary size."),
                  _c("max_context", "tokens", "count1", default=4096,
                     doc="Longest prompt plus output the model accepts."),
                  _c("moe_layers", "layers", "count1", doc="Layers with routed experts "
                     "(DeepSeek-V3: 58 of 61).", blank="every layer of a MoE model"),
                  _c("dense_precision", "", "choice", choices=("fp8", "bf16"),
                     doc="Format a MoE checkpoint keeps attention and always-active weights in "
                     "when its experts are narrower (gpt-oss: bf16).", blank="fp8"),
                  _c("config_json", "", "text", doc="Path of a Hugging Face config.json "
                     "(relative to the workbook's folder) read instead of typing layers and "
                     "sizes; typed cells override it.", blank="the typed figures"),
                  _c("source", "", "text", doc="Where the figures come from."),
              ]),
    SheetSpec("Measured", False, "Measured throughputs that replace the performance model "
              "for a chip, model and precision: each row one measurement, in output "
              "tokens/s or in requests/s per chip, or a serving profile imported as is "
              "from profile_csv (docs/workbook.md, Serving profiles). A chip x model x "
              "precision set declared complete is taken as all there is: a request size "
              "it does not cover is one that chip cannot serve, instead of being "
              "estimated by the performance model.", [
                  _c("chip", "", "name", doc="Chip measured.",
                     blank="required, unless profile_csv is given (then every GPU of the "
                           "file that is on the Chips sheet)"),
                  _c("model", "", "name", True, doc="Model measured."),
                  _c("precision", "", "choice", True, doc="Number format measured.",
                     choices=WORKLOAD_PRECISIONS),
                  _c("output_tokens_per_s_per_chip", "output tokens/s per chip", "positive",
                     doc="Sustained output tokens per second per chip.",
                     blank="give max_requests_per_s_per_chip or profile_csv instead"),
                  _c("max_requests_per_s_per_chip", "requests/s per chip", "positive",
                     doc="Most requests per second one chip sustains at requests of "
                         "prompt_tokens and output_tokens (both needed) within the latency "
                         "targets it was measured under (a serving profile's unit).",
                     blank="give output_tokens_per_s_per_chip or profile_csv instead"),
                  _c("prompt_tokens", "tokens per request", "number",
                     doc="Prompt length measured with (a request mix's bucket whose "
                         "range holds it takes the measurement).", blank="any"),
                  _c("output_tokens", "tokens per request", "positive",
                     doc="Output length measured with.", blank="any"),
                  _c("complete", "", "bool",
                     doc="yes: this chip x model x precision's measurements (this row and "
                         "every other row for the same three) are complete, so a request "
                         "size none covers cannot be served on that chip; no: sizes not "
                         "measured are estimated by the performance model.",
                     blank="yes for a profile_csv row (a missing bucket means the GPU "
                           "cannot serve it), no otherwise"),
                  _c("profile_csv", "", "text",
                     doc="Path (relative to the workbook's folder) of a serving profile "
                         "in the published shape of Mélange's (columns gpu, input_tokens, "
                         "output_tokens, max_requests_per_s; optional unit, which must be "
                         "requests_per_s, and source; other columns such as "
                         "price_usd_per_hour, input_range and output_range are ignored: "
                         "prices come from the Chips sheet). Each line becomes a "
                         "measurement of its gpu for this row's model and precision; a "
                         "gpu not on the Chips sheet is skipped, a gpu no chip name "
                         "matches is a problem; a blank or 0 max_requests_per_s means the "
                         "GPU cannot serve that bucket.",
                     blank="a measurement typed on the row"),
                  _c("source", "", "text", doc="Where the measurement comes from."),
              ]),
    *OPTIONAL_SHEETS,
]

#: Re-plans (``planner replan``): what happened in past quarters.
ACTUALS = SheetSpec(
    "Actuals", False,
    "What actually happened in past quarters, for planner replan: chips delivered (kind "
    "fleet) and demand served (kind demand). A re-plan fixes the previous plan's past "
    "decisions, with these deliveries replacing the planned ones, and compares its demand "
    "forecast with these figures. Quarters may precede the plan's first quarter.", [
        _c("kind", "", "choice", True, doc="fleet or demand.", choices=("fleet", "demand")),
        _c("quarter", "quarter", "quarter", True, doc="The quarter the figure is for."),
        _c("chip", "", "name", doc="Fleet: a chip of the Chips sheet.", blank="demand rows"),
        _c("site", "", "name", doc="Fleet: a site of the Sites sheet.", blank="demand rows"),
        _c("workload", "", "name", doc="Demand: a workload of the Workloads sheet.",
           blank="fleet rows"),
        _c("quantity", "chips", "count", doc="Fleet: chips actually delivered that quarter.",
           blank="demand rows"),
        _c("tokens_per_day", "tokens per day", "number",
           doc="Demand: tokens per day actually served, on average.", blank="fleet rows"),
    ])
SHEETS.append(ACTUALS)


def _scenarios_sheet() -> SheetSpec:
    """The Scenarios sheet (what-if overrides); parameters and units from
    :data:`planner.domain.scenarios.PARAMETERS`."""
    params = "; ".join(f"{p.name} ({p.unit}; {p.target or 'no'} selector"
                       f"{', quarters' if p.quarters else ''}; "
                       f"{'/'.join(p.operations)}): {p.doc}" for p in PARAMETERS.values())
    return SheetSpec("Scenarios", False, (
        "What-if scenarios for planner whatif, sweep and plan --hedge: one override per row, "
        "several rows per scenario, applied in row order. A row with only a scenario name "
        "(and a probability) declares a scenario that changes nothing."), [
        _c("scenario", "", "name", True, doc="Scenario name ('base' is the workbook as it is)."),
        _c("parameter", "", "choice", doc="What to change: " + params + ".",
           choices=tuple(PARAMETERS), blank="no change", header_required=True),
        _c("selector", "", "text", doc="Which chip, site or workload (as the parameter says) "
           "and/or which quarters, e.g. 'chat', '2028Q1..2029Q4' or 'us-east, 2027Q1..2027Q4'; "
           "a range may be open ('2028Q1..').", blank="every one, every quarter"),
        _c("operation", "", "choice", doc="How the value changes the parameter.",
           choices=OPERATIONS, blank="the parameter's only operation"),
        _c("value", "", "text", doc="A number in the parameter's unit (a ratio for multiply), "
           "or a quarter for available_from set.", blank="needed with a parameter"),
        _c("probability", "fraction", "fraction", doc="The scenario's probability in a hedged "
           "plan, given once per scenario; given ones must add up to 1 when all are given.",
           blank="an equal share of what given ones leave"),
    ])


SHEETS.append(_scenarios_sheet())

SHEET_BY_NAME = {s.name: s for s in SHEETS}


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def required_text(col: ColumnSpec) -> str:
    """'yes', 'column only' (the header must exist, cells may be blank) or 'no'."""
    if col.required:
        return "yes"
    return "column only" if col.header_required else "no"


def _md_table(columns: list[ColumnSpec], first: str) -> list[str]:
    lines = [_md_row([first, "unit", "required", "expected", "default", "meaning"]),
             "|---|---|---|---|---|---|"]
    for col in columns:
        lines.append(_md_row([f"`{col.name}`", col.unit, required_text(col), col.expected,
                              col.default_text, col.doc]))
    return lines


def markdown() -> str:
    """The sheet and column tables of the input workbook, as Markdown."""
    intro = ("Each sheet is a table with its header in row 1. Column names are matched "
             "ignoring case, spaces and punctuation, and a few columns accept other names "
             "(listed in their meaning); extra columns are ignored and column order is "
             "free. \"required: column only\" means the column must be present but its "
             "cells may be blank.")
    lines = [intro, ""]
    for sheet in SHEETS:
        kind = "required" if sheet.required else "optional"
        lines += [f"### {sheet.name} ({kind})", "", sheet.doc, ""]
        lines += _md_table(sheet.columns, "column") + [""]
        if sheet.name == "Settings":
            lines += ["Settings keys (the `setting` column):", ""]
            lines += _md_table(SETTINGS, "setting") + [""]
    return "\n".join(lines)


def document() -> str:
    """docs/workbook.md: a title, how to get a template, then :func:`markdown`."""
    head = ["# The input workbook", "",
            ("<!-- Generated by `python -m planner.io.schema > docs/workbook.md` from "
             "planner/io/schema.py; edit that file, not this one. -->"), "",
            ("`planner template blank.xlsx` writes an empty workbook with these sheets and a "
             "README sheet listing the same tables; `inputs/example.xlsx` (built by "
             "`inputs/make_example.py`) is a filled, cited example."), "",
            ("Every problem in a workbook is reported at once, each with its sheet, Excel row "
             "(the header is row 1) and column, and what was expected."), "", *ACCEPTS,
            *MIX_NOTES, "## Sheets and columns", ""]
    return "\n".join(head) + "\n" + markdown()


if __name__ == "__main__":
    print(document())
