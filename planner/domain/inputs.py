"""What the user asked for: the validated content of an input workbook."""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.domain.actuals import Actual
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.domain.mixes import RequestMix, SizeSlice
from planner.domain.periods import Quarter, horizon
from planner.domain.scenarios import ScenarioSpec

HOURS_PER_QUARTER = 8766.0 / 4  # 365.25 days

#: 5-year MACRS (GDS, 200% declining balance, half-year convention): the share of the
#: cost deducted in each tax year, IRS Publication 946, Table A-1 (computers and
#: peripheral equipment are 5-year property, Table B-1 asset class 00.12).
MACRS_5_YEAR = (0.20, 0.32, 0.192, 0.1152, 0.1152, 0.0576)
#: Depreciation methods for owned chips (planner.optimize.tax.yearly_shares).
DEPRECIATION_METHODS = ("straight_line", "declining_balance", "schedule")
#: Repayment profiles of a purchase loan: level payments (an annuity) or level principal.
REPAYMENT_PROFILES = ("level", "linear")


@dataclass(frozen=True)
class Settings:
    """Run-wide settings (the Settings sheet).  Defaults are documented in the README."""

    start_quarter: Quarter
    quarters: int = 12
    discount_rate_per_year: float = 0.08
    pue: float = 1.3
    solver: str = "highs"
    time_limit_s: float = 120.0
    mip_gap: float = 0.005
    target_utilisation: float = 0.7
    server_power_overhead: float = 1.35
    power_draw_fraction: float = 0.76
    unmet_penalty_usd_per_million_tokens: float = 100.0
    unmet_training_penalty_usd_per_chip_hour: float = 50.0
    budget_overrun_penalty_usd_per_usd: float = 10.0
    cost_basis: str = "annuity"
    hours_per_quarter: float = HOURS_PER_QUARTER
    allow_early_retirement: bool = True
    hedge_first_stage_quarters: int = 4
    # Modelled throughput grows per quarter with each chip family's software-maturity
    # curve (docs/perf.md); False freezes it at the calibration date.
    software_maturity: bool = True
    # Weights of the low/base/high demand scenarios built from history forecasts
    # (planner.forecast.forecast_scenarios): P10, P50 and P90 of each band.
    forecast_p10_probability: float = 0.25
    forecast_p50_probability: float = 0.5
    forecast_p90_probability: float = 0.25
    # Carbon (planner.domain.carbon): a price by year (USD per tCO2e) priced in the
    # objective apart from the cost of ownership, a cap by year (tCO2e), the grid factor
    # both count, and the price of a tonne over the cap.  Empty = none.
    carbon_price_usd_per_tco2e: tuple[tuple[int, float], ...] = ()
    emissions_cap_tco2e: tuple[tuple[int, float], ...] = ()
    emissions_basis: str = "location"
    emissions_overrun_penalty_usd_per_tco2e: float = 10_000.0
    # After-tax economics (planner.optimize.tax; docs/model.md, "After tax").  No tax
    # rate (None) plans before tax, as before; a rate makes the objective after-tax cost
    # and the discount rate is then read as an after-tax rate.  By-year rates and bonus
    # shares are on the Budgets sheet.
    tax_rate: float | None = None
    depreciation_method: str = "schedule"
    depreciation_schedule: tuple[float, ...] = MACRS_5_YEAR
    declining_balance_factor: float = 2.0
    bonus_depreciation_share: float = 0.0
    expansion_depreciation_years: float = 15.0
    # The plan against the best plan restricted to one chip type (planner.optimize.
    # single_type): auto (when two to eight chip types may be bought or rented), yes or no.
    single_type_comparison: str = "auto"

    @property
    def periods(self) -> list[Quarter]:
        return horizon(self.start_quarter, self.quarters)


@dataclass(frozen=True)
class ChipOffer:
    """A chip the plan may use, with its commercial terms (a row of the Chips sheet).

    ``purchase_usd_per_chip`` None means it cannot be bought; ``rent_usd_per_chip_hour``
    None means it cannot be rented.  ``power_kw_per_chip`` is IT power per chip including
    its share of the server (CPU, NICs, fans); None derives it from the chip's TDP times
    ``Settings.server_power_overhead``.
    """

    chip: str
    purchase_usd_per_chip: float | None
    rent_usd_per_chip_hour: float | None
    lifetime_years: float = 5.0
    power_kw_per_chip: float | None = None
    lead_time_quarters: int = 0
    available_from: Quarter | None = None
    available_until: Quarter | None = None
    price_decline_per_quarter: float = 0.0
    supply_cap_per_quarter: int | None = None
    resale_decline_per_year: float = 0.35
    reserved_1y_discount: float | None = None
    reserved_3y_discount: float | None = None
    order_unit_chips: int = 1
    rental_unit_chips: int = 1
    # Serving stack run on this chip (vllm, sglang, trt-llm, mlperf; None = the
    # workload's or the default) and an override of its software-maturity rate
    # (log throughput per year; None = calibrated, 0 = no growth).
    serving_stack: str | None = None
    software_gain_per_year: float | None = None
    # Carbon: embodied kgCO2e per accelerator with its server share (amortised over
    # lifetime_years while owned) and kgCO2e per rented chip-hour; None = not counted.
    embodied_kgco2e_per_chip: float | None = None
    rent_kgco2e_per_chip_hour: float | None = None
    # Financing offer (vendor financing, an asset-backed loan): the share of the price
    # borrowed at the order, its interest rate per year, its term and repayment profile
    # (planner.optimize.tax.amortisation).  0 financed = paid in cash.
    financed_share: float = 0.0
    loan_rate_per_year: float = 0.0
    loan_term_years: float = 3.0
    loan_repayment: str = "level"

    def purchase_price(self, quarters_from_start: int) -> float | None:
        """Purchase price after the per-quarter decline (compounded)."""
        if self.purchase_usd_per_chip is None:
            return None
        return self.purchase_usd_per_chip * (1.0 - self.price_decline_per_quarter) ** quarters_from_start

    def resale_fraction(self, age_quarters: int) -> float:
        """Market value of a used chip as a share of what was paid, after ``age_quarters``.

        Geometric decline; the default 35 %/year gives 65 %, 42 %, 27 % after 1, 2, 3 years
        (market.md: about 60 %, 40 %, 25-30 %; low confidence).

        >>> round(ChipOffer("x", 1.0, None).resale_fraction(8), 4)
        0.4225
        """
        return (1.0 - self.resale_decline_per_year) ** (age_quarters / 4.0)


@dataclass(frozen=True)
class Site:
    """A data-centre site (a row of the Sites sheet).

    ``power_cap_kw`` is facility power, so chip IT power is multiplied by the PUE
    before it is compared with the cap.
    """

    name: str
    power_cap_kw: float
    electricity_usd_per_kwh: float
    pue: float | None = None
    max_chips: int | None = None
    power_cap_kw_by_quarter: tuple[float, ...] | None = None
    electricity_usd_per_kwh_by_quarter: tuple[float, ...] | None = None
    # Grid carbon intensity per quarter, gCO2e per kWh (the Carbon sheet): location-based
    # and market-based (after clean-energy contracts); None = no Carbon sheet.
    grid_gco2e_per_kwh_by_quarter: tuple[float, ...] | None = None
    market_gco2e_per_kwh_by_quarter: tuple[float, ...] | None = None

    def cap_kw(self, t: int) -> float:
        """Facility power cap in quarter index ``t``."""
        if self.power_cap_kw_by_quarter is not None:
            return self.power_cap_kw_by_quarter[t]
        return self.power_cap_kw

    def electricity_price(self, t: int) -> float:
        if self.electricity_usd_per_kwh_by_quarter is not None:
            return self.electricity_usd_per_kwh_by_quarter[t]
        return self.electricity_usd_per_kwh


@dataclass(frozen=True)
class Expansion:
    """An optional power expansion of a site: more kW from a quarter on, at a cost."""

    site: str
    name: str
    extra_kw: float
    cost_usd: float
    lead_time_quarters: int = 0
    earliest: Quarter | None = None


@dataclass(frozen=True)
class ExistingChips:
    """Chips already owned: a fixed cohort bought in ``bought`` (may precede the horizon)."""

    chip: str
    site: str
    quantity: int
    bought: Quarter


@dataclass(frozen=True)
class Budget:
    """Spending limits for one calendar year (None = no limit), and that year's corporate
    tax rate and bonus-depreciation share where they differ from the Settings."""

    year: int
    capex_usd: float | None = None
    opex_usd: float | None = None
    tax_rate: float | None = None                  # None: Settings.tax_rate
    bonus_depreciation_share: float | None = None  # None: Settings.bonus_depreciation_share


@dataclass(frozen=True)
class SoftwareStack:
    """A software stack (CUDA, ROCm, Neuron, XLA ...) and the one-time cost of adopting it.
    ``adopted`` stacks are already in use and cost nothing."""

    name: str
    adoption_usd: float
    adopted: bool = False


@dataclass(frozen=True)
class ApiOffer:
    """Tokens bought from an API provider (e.g. Groq, Cerebras) for a model.

    ``usd_per_million_tokens`` prices every token a request processes (prompt plus output,
    as Demand counts them).  An offer priced per input and per output token (the catalog's
    token offers, ``planner/data/token_offers.csv``) carries both prices; a workload then
    pays their mix at its own prompt/output shape (:meth:`usd_per_million_tokens_for`).
    ``output_tokens_per_s_per_user`` is the provider's published output speed per request:
    an offer serves a workload only if it meets the workload's TPOT target
    (:meth:`meets_tpot`); ``None`` means not published, and no latency check is made.
    """

    name: str
    model: str
    usd_per_million_tokens: float
    max_tokens_per_day: float | None = None
    gco2e_per_million_tokens: float | None = None  # prompt+output tokens; None = not counted
    usd_per_million_input_tokens: float | None = None
    usd_per_million_output_tokens: float | None = None
    output_tokens_per_s_per_user: float | None = None
    catalog_offer: str = ""  # the catalog token offer this row switched on, if any
    source: str = ""

    def usd_per_million_tokens_for(self, prompt_tokens: float, output_tokens: float) -> float:
        """USD per million tokens (prompt+output) for requests of this shape:
        (P_in x prompt + P_out x output) / (prompt + output) when priced per input and
        output token, else the single price."""
        p_in, p_out = self.usd_per_million_input_tokens, self.usd_per_million_output_tokens
        total = prompt_tokens + output_tokens
        if p_in is None or p_out is None or total <= 0:
            return self.usd_per_million_tokens
        return (p_in * prompt_tokens + p_out * output_tokens) / total

    def meets_tpot(self, tpot_ms: float | None) -> bool:
        """Whether the published per-user speed meets a TPOT target:
        1000 / speed <= tpot_ms (always true with no target or no published speed)."""
        speed = self.output_tokens_per_s_per_user
        if tpot_ms is None or speed is None:
            return True
        return 1000.0 / speed <= tpot_ms


@dataclass(frozen=True)
class InferenceWorkload:
    """An inference service (a row of the Workloads sheet plus its Demand rows).

    Demand counts all tokens processed (prompt plus output), per day, per quarter, as
    public token volumes do.  ``demand_tokens_per_day`` is aligned with
    ``Settings.periods``.  ``demand_method`` says where it came from: ``direct`` (Demand
    sheet), ``drivers`` (Drivers sheet; ``output_tokens`` then includes the mean reasoning
    multiplier) or ``history`` (History sheet, the P50 of a fitted forecast); see
    :mod:`planner.forecast`.
    """

    name: str
    model: str
    precision: str
    prompt_tokens: float
    output_tokens: float
    ttft_ms: float | None
    tpot_ms: float | None
    demand_tokens_per_day: tuple[float, ...]
    peak_to_average: float = 1.0
    stacks: tuple[str, ...] = ()
    demand_method: str = "direct"
    disaggregated: bool = False  # prefill and decode may run on different chip types
    serving_stack: str | None = None  # wins over the chip's; None = the chip's or default
    # A history forecast's P10 and P90 per quarter (empty for direct and drivers demand,
    # which carry no band); demand_tokens_per_day is then its P50.
    demand_p10_tokens_per_day: tuple[float, ...] = ()
    demand_p90_tokens_per_day: tuple[float, ...] = ()
    # Speculative decoding (multi-token prediction): draft tokens per step and the
    # acceptance rate of each; 0 draft tokens is plain decoding.
    draft_tokens: int = 0
    draft_acceptance: float = 0.0
    # Largest serving replica in chips (e.g. 8: one server); None lets the core choose.
    max_replica_chips: int | None = None
    # Request-size mix (the RequestMix sheet; planner.domain.mixes): the workload is then
    # planned as one internal workload per size slice, and prompt_tokens / output_tokens
    # are the mix's means.  None: one shape.
    mix: RequestMix | None = None
    # Set on the internal workload of one size slice (planner.domain.slicing.expand): the
    # workload it is a slice of, and the slice (its bucket bounds match measurements).
    parent: str = ""
    size_slice: SizeSlice | None = None
    # The unit the Demand sheet gave demand in (planner.domain.mixes.DEMAND_UNITS);
    # demand_tokens_per_day is always tokens per day.
    demand_unit: str = "tokens_per_day"

    @property
    def output_share(self) -> float:
        return self.output_tokens / (self.prompt_tokens + self.output_tokens)

    @property
    def tokens_per_request(self) -> float:
        """Mean prompt plus output tokens per request: the mix's, else the one shape's."""
        if self.mix is not None:
            return self.mix.tokens_per_request
        return self.prompt_tokens + self.output_tokens

    def requests_per_s(self, t: int) -> float:
        """Average requests per second in quarter index ``t``."""
        return self.demand_tokens_per_day[t] / self.tokens_per_request / 86_400.0


@dataclass(frozen=True)
class TrainingRun:
    """A training run (a row of the Training sheet): 6·N·D FLOPs between two quarters
    (4·N·D plus adapters for LoRA / QLoRA fine-tuning)."""

    name: str
    model: str
    tokens: float
    earliest: Quarter
    deadline: Quarter
    precision: str = "bf16"
    mfu: float | None = None
    stacks: tuple[str, ...] = ()
    method: str = "full"  # full, lora or qlora (fine-tuning)
    lora_rank: int | None = None  # adapter rank for lora / qlora (None: the default, 16)
    # largest gang the plan may use (None: only the smallest gang that finishes in the window)
    max_gang_chips: int | None = None


@dataclass(frozen=True)
class MeasuredThroughput:
    """A user-measured throughput that overrides the performance model for its pair.

    Given either as output tokens per second per chip or as the most requests per second
    one chip sustains (a serving profile's unit, e.g. Mélange's); exactly one is set.
    """

    chip: str
    model: str
    precision: str
    output_tokens_per_s_per_chip: float | None
    prompt_tokens: float | None = None
    output_tokens: float | None = None
    source: str = ""
    requests_per_s_per_chip: float | None = None

    def output_rate(self, output_tokens: float) -> float:
        """Output tokens per second per chip serving requests of ``output_tokens`` each:
        the measured rate, or measured requests/s x ``output_tokens``."""
        if self.output_tokens_per_s_per_chip is not None:
            return self.output_tokens_per_s_per_chip
        return (self.requests_per_s_per_chip or 0.0) * output_tokens


@dataclass(frozen=True)
class CompleteMeasuredSet:
    """The Measured rows of a chip (and model, and precision; None = any) declared
    complete: a request size they do not cover is one the chip cannot serve, instead of
    falling back to the performance model.  ``source`` says where it was declared."""

    chip: str
    model: str | None = None
    precision: str | None = None
    source: str = ""


@dataclass(frozen=True)
class PlanInput:
    """Everything a plan needs, validated.  Chip and model specs are already resolved
    (catalog entries overridden or extended by the workbook)."""

    settings: Settings
    chips: tuple[ChipOffer, ...]
    sites: tuple[Site, ...]
    workloads: tuple[InferenceWorkload, ...]
    training: tuple[TrainingRun, ...] = ()
    measured: tuple[MeasuredThroughput, ...] = ()
    existing: tuple[ExistingChips, ...] = ()
    budgets: tuple[Budget, ...] = ()
    stacks: tuple[SoftwareStack, ...] = ()
    apis: tuple[ApiOffer, ...] = ()
    expansions: tuple[Expansion, ...] = ()
    chip_specs: dict[str, ChipSpec] = field(default_factory=dict, hash=False)
    model_specs: dict[str, ModelSpec] = field(default_factory=dict, hash=False)
    source_name: str = ""
    source_sha256: str = ""
    scenarios: tuple[ScenarioSpec, ...] = ()
    actuals: tuple[Actual, ...] = ()  # the Actuals sheet (re-plans)
    complete_measured: tuple[CompleteMeasuredSet, ...] = ()  # Measured sets declared complete

    @property
    def periods(self) -> list[Quarter]:
        return self.settings.periods
