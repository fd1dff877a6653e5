"""A tiny, internally consistent plan built by hand for the report tests.

2 chips (H100 SXM, H200 SXM), 2 sites, 2 inference workloads and one training run over
4 quarters (2027Q3-2028Q2, so two calendar years).  ``extras=True`` adds the optional
features: an API offer, a site expansion, a software stack, a chip sale, budgets and a
binding-constraint diagnostic.  Capacities follow from the throughput estimates, power from
the chips' kW, cash flows from prices, and the objective is the sum of discounted cash.
"""

from __future__ import annotations

import dataclasses
import re

from planner.domain import (
    AllocationRow,
    ApiOffer,
    ApiRow,
    Budget,
    CapacityRow,
    CashFlowRow,
    ChipOffer,
    ChipSpec,
    DiagnosticRow,
    ExistingChips,
    Expansion,
    ExpansionRow,
    FleetRow,
    InferenceWorkload,
    ModelSpec,
    PlanInput,
    PlanResult,
    PowerRow,
    PurchaseRow,
    Quarter,
    RentalRow,
    RetirementRow,
    Settings,
    Site,
    SoftwareStack,
    SolverInfo,
    StackRow,
    ThroughputEstimate,
    TrainingEstimate,
    TrainingRow,
    TrainingRun,
)

QUARTERS = ["2027Q3", "2027Q4", "2028Q1", "2028Q2"]
H100, H200 = "H100 SXM", "H200 SXM"
BIG, SMALL = "Llama 3.1 70B", "Llama 3.1 8B"
HOURS = 8766.0 / 4
UTIL = 0.7
DRAW = 0.76
KW = {H100: 0.945, H200: 1.0}
PRICE = {H100: 27500.0, H200: 35000.0}
RENT = {H100: 2.5, H200: 3.5}
RESERVED_H100 = 1.9
LIFE_QUARTERS = 20  # 5 years
EXISTING_DELIVERED = -6  # 8 H100 at Site B bought in 2026Q1 (extras)
EXISTING_VINTAGE = "-6q"  # how the optimizer labels that cohort in retirements
# output tokens per second per chip, (prompt, output) tokens per request
OUT_RATE = {(H100, BIG): 400.0, (H200, BIG): 650.0, (H100, SMALL): 1500.0,
            (H200, SMALL): 2200.0}
SHAPE = {BIG: (1500.0, 300.0), SMALL: (3000.0, 200.0)}
SITE_A, SITE_B = "Site A", "Site B"
SITES = {SITE_A: (60.0, 0.08, None), SITE_B: (25.0, 0.10, 1.2)}
# chips allocated: quarter -> [(workload, chip, chips)]
ALLOCATION = {
    "2027Q3": [("chat", H100, 28), ("code", H100, 2)],
    "2027Q4": [("chat", H200, 24), ("chat", H100, 3), ("code", H100, 3)],
    "2028Q1": [("chat", H200, 32), ("chat", H100, 4), ("code", H100, 3)],
    "2028Q2": [("chat", H200, 32), ("chat", H100, 17), ("code", H100, 3)],
}
DEMAND = {"chat": (4e9, 6e9, 8e9, 1e10), "code": (2e9, 3e9, 3e9, 4e9)}
MODEL_OF = {"chat": BIG, "code": SMALL}


def tokens_per_s_per_chip(chip: str, model: str) -> float:
    prompt, output = SHAPE[model]
    return OUT_RATE[(chip, model)] * (prompt + output) / output


def make_input(chat_name: str = "chat", demand: dict | None = None) -> PlanInput:
    demand = demand or DEMAND
    settings = Settings(start_quarter=Quarter(2027, 3), quarters=4)
    chips = (
        ChipOffer(H100, PRICE[H100], RENT[H100], lifetime_years=5.0, power_kw_per_chip=None),
        ChipOffer(H200, PRICE[H200], RENT[H200], lifetime_years=5.0, power_kw_per_chip=1.0,
                  lead_time_quarters=1),
    )
    sites = tuple(Site(n, cap, usd, pue) for n, (cap, usd, pue) in SITES.items())
    workloads = (
        InferenceWorkload(chat_name, BIG, "fp8", *SHAPE[BIG], 2000.0, 50.0, demand["chat"]),
        InferenceWorkload("code", SMALL, "bf16", *SHAPE[SMALL], 3000.0, None, demand["code"],
                          peak_to_average=1.5),
    )
    training = (TrainingRun("tune-8b", SMALL, 2e10, Quarter(2028, 1), Quarter(2028, 2)),)
    chip_specs = {
        H100: ChipSpec(H100, "NVIDIA", "CUDA", {"bf16": 989.4, "fp8": 1979.0}, 80.0, 3.35,
                       700.0, 8, 900.0, sources="vendor datasheet"),
        H200: ChipSpec(H200, "NVIDIA", "CUDA", {"bf16": 989.0, "fp8": 1979.0}, 141.0, 4.8,
                       700.0, 8, 900.0),
    }
    model_specs = {
        BIG: ModelSpec(BIG, 70.6, 70.6, 80, 8192, 64, 8, 128, vocab_size=128256,
                       max_context=131072),
        SMALL: ModelSpec(SMALL, 8.0, 8.0, 32, 4096, 32, 8, 128, vocab_size=128256,
                         max_context=131072),
    }
    return PlanInput(settings, chips, sites, workloads, training=training,
                     chip_specs=chip_specs, model_specs=model_specs,
                     source_name="plan_inputs.xlsx", source_sha256="ab" * 32)


def _fleet() -> list[FleetRow]:
    rows = [FleetRow("2027Q3", H100, "cloud", "rented", "", 32),
            FleetRow("2027Q4", H100, "cloud", "rented", "", 16)]
    for q in QUARTERS[1:]:
        rows.append(FleetRow(q, H200, SITE_A, "owned", "2027Q3", 32))
    for q in QUARTERS[2:]:
        rows.append(FleetRow(q, H100, SITE_B, "owned", "2028Q1", 16))
        rows.append(FleetRow(q, H100, "cloud", "reserved", "", 16))
    return rows


def _owned_kw(fleet: list[FleetRow], quarter: str, site: str) -> float:
    return sum(r.quantity * KW[r.chip] for r in fleet
               if r.quarter == quarter and r.site == site and r.ownership == "owned")


def _power(inp: PlanInput, fleet: list[FleetRow]) -> list[PowerRow]:
    rows = []
    for q in QUARTERS:
        for site in inp.sites:
            it = _owned_kw(fleet, q, site.name)
            pue = site.pue or inp.settings.pue
            rows.append(PowerRow(q, site.name, it, it * pue, site.power_cap_kw))
    return rows


def _allocation(chat_name: str) -> list[AllocationRow]:
    rows = []
    for q, items in ALLOCATION.items():
        for workload, chip, n in items:
            rate = tokens_per_s_per_chip(chip, MODEL_OF[workload]) * UTIL * n
            rows.append(AllocationRow(q, chat_name if workload == "chat" else workload, chip,
                                      float(n), rate, rate * 86400))
    return rows


def _capacity(inp: PlanInput, allocation: list[AllocationRow]) -> list[CapacityRow]:
    rows = []
    for i, q in enumerate(QUARTERS):
        for w in inp.workloads:
            cap = sum(a.tokens_per_day for a in allocation if a.quarter == q
                      and a.workload == w.name)
            demand = w.demand_tokens_per_day[i]
            served = min(demand, cap)
            rows.append(CapacityRow(q, w.name, demand, served, demand - served))
    return rows


def book_fraction(delivered: int, life: int = LIFE_QUARTERS) -> float:
    """Straight-line book value left at the horizon's end of a chip delivered in quarter
    index ``delivered`` (as the optimizer's residual credit)."""
    return max(0.0, 1.0 - (len(QUARTERS) - delivered) / life)


def _residual(result: PlanResult) -> float:
    """The optimizer's residual credit: book value of purchased chips still owned, less the
    end value forfeited by selling existing chips early."""
    credit = 0.0
    for p in result.purchases:
        sold = sum(r.quantity for r in result.retirements
                   if (r.chip, r.site, r.vintage) == (p.chip, p.site, p.quarter_ordered))
        credit += (p.quantity - sold) * p.unit_price_usd * book_fraction(
            QUARTERS.index(p.quarter_delivered))
    for r in result.retirements:
        if r.vintage == EXISTING_VINTAGE:
            credit -= r.quantity * PRICE[r.chip] * book_fraction(EXISTING_DELIVERED)
    return credit


def _cashflow(inp: PlanInput, result: PlanResult) -> list[CashFlowRow]:
    rows = []
    price_kwh = {s.name: s.electricity_usd_per_kwh for s in inp.sites}
    for i, q in enumerate(QUARTERS):
        capital = sum(p.total_usd for p in result.purchases if p.quarter_ordered == q)
        rental = sum(r.total_usd for r in result.rentals if r.quarter == q)
        energy = sum(p.facility_power_kw * HOURS * DRAW * price_kwh[p.site]
                     for p in result.power if p.quarter == q)
        api = sum(a.total_usd for a in result.api_usage if a.quarter == q)
        expansion = sum(x.cost_usd for x in result.expansions if x.quarter_ordered == q)
        stack = sum(st.adoption_usd for st in result.stacks_adopted) if i == 0 else 0.0
        resale = sum(r.total_usd for r in result.retirements if r.quarter == q)
        unmet = sum(c.unmet_tokens_per_day for c in result.capacity if c.quarter == q)
        penalty = unmet * HOURS / 24 / 1e6 * inp.settings.unmet_penalty_usd_per_million_tokens
        residual = _residual(result) if i == len(QUARTERS) - 1 else 0.0
        df = (1 + inp.settings.discount_rate_per_year) ** (-i / 4)
        rows.append(CashFlowRow(q, capital, rental, energy, residual, df, resale_usd=resale,
                                api_usd=api, expansion_usd=expansion, stack_usd=stack,
                                unmet_inference_penalty_usd=penalty))
    return rows


def _decisions() -> dict:
    purchases = [PurchaseRow(H200, SITE_A, "2027Q3", "2027Q4", 32, PRICE[H200],
                             32 * PRICE[H200]),
                 PurchaseRow(H100, SITE_B, "2028Q1", "2028Q1", 16, PRICE[H100],
                             16 * PRICE[H100])]
    rentals = [RentalRow(H100, "2027Q3", "on-demand", 1, 32, RENT[H100], 32 * RENT[H100] * HOURS),
               RentalRow(H100, "2027Q4", "on-demand", 1, 16, RENT[H100], 16 * RENT[H100] * HOURS),
               RentalRow(H100, "2028Q1", "reserved", 2, 16, RESERVED_H100,
                         16 * RESERVED_H100 * HOURS * 2)]
    return {"purchases": purchases, "rentals": rentals, "fleet": _fleet(),
            "training": [TrainingRow("tune-8b", "2028Q2", H100, 8.0, 1.0, SITE_B)]}


def _extras_fleet(fleet: list[FleetRow]) -> list[FleetRow]:
    """The fleet with the existing H100 cohort (until sold in 2028Q1) and 4 of the 2028Q1
    H100 sold in 2028Q2."""
    rows = [FleetRow(q, H100, SITE_B, "owned", "before start (-6 quarters)", 8)
            for q in QUARTERS[:2]]
    for r in fleet:
        if (r.quarter, r.chip, r.ownership, r.vintage) == ("2028Q2", H100, "owned", "2028Q1"):
            r = dataclasses.replace(r, quantity=r.quantity - 4)
        rows.append(r)
    return rows


def _extras(inp: PlanInput, result: PlanResult, budget_capex_2027: float) -> PlanInput:
    """Add the optional features to a plan (in place) and to its input (returned)."""
    days = HOURS / 24
    result.api_usage = [ApiRow("2028Q2", "code", "Groq Llama 8B", 5e8, 0.05,
                               5e8 * 0.05 * days / 1e6)]
    result.expansions = [ExpansionRow(SITE_B, "hall 2", "2028Q1", "2028Q2", 40.0, 150000.0)]
    result.stacks_adopted = [StackRow("ROCm", 50000.0)]
    existing_resale = PRICE[H100] * 0.65 ** 2  # sold on its second anniversary
    result.retirements = [
        RetirementRow(H100, SITE_B, EXISTING_VINTAGE, "2028Q1", 8, existing_resale,
                      8 * existing_resale),
        RetirementRow(H100, SITE_B, "2028Q1", "2028Q2", 4, 20000.0, 80000.0)]
    result.fleet = _extras_fleet(result.fleet)
    result.power = _power(inp, result.fleet)
    result.diagnostics = [DiagnosticRow(
        "site_power", SITE_B, "2028Q2", "kW", 1234.5,
        "Site B power cap binds in 2028Q2: each extra kW would save $1,234.50")]
    return dataclasses.replace(
        inp, apis=(ApiOffer("Groq Llama 8B", SMALL, 0.05, 1e9),),
        expansions=(Expansion(SITE_B, "hall 2", 40.0, 150000.0, 1),),
        stacks=(SoftwareStack("CUDA", 0.0, True), SoftwareStack("ROCm", 50000.0)),
        existing=(ExistingChips(H100, SITE_B, 8, Quarter(2026, 1)),),
        budgets=(Budget(2027, capex_usd=budget_capex_2027, opex_usd=None),
                 Budget(2028, capex_usd=None, opex_usd=5e6)))


def _estimates() -> list[ThroughputEstimate]:
    out = []
    for (chip, model), rate in OUT_RATE.items():
        prompt, output = SHAPE[model]
        precision = "fp8" if model == BIG else "bf16"
        out.append(ThroughputEstimate(
            chip, model, precision, precision, prompt, output, True, rate,
            chips_per_replica=2 if model == BIG else 1, tensor_parallel=2 if model == BIG else 1,
            pipeline_parallel=1, batch_size=64, ttft_ms=850.0, tpot_ms=38.5,
            bound="memory", source="modelled"))
    out.append(ThroughputEstimate(H100, BIG, "bf16", "bf16", 1500.0, 300.0, False,
                                  reason="TPOT target 50 ms not met", best_tpot_ms=61.2,
                                  source="modelled"))
    return out


def make_plan(*, chat_name: str = "chat", unmet: bool = False, termination: str = "optimal",
              status: str = "ok", gap: float = 0.0004, empty: bool = False,
              training: bool = True, extras: bool = False,
              budget_capex_2027: float = 2e6) -> tuple[PlanResult, PlanInput]:
    """The fixture plan; ``unmet`` raises 2028Q2 chat demand beyond capacity, ``empty``
    gives a plan with no decisions at all, ``extras`` adds the optional features."""
    demand = dict(DEMAND)
    if unmet:
        demand["chat"] = DEMAND["chat"][:3] + (1.2e10,)
    inp = make_input(chat_name, demand)
    if not training:
        inp = dataclasses.replace(inp, training=())
    result = PlanResult(SolverInfo("cbc", status, termination, None, None, gap, 12.5, 0.8,
                                   1234, 456, 789, 120.0, 0.001, ""), list(QUARTERS))
    if not empty:
        for name, rows in _decisions().items():
            setattr(result, name, rows)
        result.allocation = _allocation(chat_name)
        result.power = _power(inp, result.fleet)
        if not training:
            result.training = []
    if extras:
        inp = _extras(inp, result, budget_capex_2027)
    result.capacity = _capacity(inp, result.allocation)
    result.cashflow = _cashflow(inp, result)
    result.throughput = _estimates()
    if training:
        result.training_estimates = [TrainingEstimate(H100, SMALL, 2e10, 8, "bf16", True, 0.4,
                                                      84.2)]
    objective = result.costs.objective_usd
    result.solver = dataclasses.replace(result.solver, objective_usd=objective,
                                        best_bound_usd=None if gap is None else objective * (1 - gap))
    return result, inp


_SUM = re.compile(r"SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)")
_CELL = re.compile(r"([A-Z]+)(\d+)")


def evaluate(ws, value) -> float:
    """Evaluate one of the report's formulas (SUM over ranges, cell references, + - *)
    the way a spreadsheet would, reading the cells of ``ws``; numbers pass through."""
    from openpyxl.utils import column_index_from_string as col

    if not (isinstance(value, str) and value.startswith("=")):
        return value or 0.0

    def cells(m) -> str:
        c1, r1, c2, r2 = m.groups()
        total = sum(evaluate(ws, ws.cell(r, c).value)
                    for r in range(int(r1), int(r2) + 1)
                    for c in range(col(c1), col(c2) + 1))
        return f"({total!r})"

    expr = _SUM.sub(cells, value[1:])
    expr = _CELL.sub(lambda m: f"({evaluate(ws, ws[m.group(0)].value)!r})", expr)
    assert re.fullmatch(r"[0-9eE.+\-*/() ]*", expr), value
    return eval(expr)  # only numbers and arithmetic are left
