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

COST_METHOD = (
    "Method: API spend goes to the workload that bought the tokens.",
    ("Net capital (chips on the plan's cost basis: their capital charge, or purchases less "
     "the residual credit; site expansions and software stacks; less resale) is spread over "
     "the quarters by owned chips in service."),
    ("Each quarter's share, with its rental and power, is split among workloads and training "
    "runs by the chips allocated to them."),
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


def _shared_cost_by_quarter(result: PlanResult) -> dict[str, float]:
    """Each quarter's cost to share by chip use: rental and power as booked, plus net
    capital spread by owned chips in service (as booked when no chip is owned)."""
    owned: dict[str, float] = defaultdict(float)
    for f in result.fleet:
        if f.ownership == "owned":
            owned[f.quarter] += f.quantity
    net_capital = sum(capital_cost(r) + r.stack_usd - credits(r) for r in result.cashflow)
    total_owned = sum(owned.values())
    out = {}
    for r in result.cashflow:
        running = r.rental_usd + r.power_usd
        if total_owned > 0:
            running += net_capital * owned.get(r.quarter, 0.0) / total_owned
        else:
            running += capital_cost(r) + r.stack_usd - credits(r)
        out[r.quarter] = running
    return out


def allocated_cost(result: PlanResult) -> tuple[dict[tuple[str, str], float], float]:
    """Cost allocated per (quarter, user) by COST_METHOD, and the cost left unallocated
    (only when no chip is in use at all).  Users are workloads and "training: run"."""
    use = _chip_use(result)
    overall: dict[str, float] = defaultdict(float)
    for weights in use.values():
        for user, chips in weights.items():
            overall[user] += chips
    cost: dict[tuple[str, str], float] = defaultdict(float)
    for api in result.api_usage:
        cost[api.quarter, api.workload] += api.total_usd
    unallocated = sum(r.api_usd for r in result.cashflow) - sum(cost.values())
    for quarter, spend in _shared_cost_by_quarter(result).items():
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
    by_quarter, unallocated = allocated_cost(result)
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
