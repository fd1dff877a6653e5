"""Figures derived from a plan for the Summary: spend per year, cost per million tokens.

Capital and operating spend follow the optimizer's budget definitions: capex is chip
purchases plus site expansions, opex is rental, power, API tokens and software-stack
adoption.  Credits are resale of retired chips and the residual value at the horizon.

Cost per million tokens (see COST_METHOD) allocates the plan's undiscounted cost without
penalties, so the allocated costs add up to the nominal total cost of ownership.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planner.domain import PlanInput, PlanResult, units
from planner.report.tables import quarter_key
from planner.report.usage import chip_kw

COST_METHOD = (
    "Method: API spend goes to the workload that bought the tokens.",
    ("Net capital (chips on the plan's cost basis: their capital charge, or purchases less "
     "the residual credit; site expansions and software stacks; less resale) is spread over "
     "the quarters by owned chips in service."),
    ("Each quarter's cost is pooled by chip type (its rentals as booked, a reservation spread "
     "over its quarters; power by the type's share of the owned chips' rated kW; net capital "
     "by its share of owned chips in service weighted by purchase price) and each pool is "
     "split among the workloads and training runs by the chips of that type allocated to "
     "them; a pool of a type no one uses that quarter is split by all chips allocated."),
    ("Undiscounted; penalties excluded.  Cost per million tokens = allocated cost / tokens "
    "served (by chips and APIs), prompt+output or output only."),
)


@dataclass(frozen=True)
class YearSpend:
    year: str
    capex_usd: float        # capital + expansion
    opex_usd: float         # rental + power + api + stack
    resale_usd: float       # cash from chips sold early
    residual_usd: float     # book value of chips still owned at the horizon end (not cash)
    penalty_usd: float      # unmet demand and budget overrun penalties (not cash)
    discounted_usd: float   # discounted cost without penalties
    capex_budget_usd: float | None = None
    opex_budget_usd: float | None = None

    @property
    def credits_usd(self) -> float:
        return self.resale_usd + self.residual_usd

    @property
    def net_cash_usd(self) -> float:
        """Cash out in the year: capex + opex - resale proceeds (no penalty, no residual)."""
        return self.capex_usd + self.opex_usd - self.resale_usd


@dataclass(frozen=True)
class UserCost:
    """Cost allocated to one workload (or training run) over the horizon."""

    user: str
    kind: str  # "inference" or "training"
    demand_tokens: float
    served_tokens: float
    cost_usd: float

    @property
    def met_share(self) -> float | None:
        return self.served_tokens / self.demand_tokens if self.demand_tokens > 0 else None

    @property
    def usd_per_million_tokens(self) -> float | None:
        """Dollars per million prompt+output tokens served (planner.domain.units)."""
        return self.cost_usd / self.served_tokens * 1e6 if self.served_tokens > 0 else None


def output_share(user: str, inp: PlanInput) -> float | None:
    """The share of a workload's tokens that are output (None for training or unknown)."""
    w = next((w for w in inp.workloads if w.name == user), None)
    return units.output_share(w.prompt_tokens, w.output_tokens) if w is not None else None


def usd_per_million_output_tokens(u: UserCost, inp: PlanInput) -> float | None:
    """A workload's allocated cost per million output tokens served."""
    share = output_share(u.user, inp) if u.kind == "inference" else None
    return units.usd_per_mtok(u.cost_usd, u.served_tokens * share) if share else None


def year_of(quarter: str) -> str:
    key = quarter_key(quarter)
    return str(key[0] // 4) if not key[1] else str(quarter)


def capex(r) -> float:
    return r.capital_usd + r.expansion_usd


def opex(r) -> float:
    return r.rental_usd + r.power_usd + r.api_usd + r.stack_usd


def capital_cost(r) -> float:
    """Capital counted in the cost of ownership on the plan's cost basis (the capital
    charge on the annuity basis, the purchases on a cash basis) plus expansions."""
    return r.capital_cost_usd + r.expansion_usd


def credits(r) -> float:
    return r.resale_usd + r.residual_credit_usd


def spend_by_year(result: PlanResult, inp: PlanInput | None = None) -> list[YearSpend]:
    budgets = {str(b.year): b for b in (inp.budgets if inp is not None else ())}
    sums: dict[str, list[float]] = {}
    for r in sorted(result.cashflow, key=lambda r: quarter_key(r.quarter)):
        s = sums.setdefault(year_of(r.quarter), [0.0] * 6)
        s[0] += capex(r)
        s[1] += opex(r)
        s[2] += r.resale_usd
        s[3] += r.residual_credit_usd
        s[4] += r.penalty_usd
        s[5] += r.discounted_cost_usd
    out = []
    for year, v in sums.items():
        b = budgets.get(year)
        out.append(YearSpend(year, *v, capex_budget_usd=b.capex_usd if b else None,
                             opex_budget_usd=b.opex_usd if b else None))
    return out


def budget_overruns(result: PlanResult, inp: PlanInput) -> list[str]:
    """Plain sentences for each year whose spend exceeds its budget (by more than $1),
    with the amount over and its penalty (budget_overrun_penalty_usd_per_usd)."""
    out = []
    price = inp.settings.budget_overrun_penalty_usd_per_usd
    for y in spend_by_year(result, inp):
        for kind, spent, limit in (("capital", y.capex_usd, y.capex_budget_usd),
                                   ("operating", y.opex_usd, y.opex_budget_usd)):
            if limit is not None and spent > limit + 1.0:
                over = spent - limit
                out.append(f"{y.year}: {kind} spend ${spent:,.0f} exceeds its budget "
                           f"${limit:,.0f} by ${over:,.0f}; budget-overrun penalty "
                           f"${over * price:,.0f} undiscounted (${price:g} per $ over)")
    return out


def unmet_by_year(result: PlanResult) -> dict[str, tuple[float, float]]:
    """Year -> (unmet, demanded) inference tokens/day summed over its quarters."""
    out: dict[str, list[float]] = {}
    for r in sorted(result.capacity, key=lambda r: quarter_key(r.quarter)):
        s = out.setdefault(year_of(r.quarter), [0.0, 0.0])
        s[0] += r.unmet_tokens_per_day
        s[1] += r.demand_tokens_per_day
    return {y: (u, d) for y, (u, d) in out.items()}


def training_user(run: str) -> str:
    return f"training: {run}"


def _chip_use(result: PlanResult) -> dict[str, dict[str, float]]:
    """Chips allocated per quarter per user ("training: run" for training)."""
    use: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for a in result.allocation:
        use[a.quarter][a.workload] += max(a.chips, 0.0)
    for t in result.training:
        use[t.quarter][training_user(t.run)] += max(t.chips, 0.0)
    return use


def _split(cost: float, weights: dict[str, float], quarter: str,
           into: dict[tuple[str, str], float]) -> bool:
    total = sum(weights.values())
    if total <= 0:
        return False
    for user, weight in weights.items():
        into[quarter, user] += cost * weight / total
    return True


def _chip_use_by_type(result: PlanResult) -> dict[tuple[str, str], dict[str, float]]:
    """Chips allocated per (quarter, chip type) per user ("training: run" for training)."""
    use: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for a in result.allocation:
        use[a.quarter, a.chip][a.workload] += max(a.chips, 0.0)
    for t in result.training:
        use[t.quarter, t.chip][training_user(t.run)] += max(t.chips, 0.0)
    return use


def _purchase_price(result: PlanResult, inp: PlanInput) -> dict[str, float]:
    """Price per chip by type: the mean the plan paid, else the Chips sheet's price."""
    paid: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in result.purchases:
        paid[r.chip][0] += r.total_usd
        paid[r.chip][1] += r.quantity
    out = {o.chip: o.purchase_usd_per_chip for o in inp.chips if o.purchase_usd_per_chip}
    out.update({c: v / n for c, (v, n) in paid.items() if n > 0})
    return out


def _spread(total: float, weights: dict[tuple[str, str], float],
            into: dict[tuple[str, str], float]) -> bool:
    """Add ``total`` to ``into`` in proportion to ``weights`` (False when they are all 0)."""
    w = sum(weights.values())
    if w <= 0:
        return False
    for key, x in weights.items():
        into[key] += total * x / w
    return True


def _type_pools(result: PlanResult, inp: PlanInput) -> tuple[dict[tuple[str, str], float],
                                                               dict[str, float]]:
    """Each quarter's cost by chip type (COST_METHOD), and what could not be put on a type
    (per quarter): power with no owned kW, capital with no owned chip, stacks."""
    pools: dict[tuple[str, str], float] = defaultdict(float)
    rest: dict[str, float] = defaultdict(float)
    index = {q: i for i, q in enumerate(result.periods)}
    rent: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for r in result.rentals:
        for q in result.periods[index[r.quarter]:index[r.quarter] + r.term_quarters]:
            rent[q][q, r.chip] = rent[q].get((q, r.chip), 0.0) + r.total_usd / r.term_quarters
    for r in result.cashflow:  # the quarter's rental as booked, shared by the types rented
        if not _spread(r.rental_usd, rent.get(r.quarter, {}), pools):
            rest[r.quarter] += r.rental_usd
    kw, price = chip_kw(inp), _purchase_price(result, inp)
    owned_kw: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    capital_weight: dict[tuple[str, str], float] = defaultdict(float)
    for f in result.fleet:
        if f.ownership == "owned":
            key = (f.quarter, f.chip)
            owned_kw[f.quarter][key] = owned_kw[f.quarter].get(key, 0.0) + f.quantity * kw.get(f.chip, 0.0)
            capital_weight[key] += f.quantity * price.get(f.chip, 0.0)
    net_capital = sum(capital_cost(r) + r.stack_usd - credits(r) for r in result.cashflow)
    for r in result.cashflow:
        if not _spread(r.power_usd, owned_kw.get(r.quarter, {}), pools):
            rest[r.quarter] += r.power_usd
    if not _spread(net_capital, capital_weight, pools):
        for r in result.cashflow:
            rest[r.quarter] += capital_cost(r) + r.stack_usd - credits(r)
    return pools, rest


def allocated_cost(result: PlanResult, inp: PlanInput
                   ) -> tuple[dict[tuple[str, str], float], float]:
    """Cost allocated per (quarter, user) by COST_METHOD, and the cost left unallocated
    (only when no chip is in use at all).  Users are workloads and "training: run"."""
    use, by_type = _chip_use(result), _chip_use_by_type(result)
    overall: dict[str, float] = defaultdict(float)
    for weights in use.values():
        for user, chips in weights.items():
            overall[user] += chips
    cost: dict[tuple[str, str], float] = defaultdict(float)
    for api in result.api_usage:
        cost[api.quarter, api.workload] += api.total_usd
    unallocated = sum(r.api_usd for r in result.cashflow) - sum(cost.values())
    pools, rest = _type_pools(result, inp)
    for (quarter, chip), spend in pools.items():
        if not _split(spend, by_type.get((quarter, chip), {}), quarter, cost):
            rest[quarter] += spend
    for quarter, spend in rest.items():
        if not (_split(spend, use.get(quarter, {}), quarter, cost)
                or _split(spend, overall, quarter, cost)):
            unallocated += spend
    return dict(cost), unallocated


def users(result: PlanResult, inp: PlanInput, cost_users) -> list[tuple[str, str]]:
    """(user, kind) in report order: the input's workloads, other workloads seen in the
    plan, then training runs."""
    seen = list(dict.fromkeys([c.workload for c in result.capacity] + list(cost_users)))
    names = [w.name for w in inp.workloads]
    names += [n for n in seen if n not in names and not n.startswith("training: ")]
    runs = [training_user(run.name) for run in inp.training]
    runs += [u for u in seen if u.startswith("training: ") and u not in runs]
    runs += [training_user(t.run) for t in result.training
             if training_user(t.run) not in runs]
    return [(n, "inference") for n in names] + [(r, "training") for r in dict.fromkeys(runs)]


def cost_per_user(result: PlanResult, inp: PlanInput) -> tuple[list[UserCost], float]:
    """Allocated cost per workload and training run over the horizon, and the cost left
    unallocated (only when no chip is in use at all)."""
    days = inp.settings.hours_per_quarter / 24.0
    by_quarter, unallocated = allocated_cost(result, inp)
    cost: dict[str, float] = defaultdict(float)
    for (_quarter, user), value in by_quarter.items():
        cost[user] += value
    demand: dict[str, float] = defaultdict(float)
    served: dict[str, float] = defaultdict(float)
    for c in result.capacity:
        demand[c.workload] += c.demand_tokens_per_day * days
        served[c.workload] += c.served_tokens_per_day * days
    rows = [UserCost(u, kind, demand[u], served[u], cost.get(u, 0.0))
            for u, kind in users(result, inp, cost)]
    return rows, unallocated


def training_shortfalls(result: PlanResult, inp: PlanInput) -> list[tuple[str, float]]:
    """Training runs scheduled for less than all of their work: (run, share scheduled)."""
    done: dict[str, float] = defaultdict(float)
    for t in result.training:
        done[t.run] += t.share_of_run
    return [(run.name, done[run.name]) for run in inp.training if done[run.name] < 0.999]
