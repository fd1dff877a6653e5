"""What the optimizer decided: a plan, as tidy records the report writes one per row."""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.domain.costs import CostBreakdown
from planner.domain.estimates import ThroughputEstimate, TrainingEstimate
from planner.domain.status import Status, Termination


@dataclass(frozen=True)
class SolverInfo:
    """Solver outcome, separating status from termination condition (as linopy does).

    ``status``: ``ok`` (a proven optimum), ``warning`` (a usable plan that is not proven
    optimal, e.g. time-limited incumbent) or ``error`` (no plan).
    ``termination``: ``optimal``, ``time_limit``, ``infeasible``, ``unbounded``,
    ``not_solved`` or ``error``.  ``gap`` is relative: |objective - bound| / |objective|.
    """

    solver: str
    status: Status
    termination: Termination
    objective_usd: float | None
    best_bound_usd: float | None
    gap: float | None
    solve_seconds: float
    build_seconds: float
    variables: int
    integer_variables: int
    constraints: int
    time_limit_s: float
    mip_gap: float
    message: str = ""


@dataclass(frozen=True)
class PurchaseRow:
    chip: str
    site: str
    quarter_ordered: str
    quarter_delivered: str
    quantity: int
    unit_price_usd: float
    total_usd: float


@dataclass(frozen=True)
class RentalRow:
    chip: str
    quarter: str
    kind: str
    term_quarters: int
    quantity: int
    price_usd_per_chip_hour: float
    total_usd: float


@dataclass(frozen=True)
class FleetRow:
    quarter: str
    chip: str
    site: str
    ownership: str  # "owned" or "rented"
    vintage: str    # quarter bought, "" for rented
    quantity: int


@dataclass(frozen=True)
class AllocationRow:
    quarter: str
    workload: str
    chip: str
    chips: float
    tokens_per_s: float
    tokens_per_day: float
    phase: str = "both"


@dataclass(frozen=True)
class CapacityRow:
    quarter: str
    workload: str
    demand_tokens_per_day: float
    served_tokens_per_day: float
    unmet_tokens_per_day: float


@dataclass(frozen=True)
class PowerRow:
    quarter: str
    site: str
    it_power_kw: float
    facility_power_kw: float
    cap_kw: float
    energy_mwh: float = 0.0  # facility energy drawn in the quarter: kW x draw fraction x hours


@dataclass(frozen=True)
class TrainingRow:
    run: str
    quarter: str
    chip: str
    chips: float
    share_of_run: float
    site: str = ""


@dataclass(frozen=True)
class CashFlowRow:
    """One quarter's money, cash apart from cost of ownership apart from penalties.

    Cash (undiscounted): capital, rental, power, api, expansion, stack and resale
    proceeds; ``net_cash_usd`` = capital + rental + power + api + expansion + stack - resale.
    Cost of ownership on the plan's cost basis: ``capital_charge_usd`` (the capital cost
    charged this quarter: the purchases on a cash basis, the chips' capital recovery on the
    annuity basis) and ``residual_credit_usd`` (value of chips still owned at the end, cash
    bases only); ``cost_usd`` = capital charge + rental + power + api + expansion + stack
    - resale - residual credit; ``discounted_cost_usd`` = cost x ``discount_factor``.
    Penalties (priced shortfalls, not cash): unmet inference, unmet training, budget
    overrun; ``discounted_penalty_usd`` = their sum x ``discount_factor``.  The sum of
    ``discounted_cost_usd + discounted_penalty_usd`` over quarters equals the optimizer's
    objective."""

    quarter: str
    capital_usd: float
    rental_usd: float
    power_usd: float
    residual_credit_usd: float
    discount_factor: float
    resale_usd: float = 0.0
    api_usd: float = 0.0
    expansion_usd: float = 0.0
    stack_usd: float = 0.0
    capital_charge_usd: float | None = None  # None: the purchases (cash basis)
    unmet_inference_penalty_usd: float = 0.0
    unmet_training_penalty_usd: float = 0.0
    budget_overrun_penalty_usd: float = 0.0
    emissions_overrun_penalty_usd: float = 0.0
    # The internal carbon price times the quarter's emissions: a priced externality kept
    # apart from the cost of ownership (not cash unless paid as a tax).
    carbon_cost_usd: float = 0.0
    # After tax and financing (docs/model.md, After tax; all 0 before tax without loans):
    # changes in tax paid (negative: tax saved) on operating costs, from the depreciation
    # of chips and of expansions, on resale gains, from loan interest; the loan's cash
    # (proceeds negative, payments, balances repaid at sales); and what is not cash: the
    # end-of-horizon terms (tax on the end credit, loan balance still owed, expansions'
    # later shields) and, on the annuity basis, the capital charge's after-tax adjustment.
    tax_operating_usd: float = 0.0
    tax_depreciation_chips_usd: float = 0.0
    tax_depreciation_expansions_usd: float = 0.0
    tax_resale_usd: float = 0.0
    financing_usd: float = 0.0
    tax_interest_usd: float = 0.0
    tax_end_usd: float = 0.0
    capital_charge_tax_usd: float = 0.0

    @property
    def net_cash_usd(self) -> float:
        return (self.capital_usd + self.rental_usd + self.power_usd + self.api_usd
                + self.expansion_usd + self.stack_usd - self.resale_usd)

    @property
    def tax_paid_change_usd(self) -> float:
        """Cash change in tax paid this quarter (negative: tax saved)."""
        return (self.tax_operating_usd + self.tax_depreciation_chips_usd
                + self.tax_depreciation_expansions_usd + self.tax_resale_usd
                + self.tax_interest_usd)

    @property
    def after_tax_net_cash_usd(self) -> float:
        """Net cash after tax and financing: net cash + loan cash + change in tax paid."""
        return self.net_cash_usd + self.financing_usd + self.tax_paid_change_usd

    @property
    def tax_cost_usd(self) -> float:
        """What tax and financing add to the cost of ownership on the plan's basis
        (planner.optimize.tax.counted): on the annuity basis the chips' shields and
        loans are in the capital-charge adjustment."""
        common = (self.tax_operating_usd + self.tax_depreciation_expansions_usd
                  + self.tax_resale_usd + self.tax_end_usd)
        if self.capital_charge_usd is not None:  # annuity basis
            return common + self.capital_charge_tax_usd
        return (common + self.tax_depreciation_chips_usd + self.financing_usd
                + self.tax_interest_usd)

    @property
    def capital_cost_usd(self) -> float:
        """The capital cost counted in the cost of ownership this quarter."""
        return self.capital_usd if self.capital_charge_usd is None else self.capital_charge_usd

    @property
    def pre_tax_cost_usd(self) -> float:
        return (self.capital_cost_usd + self.rental_usd + self.power_usd + self.api_usd
                + self.expansion_usd + self.stack_usd - self.resale_usd
                - self.residual_credit_usd)

    @property
    def cost_usd(self) -> float:
        """Cost of ownership this quarter: pre-tax cost + the tax and financing terms
        (zero before tax without loans)."""
        return self.pre_tax_cost_usd + self.tax_cost_usd

    @property
    def discounted_cost_usd(self) -> float:
        return self.cost_usd * self.discount_factor

    @property
    def penalty_usd(self) -> float:
        return (self.unmet_inference_penalty_usd + self.unmet_training_penalty_usd
                + self.budget_overrun_penalty_usd + self.emissions_overrun_penalty_usd)

    @property
    def discounted_penalty_usd(self) -> float:
        return self.penalty_usd * self.discount_factor

    @property
    def discounted_carbon_cost_usd(self) -> float:
        return self.carbon_cost_usd * self.discount_factor


@dataclass(frozen=True)
class RetirementRow:
    """Owned chips sold before the end of their life."""

    chip: str
    site: str
    vintage: str
    quarter: str
    quantity: int
    resale_usd_per_chip: float
    total_usd: float


@dataclass(frozen=True)
class ApiRow:
    quarter: str
    workload: str
    offering: str
    tokens_per_day: float
    usd_per_million_tokens: float
    total_usd: float


@dataclass(frozen=True)
class ExpansionRow:
    site: str
    name: str
    quarter_ordered: str
    quarter_available: str
    extra_kw: float
    cost_usd: float


@dataclass(frozen=True)
class StackRow:
    stack: str
    adoption_usd: float


@dataclass(frozen=True)
class EmissionRow:
    """Emissions of one source in one quarter (docs/model.md, Emissions), tCO2e.

    ``site`` is a site (owned chips of type ``source``), ``cloud`` (rented chips) or
    ``api`` (tokens of offering ``source`` bought for ``workload``).  Owned chips: their
    facility energy (``energy_mwh``) times the grid's location-based and market-based
    factors, and their embodied share; rented chips and APIs: the supplier's factor
    (``supplier_tco2e``), counted on both bases.
    """

    quarter: str
    site: str
    source: str
    workload: str
    chips: float
    energy_mwh: float
    grid_location_tco2e: float
    grid_market_tco2e: float
    embodied_tco2e: float
    supplier_tco2e: float

    @property
    def location_tco2e(self) -> float:
        return self.grid_location_tco2e + self.embodied_tco2e + self.supplier_tco2e

    @property
    def market_tco2e(self) -> float:
        return self.grid_market_tco2e + self.embodied_tco2e + self.supplier_tco2e


@dataclass(frozen=True)
class DiagnosticRow:
    """A constraint that binds, and what relaxing it by one unit would save.

    ``shadow_price_usd`` is the discounted objective saving per unit (per kW, per dollar
    of budget, per chip of supply), from the LP with the integer decisions fixed.
    """

    constraint: str
    where: str
    quarter: str
    unit: str
    shadow_price_usd: float
    message: str


@dataclass(frozen=True)
class SliceRow:
    """What served one size slice of a workload with a request mix in one quarter
    (the Slices sheet; planner.optimize.slices): one row per chip serving it, per API
    offering selling it, and one for its unmet part (``kind`` chip, api or unmet).

    ``tokens_per_day`` counts prompt plus output tokens; ``requests_per_s`` the same
    traffic in requests (tokens / the slice's tokens per request / 86,400).
    ``throughput_source`` says whether the chip's rate for the slice was ``measured`` or
    ``modelled`` (blank for API and unmet rows).
    """

    quarter: str
    workload: str
    slice: str
    share_of_requests: float
    prompt_tokens: float
    output_tokens: float
    kind: str            # chip, api or unmet
    served_by: str       # the chip, the API offering, or "" for unmet
    chips: float         # chips allocated (0 for api and unmet)
    tokens_per_day: float
    requests_per_s: float
    throughput_source: str = ""


@dataclass(frozen=True)
class SingleTypeOption:
    """The plan of the same input restricted to one chip type (planner.optimize.single_type).

    ``cost_of_ownership_usd`` is on the same basis as the plan's (NPV, cost basis, tax);
    ``objective_usd`` adds its penalties; ``unmet_demand_share`` is the share of inference
    tokens it leaves unserved (a type that cannot serve every slice leaves some).
    """

    chip: str
    termination: str
    cost_of_ownership_usd: float | None
    objective_usd: float | None
    unmet_demand_share: float
    gap: float | None = None
    message: str = ""

    @property
    def serves_all(self) -> bool:
        return self.cost_of_ownership_usd is not None and \
            self.unmet_demand_share <= PlanResult.UNMET_TOLERANCE


@dataclass(frozen=True)
class WorkloadMixSaving:
    """One workload's cost per million prompt+output tokens in the plan and on the best
    single chip type for it (from the single-type plans' cost attribution)."""

    workload: str
    plan_usd_per_mtok: float | None
    best_chip: str | None
    single_type_usd_per_mtok: float | None

    @property
    def saving_share(self) -> float | None:
        a, b = self.plan_usd_per_mtok, self.single_type_usd_per_mtok
        return None if a is None or not b else 1.0 - a / b


@dataclass(frozen=True)
class SingleTypeComparison:
    """What mixing chip types saves: the plan's cost against the best plan restricted to a
    single chip type, solved on the same inputs (Mélange reports its savings this way).

    ``single_type_best_usd`` is the cheapest single-type plan that serves all demand (None
    when none does, or when it was not computed: ``note`` says why);
    ``mix_saving_share`` = 1 - plan cost / ``single_type_best_usd``.  Both costs are
    cost of ownership on the plan's basis (``basis``).
    """

    plan_cost_usd: float
    options: tuple[SingleTypeOption, ...]
    best_chip: str | None
    single_type_best_usd: float | None
    basis: str = ""
    per_workload: tuple[WorkloadMixSaving, ...] = ()
    note: str = ""

    @property
    def mix_saving_share(self) -> float | None:
        best = self.single_type_best_usd
        return None if not best else 1.0 - self.plan_cost_usd / best


@dataclass
class PlanResult:
    """A solved plan and everything the report needs to explain it."""

    solver: SolverInfo
    periods: list[str]
    purchases: list[PurchaseRow] = field(default_factory=list)
    rentals: list[RentalRow] = field(default_factory=list)
    fleet: list[FleetRow] = field(default_factory=list)
    allocation: list[AllocationRow] = field(default_factory=list)
    capacity: list[CapacityRow] = field(default_factory=list)
    power: list[PowerRow] = field(default_factory=list)
    training: list[TrainingRow] = field(default_factory=list)
    cashflow: list[CashFlowRow] = field(default_factory=list)
    throughput: list[ThroughputEstimate] = field(default_factory=list)
    training_estimates: list[TrainingEstimate] = field(default_factory=list)
    retirements: list[RetirementRow] = field(default_factory=list)
    api_usage: list[ApiRow] = field(default_factory=list)
    expansions: list[ExpansionRow] = field(default_factory=list)
    stacks_adopted: list[StackRow] = field(default_factory=list)
    diagnostics: list[DiagnosticRow] = field(default_factory=list)
    emissions: list[EmissionRow] = field(default_factory=list)  # empty: no carbon input
    emissions_basis: str = "location"  # the basis the carbon price and cap count
    cost_basis: str = "annuity"
    #: 'pre-tax', or 'after tax at 21%, chips depreciated by 5-year MACRS ...'
    tax_basis: str = "pre-tax"
    #: Lines the Summary shows first, above the warnings (a hedged plan says so here).
    preface: list[str] = field(default_factory=list)
    #: Size slices of workloads with a request mix (empty: none has one); capacity,
    #: allocation, api_usage and emissions rows name the input's workloads.
    slices: list[SliceRow] = field(default_factory=list)
    #: The plan against the best single-chip-type plan (None: not asked for).
    single_type: SingleTypeComparison | None = None

    #: Below this share of demand, a shortfall is solver tolerance, not a warning.
    UNMET_TOLERANCE = 1e-5

    @property
    def has_unmet_demand(self) -> bool:
        return self.unmet_demand_share > self.UNMET_TOLERANCE

    @property
    def unmet_demand_share(self) -> float:
        demand = sum(r.demand_tokens_per_day for r in self.capacity)
        unmet = sum(r.unmet_tokens_per_day for r in self.capacity)
        return unmet / demand if demand > 0 else 0.0

    @property
    def costs(self) -> CostBreakdown:
        """Cost of ownership and penalties by kind, NPV (planner.domain.costs)."""
        cf = self.cashflow
        return CostBreakdown(
            sum(r.discounted_cost_usd for r in cf),
            sum(r.discount_factor * r.unmet_inference_penalty_usd for r in cf),
            sum(r.discount_factor * r.unmet_training_penalty_usd for r in cf),
            sum(r.discount_factor * r.budget_overrun_penalty_usd for r in cf),
            self.cost_basis,
            sum(r.discount_factor * r.emissions_overrun_penalty_usd for r in cf),
            sum(r.discounted_carbon_cost_usd for r in cf), tax_basis=self.tax_basis)

    def emissions_tco2e(self, basis: str | None = None) -> float:
        """Total emissions over the plan, tCO2e, on ``basis`` (default: the plan's)."""
        basis = basis or self.emissions_basis
        return sum(r.location_tco2e if basis == "location" else r.market_tco2e
                   for r in self.emissions)

    @property
    def total_cost_usd(self) -> float:
        """Discounted cost of ownership: real money, penalties excluded."""
        return self.costs.cost_of_ownership_usd
