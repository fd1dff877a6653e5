"""Numeric parameters of the MIP, derived from the validated input and the perf core.

Nothing here knows PuLP; nothing in the model builder knows the workbook.  Symbols
match docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.domain import PlanInput, PlannerError, ThroughputEstimate, TrainingEstimate
from planner.domain.bounds import magnitude_problems
from planner.optimize.carbon_params import CarbonTerms, carbon_terms
from planner.optimize.discounting import (
    annuity_balance,
    capital_recovery_factor,
    discount_factor,
    life_in_quarters,
    market_fraction,
    rate_per_quarter,
    residual_fraction,
)
from planner.optimize.parameters_extra import ApiTerms, ExpansionTerms, extras
from planner.optimize.tax_params import TaxTerms, tax_terms

SECONDS_PER_DAY = 86400.0
RESERVED_TERMS = {"1y": 4, "3y": 12}


@dataclass
class Parameters:
    """Index sets and parameters.  Periods are 0-based quarter indices ``t``."""

    periods: list[str]
    years: list[int]                           # calendar year of each quarter
    chips: list[str]
    sites: list[str]
    workloads: list[str]
    hours_per_quarter: float
    discount: list[float]                      # d_t
    buy_price_usd: dict[tuple[str, int], float]  # P_{c,t}, only where buying is allowed
    ref_price_usd: dict[str, float]            # price used to value existing chips
    rent_usd_per_hour: dict[str, float]        # h_c, on demand
    reserved_usd_per_hour: dict[tuple[str, int], float]  # h_{c,k} for term k quarters
    life_quarters: dict[str, int]              # L_c
    lead_quarters: dict[str, int]              # l_c
    resale_decline: dict[str, float]           # g_c per year
    power_kw: dict[str, float]                 # p_c, IT kW per chip incl. server share
    supply_cap: dict[str, int]                 # S_c chips per quarter
    site_cap_kw: dict[tuple[str, int], float]  # K_{s,t}, facility kW
    site_pue: dict[str, float]                 # PUE_s
    site_usd_per_kwh: dict[tuple[str, int], float]  # e_{s,t}
    site_slots: dict[str, int]                 # M_s, chips that fit
    power_draw_fraction: float                 # phi
    demand: dict[tuple[str, int], float]       # D_{w,t}, tokens/day
    capacity: dict[tuple[str, str], float]     # a_{w,c}, tokens/day one chip serves
    phase_capacity: dict[tuple[str, str, str], float]  # a^phi_{w,c}, one phase only
    unmet_usd_per_token_day: float             # pi: $ per (token/day) short for a quarter
    allow_retirement: bool = True
    existing: dict[tuple[str, str, int], int] = field(default_factory=dict)  # E_{c,s,d}
    runs: list[str] = field(default_factory=list)
    train_chip_hours: dict[tuple[str, str], float] = field(default_factory=dict)  # E_{r,c}
    # Q_{r,c,G}: quarters run r holds a gang of G chips of c, one entry per gang size G in
    # G_{r,c} (the smallest that finishes in the window, and bigger, shorter ones)
    train_quarters: dict[tuple[str, str, int], int] = field(default_factory=dict)
    train_window: dict[str, list[int]] = field(default_factory=dict)              # W_r
    train_penalty_usd: dict[str, float] = field(default_factory=dict)             # pi_r
    chip_stack: dict[str, str] = field(default_factory=dict)
    stack_cost_usd: dict[str, float] = field(default_factory=dict)   # A_k, only stacks to adopt
    allowed_stacks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per workload/run
    apis: dict[str, ApiTerms] = field(default_factory=dict)
    api_for: dict[str, list[str]] = field(default_factory=dict)      # workload -> offerings
    api_price: dict[tuple[str, str], float] = field(default_factory=dict)  # P_{w,a}, $/Mtok
    expansions: dict[str, ExpansionTerms] = field(default_factory=dict)
    capex_budget: dict[int, float] = field(default_factory=dict)
    opex_budget: dict[int, float] = field(default_factory=dict)
    overrun_usd_per_usd: float = 0.0          # omega: price of a dollar over budget
    cost_basis: str = "annuity"                # annuity, cash or cash_book
    unservable: dict[str, str] = field(default_factory=dict)  # workload -> why no chip serves it
    store_unpowered: bool = False              # owned chips may sit unused (evaluations)
    rate_per_quarter: float = 0.0              # i = (1 + r)^(1/4) - 1
    order_unit: dict[str, int] = field(default_factory=dict)   # U_c chips per server/rack, if > 1
    rental_unit: dict[str, int] = field(default_factory=dict)  # R_c chips per instance, if > 1
    sigma: dict[str, float] = field(default_factory=dict, repr=False, compare=False)  # scale() cache
    # gamma_{w,c,t}: software-maturity multiplier of a_{w,c} in quarter t (absent = 1),
    # carried by the estimates (ThroughputEstimate.speedup_by_quarter)
    speedup: dict[tuple[str, str], tuple[float, ...]] = field(default_factory=dict)
    phase_speedup: dict[tuple[str, str, str], tuple[float, ...]] = field(default_factory=dict)
    carbon: CarbonTerms = field(default_factory=CarbonTerms)  # docs/model.md, Emissions
    tax: TaxTerms = field(default_factory=TaxTerms)  # docs/model.md, After tax

    @property
    def horizon(self) -> int:
        return len(self.periods)

    def capacity_at(self, w: str, c: str, t: int) -> float:
        """a_{w,c} gamma_{w,c,t}: tokens/day one chip serves in quarter t (every cohort
        alike: owned chips get the software gains too)."""
        gains = self.speedup.get((w, c), ())
        return self.capacity[w, c] * (gains[t] if t < len(gains) else 1.0)

    def phase_capacity_at(self, w: str, c: str, phase: str, t: int) -> float:
        """a^phi_{w,c} gamma^phi_{w,c,t}: the one-phase capacity in quarter t."""
        gains = self.phase_speedup.get((w, c, phase), ())
        return self.phase_capacity[w, c, phase] * (gains[t] if t < len(gains) else 1.0)

    def delivered(self, chip: str, t: int) -> int:
        """Quarter in which an order placed in quarter ``t`` starts serving."""
        return t + self.lead_quarters[chip]

    def residual(self, chip: str, t: int) -> float:
        """Credited fraction at the horizon end of a chip ordered in quarter t."""
        return self.residual_delivered(chip, self.delivered(chip, t))

    def residual_delivered(self, chip: str, delivered: int) -> float:
        """Share of its price a chip delivered in quarter ``delivered`` is credited at the
        horizon end: book value (cash_book), market resale value (cash), nothing (annuity)."""
        life = self.life_quarters[chip]
        if self.cost_basis == "cash_book":
            return residual_fraction(delivered, self.horizon, life)
        if self.cost_basis == "cash":
            return market_fraction(self.horizon - delivered, life, self.resale_decline[chip])
        return 0.0

    def capital_recovery(self, chip: str) -> float:
        """CRF_c: the share of its price an owned chip is charged per quarter in service
        on the annuity basis."""
        return capital_recovery_factor(self.rate_per_quarter, self.life_quarters[chip])

    def annuity_left(self, chip: str, paid: int) -> float:
        """Share of its price still to recover after ``paid`` quarters in service."""
        return annuity_balance(self.rate_per_quarter, self.life_quarters[chip], paid)

    def service_quarters(self, chip: str, order: int) -> range:
        """Quarters in which chips ordered in quarter ``order`` are in service."""
        return self.alive_range(chip, self.delivered(chip, order))

    def alive_range(self, chip: str, delivered: int) -> range:
        """Horizon quarters in which chips delivered in quarter ``delivered`` serve."""
        return range(max(0, delivered), min(self.horizon, delivered + self.life_quarters[chip]))

    def vintages_alive(self, chip: str, t: int) -> list[int]:
        """Order quarters whose chips are in service in quarter ``t``."""
        lead, life = self.lead_quarters[chip], self.life_quarters[chip]
        return [o for o in range(max(0, t - lead - life + 1), t - lead + 1)
                if (chip, o) in self.buy_price_usd]

    def retirement_quarters(self, chip: str, delivered: int) -> list[int]:
        """Quarters at which a cohort may be sold early: its anniversaries inside the
        horizon and before the end of its life."""
        if not self.allow_retirement:
            return []
        life = self.life_quarters[chip]
        last = min(life, self.horizon - delivered)  # never loop past the horizon
        return [delivered + k for k in range(4, last, 4) if 0 <= delivered + k < self.horizon]

    def api_usd_per_mtok(self, workload: str, api: str) -> float:
        """P_{w,a}: USD per million tokens workload w pays offering a (its input/output
        mix at w's shape; the single price where no mix is known)."""
        return self.api_price.get((workload, api), self.apis[api].usd_per_million_tokens)

    def scale(self, workload: str) -> float:
        """sigma_w: tokens/day in one unit of u_{w,t} and z_{w,a,t}: what one chip of the
        workload's fastest chip serves (its peak demand if no chip can).  The demand row
        then counts chips (coefficients a_{w,c}/sigma_w in (0, 1], right-hand side the
        fastest chips needed) and a unit short costs about one chip-quarter at the
        penalty price, so neither tokens/day (10^10) nor a peak-demand unit priced at
        10^10 dollars reaches the solver."""
        if not self.sigma:
            for (w, _c), a in self.capacity.items():
                self.sigma[w] = max(self.sigma.get(w, 0.0), a)
            for (w, _c, _phase), a in self.phase_capacity.items():
                self.sigma[w] = max(self.sigma.get(w, 0.0), a)
            for w in self.workloads:
                if self.sigma.get(w, 0.0) <= 0.0:
                    self.sigma[w] = max([1.0] + [self.demand[w, t] for t in range(self.horizon)])
        return self.sigma[workload]

    def stack_allowed(self, user: str, chip: str) -> bool:
        """Whether workload or run ``user`` may run on ``chip``'s software stack."""
        allowed = self.allowed_stacks.get(user, ())
        return not allowed or self.chip_stack.get(chip, "") in allowed

    def resale(self, chip: str, age_quarters: int) -> float:
        """Market value fraction of a chip ``age_quarters`` after delivery."""
        return (1.0 - self.resale_decline[chip]) ** (age_quarters / 4.0)


def _capacity(inp: PlanInput, throughput: dict[tuple[str, str], ThroughputEstimate]) -> dict:
    """a_{w,c} = tokens/s per chip x 86400 x target utilisation / peak-to-average."""
    util = inp.settings.target_utilisation
    cap = {}
    for w in inp.workloads:
        for offer in inp.chips:
            est = throughput.get((w.name, offer.chip))
            if est is None or not est.feasible or est.tokens_per_s_per_chip <= 0:
                continue
            cap[(w.name, offer.chip)] = (est.tokens_per_s_per_chip * SECONDS_PER_DAY * util
                                         / w.peak_to_average)
    return cap


def _unservable(inp: PlanInput, throughput: dict[tuple[str, str], ThroughputEstimate]) -> dict:
    """Workloads no offered chip can serve, with the estimates' reasons (latency targets
    no chip meets, a model that does not fit)."""
    out = {}
    for w in inp.workloads:
        ests = [throughput.get((w.name, o.chip)) for o in inp.chips]
        if any(e is not None and e.feasible and e.tokens_per_s_per_chip > 0 for e in ests):
            continue
        reasons = sorted({f"{e.chip}: {e.reason}" for e in ests if e is not None and e.reason})
        out[w.name] = "; ".join(reasons) or "no throughput estimate for any offered chip"
    return out


def _phase_capacity(inp: PlanInput, phases: dict) -> dict:
    """a^phi_{w,c}: tokens/day of requests one chip serves doing only phase phi
    (disaggregated serving), at the target utilisation and peak."""
    util = inp.settings.target_utilisation
    out = {}
    for w in inp.workloads:
        if not w.disaggregated:
            continue
        for offer in inp.chips:
            for phase in ("prefill", "decode"):
                est = phases.get((w.name, offer.chip, phase))
                if est is not None and est.feasible and est.tokens_per_s_per_chip > 0:
                    out[(w.name, offer.chip, phase)] = (est.tokens_per_s_per_chip * SECONDS_PER_DAY
                                                        * util / w.peak_to_average)
    return out


def _buy_prices(inp: PlanInput) -> dict[tuple[str, int], float]:
    periods = inp.periods
    prices = {}
    for offer in inp.chips:
        for t, q in enumerate(periods):
            price = offer.purchase_price(t)
            if price is None:
                break
            if offer.available_from is not None and q < offer.available_from:
                continue
            if offer.available_until is not None and q > offer.available_until:
                continue
            if t + offer.lead_time_quarters >= len(periods):
                continue  # would arrive after the horizon: never useful
            prices[(offer.chip, t)] = price
    return prices


def _reserved_prices(inp: PlanInput) -> dict[tuple[str, int], float]:
    prices = {}
    for o in inp.chips:
        if o.rent_usd_per_chip_hour is None:
            continue
        for label, discount in (("1y", o.reserved_1y_discount), ("3y", o.reserved_3y_discount)):
            if discount is not None:
                prices[(o.chip, RESERVED_TERMS[label])] = o.rent_usd_per_chip_hour * (1 - discount)
    return prices


def prepare(inp: PlanInput, throughput: dict[tuple[str, str], ThroughputEstimate],
            training: dict[tuple[str, str], TrainingEstimate] | None = None,
            phases: dict[tuple[str, str, str], ThroughputEstimate] | None = None) -> Parameters:
    """Derive the MIP's parameters from the input and the performance estimates.

    ``phases`` holds one-phase estimates keyed (workload, chip, "prefill"|"decode") for
    workloads that allow disaggregated serving.  Every number of ``inp`` must be within
    its plausible range (:func:`planner.domain.bounds.magnitude_problems`; scenario
    overrides and forecasts can push values past what the workbook's cells hold): a
    PlannerError names each one before anything is built."""
    implausible = magnitude_problems(inp)
    if implausible:
        raise PlannerError("values outside their plausible range (the solver would return "
                           "nonsense): " + "; ".join(implausible[:10]))
    s = inp.settings
    periods = inp.periods
    T = len(periods)
    return Parameters(
        periods=[str(q) for q in periods],
        years=[q.year for q in periods],
        chips=[o.chip for o in inp.chips],
        sites=[site.name for site in inp.sites],
        workloads=[w.name for w in inp.workloads],
        hours_per_quarter=s.hours_per_quarter,
        discount=[discount_factor(s.discount_rate_per_year, t) for t in range(T)],
        buy_price_usd=_buy_prices(inp),
        rent_usd_per_hour={o.chip: o.rent_usd_per_chip_hour for o in inp.chips
                           if o.rent_usd_per_chip_hour is not None},
        reserved_usd_per_hour=_reserved_prices(inp),
        life_quarters={o.chip: life_in_quarters(o.lifetime_years) for o in inp.chips},
        lead_quarters={o.chip: o.lead_time_quarters for o in inp.chips},
        resale_decline={o.chip: o.resale_decline_per_year for o in inp.chips},
        supply_cap={o.chip: o.supply_cap_per_quarter for o in inp.chips
                    if o.supply_cap_per_quarter is not None},
        site_cap_kw={(site.name, t): site.cap_kw(t) for site in inp.sites for t in range(T)},
        site_pue={site.name: site.pue if site.pue is not None else s.pue for site in inp.sites},
        site_usd_per_kwh={(site.name, t): site.electricity_price(t)
                          for site in inp.sites for t in range(T)},
        site_slots={site.name: site.max_chips for site in inp.sites if site.max_chips is not None},
        power_draw_fraction=s.power_draw_fraction,
        demand={(w.name, t): w.demand_tokens_per_day[t] for w in inp.workloads for t in range(T)},
        capacity=_capacity(inp, throughput),
        phase_capacity=_phase_capacity(inp, phases or {}),
        speedup={k: e.speedup_by_quarter for k, e in throughput.items() if e.speedup_by_quarter},
        phase_speedup={k: e.speedup_by_quarter for k, e in (phases or {}).items()
                       if e.speedup_by_quarter},
        unmet_usd_per_token_day=(s.hours_per_quarter / 24.0)
        * s.unmet_penalty_usd_per_million_tokens / 1e6,
        allow_retirement=s.allow_early_retirement,
        overrun_usd_per_usd=s.budget_overrun_penalty_usd_per_usd,
        unservable=_unservable(inp, throughput),
        cost_basis=s.cost_basis,
        rate_per_quarter=rate_per_quarter(s.discount_rate_per_year),
        **extras(inp, training or {}),
        order_unit={o.chip: o.order_unit_chips for o in inp.chips if o.order_unit_chips > 1},
        rental_unit={o.chip: o.rental_unit_chips for o in inp.chips if o.rental_unit_chips > 1},
        carbon=carbon_terms(inp),
        tax=tax_terms(inp),
    )
