"""A greedy baseline: what an operations team would plan by hand, quarter by quarter.

The plan is costed with the MIP's own parameters (``planner.optimize.prepare``: prices
after declines, capacities a_{w,c}, power caps K_{s,t}, lead times, availability, supply
caps, existing fleet, reserved prices, gang sizes and durations) and the objective of
docs/model.md (``planner/optimize/cost_terms.py``): mid-quarter discounting, the cost
basis for purchases (annuity charges, or the residual credit at the horizon end), power at
rated kW x PUE x power_draw_fraction for owned chips, rentals x hours per quarter, reserved terms charged
only inside the horizon, existing chips sunk, unmet demand and undone runs at their
penalties, budget overruns at omega per dollar.

The heuristic, in the order an ops team would work:

1. **Training**: each run gets one gang of its cheapest rentable chip in the cloud,
   started in the quarter of its window that costs least (the MIP may also place gangs
   on owned chips).
2. **Each quarter**, owned chips in service are assigned to workloads in order of the
   rental dollars a chip displaces (a_{w,c} times the workload's cheapest rental cost per
   token); what is left short is covered workload by workload (largest dollar shortfall
   first) by
   * **buying** the chip and site with the lowest ratio of ownership cost (price at the
     order quarter t - l_c, power over its service life in the horizon, less residual
     credit) to the rental it displaces over that life, when that ratio is below 1, the
     site has power (and slot) headroom over the chip's whole service life, the supply
     cap of the order quarter and the year's capital budget allow;
   * else **renting** the chip with the lowest rental cost per token (whole chips per
     chip type, rounded up once over all workloads);
   * else leaving it **unmet** (priced).
3. **Reserved terms**: the rental profile of each chip is covered by 3-year or 1-year
   reservations wherever a reservation's discount outweighs the quarters it would idle.

Chips are never sold early (the MIP may sell them).  APIs, expansions and software stacks
are not used (the generator creates none).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from planner.domain import PlanInput, ThroughputEstimate, TrainingEstimate
from planner.optimize.parameters import Parameters, prepare

EPS = 1e-9

#: Purchase policies tried (the cheapest plan is kept): rank buy options by cost ratio or
#: by saving per kW; ``wait`` > 0 bridges with rentals instead of installing a chip whose
#: saving per kW is below that share of the best one deliverable within a year.
POLICIES = (("ratio", 0.0), ("density", 0.0), ("ratio", 0.5), ("density", 0.5))


@dataclass
class GreedyPlan:
    """The greedy's decisions and their discounted cost (docs/model.md objective).

    Keys follow planner.optimize.variables: ``buys[c, s, o]`` chips ordered in quarter o,
    ``rent[c, t]`` on-demand chips, ``reserve[c, k, t]`` chips reserved for k quarters
    from t, ``alloc[w, c, t]`` chips serving w, ``unmet[w, t]`` tokens/day short,
    ``gangs[r] = (chip, gang chips, "cloud", start)``, ``unmet_train[r]`` in [0, 1], ``fleet[c, s, t]``
    owned chips in service (existing included).
    """

    params: Parameters
    buys: dict[tuple[str, str, int], int] = field(default_factory=dict)
    rent: dict[tuple[str, int], int] = field(default_factory=dict)
    reserve: dict[tuple[str, int, int], int] = field(default_factory=dict)
    alloc: dict[tuple[str, str, int], float] = field(default_factory=dict)
    unmet: dict[tuple[str, int], float] = field(default_factory=dict)
    gangs: dict[str, tuple[str, int, str, int]] = field(default_factory=dict)
    unmet_train: dict[str, float] = field(default_factory=dict)
    fleet: dict[tuple[str, str, int], int] = field(default_factory=dict)
    costs: dict[str, float] = field(default_factory=dict)
    policy: str = ""

    @property
    def cost(self) -> float:
        """Discounted total, penalties included (comparable with the MIP objective)."""
        return sum(self.costs.values())

    def rented(self, c: str, t: int) -> int:
        """Chips of c rented in t: on demand plus reserved terms covering t."""
        n = self.rent.get((c, t), 0)
        for (c2, k, start), m in self.reserve.items():
            if c2 == c and start <= t < start + k:
                n += m
        return n

    def facility_kw(self, s: str, t: int) -> float:
        p = self.params
        return sum(p.power_kw[c] * p.site_pue[s] * n for (c, s2, t2), n in self.fleet.items()
                   if s2 == s and t2 == t)


class _Greedy:
    def __init__(self, p: Parameters, rank: str = "ratio", wait: float = 0.0) -> None:
        self.p = p
        self.rank = rank          # "ratio": cost / rental displaced; "density": saving per kW
        self.wait = wait          # rent instead of buying a chip below this share of the best
                                  # saving per kW deliverable within a year
        self.T = p.horizon
        self.H = p.hours_per_quarter
        self.plan = GreedyPlan(params=p)
        self.fleet = defaultdict(int)                 # (c, s, t) -> owned chips in service
        self.kw_used = defaultdict(float)             # (s, t) -> facility kW
        self.slots_used = defaultdict(int)            # (s, t) -> chips
        self.supply_used = defaultdict(int)           # (c, o) -> chips ordered
        self.capex = defaultdict(float)               # year -> nominal capital
        self.to_rent = {w: [0.0] * self.T for w in p.workloads}  # tokens/day left to rent
        self.rent_train = defaultdict(int)            # (c, t) -> whole chips for gangs
        self.buyable = sorted({c for (c, _o) in p.buy_price_usd if c in p.power_kw})
        # Cheapest hourly rate a chip can be rented at (reserved when offered): what an
        # ops team compares ownership with.
        self.rate = {c: min([h] + [hk for (c2, _k), hk in p.reserved_usd_per_hour.items() if c2 == c])
                     for c, h in p.rent_usd_per_hour.items()}
        self.cap = {(w, c): a for (w, c), a in p.capacity.items() if p.stack_allowed(w, c)}
        self.chips_for = defaultdict(list)
        for (w, c) in self.cap:
            self.chips_for[w].append(c)
        # alt[w][t]: discounted $ per (token/day) for a quarter by the cheapest rental, or unmet.
        self.alt = {}
        self.rent_choice = {}
        for w in p.workloads:
            rentable = [c for c in self.chips_for[w] if c in p.rent_usd_per_hour]
            best = min(rentable, key=lambda c: self.rate[c] / self.cap[w, c], default=None)
            self.rent_choice[w] = best
            per_token = (self.rate[best] * self.H / self.cap[w, best]) if best else math.inf
            self.alt[w] = [p.discount[t] * min(per_token, p.unmet_usd_per_token_day)
                           for t in range(self.T)]
        self.alt_sum = {w: _prefix(x) for w, x in self.alt.items()}
        self.energy_sum = {s: _prefix([p.discount[t] * p.site_usd_per_kwh[s, t] for t in range(self.T)])
                           for s in p.sites}
        self.best_density = self._roadmap() if wait > 0 else {}

    # ---------------------------------------------------------------- fleet bookkeeping
    def _add_cohort(self, c: str, s: str, delivered: int, n: int) -> None:
        p = self.p
        for t in p.alive_range(c, delivered):
            self.fleet[c, s, t] += n
            self.kw_used[s, t] += n * p.power_kw[c] * p.site_pue[s]
            self.slots_used[s, t] += n

    def _headroom(self, c: str, s: str, delivered: int) -> int:
        """Chips of c that fit at s in every quarter of their service life."""
        p = self.p
        per_chip = p.power_kw[c] * p.site_pue[s]
        most = math.inf
        for t in p.alive_range(c, delivered):
            most = min(most, (p.site_cap_kw[s, t] - self.kw_used[s, t]) / per_chip + 1e-9)
            if s in p.site_slots:
                most = min(most, p.site_slots[s] - self.slots_used[s, t])
        return max(0, math.floor(most)) if most != math.inf else 0

    def _ownership_cost(self, c: str, s: str, o: int) -> float:
        """Discounted cost of one chip ordered in o: its capital on the cost basis (annuity
        charges, or price - residual credit) + power."""
        p = self.p
        delivered = p.delivered(c, o)
        price = p.buy_price_usd[c, o]
        alive = p.alive_range(c, delivered)
        energy = self.energy_sum[s][alive.stop] - self.energy_sum[s][alive.start]
        power = energy * self.H * p.power_draw_fraction * p.site_pue[s] * p.power_kw[c]
        if p.cost_basis == "annuity":  # CRF x price in each quarter in service
            return sum(p.discount[t] for t in alive) * p.capital_recovery(c) * price + power
        residual = p.discount[self.T - 1] * price * p.residual_delivered(c, delivered)
        return p.discount[o] * price + power - residual

    def _value(self, w: str, c: str, delivered: int) -> float:
        """Rental dollars one chip of c displaces for w over its service life."""
        alive = self.p.alive_range(c, delivered)
        return self.cap[w, c] * (self.alt_sum[w][alive.stop] - self.alt_sum[w][alive.start])

    def _density(self, w: str, c: str, s: str, o: int) -> float:
        """Saving per facility kW-quarter of buying c at s in o for w."""
        p = self.p
        delivered = p.delivered(c, o)
        quarters = len(p.alive_range(c, delivered))
        saving = self._value(w, c, delivered) - self._ownership_cost(c, s, o)
        return saving / (p.power_kw[c] * p.site_pue[s] * quarters)

    def _roadmap(self) -> dict[str, list[float]]:
        """best_density[w][t]: the best saving per kW-quarter among chips deliverable in
        quarters t .. t+4 (the vendor roadmap for the next year)."""
        p = self.p
        by_delivery = {w: [0.0] * self.T for w in p.workloads}
        for (c, o) in p.buy_price_usd:
            if c not in self.buyable:
                continue
            t = p.delivered(c, o)
            for w in p.workloads:
                if (w, c) in self.cap:
                    best = max(self._density(w, c, s, o) for s in p.sites)
                    by_delivery[w][t] = max(by_delivery[w][t], best)
        return {w: [max(d[t:t + 5]) for t in range(self.T)] for w, d in by_delivery.items()}

    def _capex_room(self, o: int) -> float:
        year = self.p.years[o]
        if year not in self.p.capex_budget:
            return math.inf
        return self.p.capex_budget[year] - self.capex[year]

    # ---------------------------------------------------------------- decisions
    def train(self) -> None:
        p = self.p
        for r in p.runs:
            best = None
            for (r2, c, chips), q in p.train_quarters.items():
                if r2 != r or c not in p.rent_usd_per_hour or not p.stack_allowed(r, c):
                    continue
                window = p.train_window[r]
                for start in window[: len(window) - q + 1]:
                    cost = sum(p.discount[t] for t in range(start, start + q)) \
                        * chips * p.rent_usd_per_hour[c] * self.H
                    if best is None or cost < best[0]:
                        best = (cost, c, chips, start)
            penalty = p.discount[p.train_window[r][-1]] * p.train_penalty_usd[r]
            if best is None or best[0] >= penalty:
                self.plan.unmet_train[r] = 1.0
                continue
            _, c, chips, start = best
            self.plan.gangs[r] = (c, chips, "cloud", start)
            for t in range(start, start + p.train_quarters[r, c, chips]):
                self.rent_train[c, t] += chips

    def existing(self) -> None:
        for (c, s, d), n in self.p.existing.items():
            self._add_cohort(c, s, d, n)

    def quarter(self, t: int) -> None:
        p, plan = self.p, self.plan
        short = {w: p.demand[w, t] for w in p.workloads}
        free = {c: float(sum(self.fleet.get((c, s, t), 0) for s in p.sites)) for c in p.chips}
        # 1. owned chips to the workloads where they displace the most rental dollars
        pairs = sorted(self.cap, key=lambda wc: -self.cap[wc] * self.alt[wc[0]][t])
        for (w, c) in pairs:
            self._assign(w, c, t, short, free)
        # 2. buy or rent what is still short, largest dollar shortfall first
        for w in sorted(p.workloads, key=lambda w: -short[w] * self.alt[w][t]):
            if short[w] <= EPS:
                continue
            for c in sorted(self.chips_for[w], key=lambda c: -self.cap[w, c]):
                self._assign(w, c, t, short, free)      # spare chips bought this quarter
            while short[w] > EPS and self._buy(w, t, short, free):
                pass
            if short[w] > EPS and self.rent_choice[w] is not None \
                    and self.alt[w][t] < p.discount[t] * p.unmet_usd_per_token_day:
                self.to_rent[w][t] = short[w]
                short[w] = 0.0
            if short[w] > EPS:
                plan.unmet[w, t] = short[w]

    def _assign(self, w: str, c: str, t: int, short: dict, free: dict) -> None:
        if short[w] <= EPS or free.get(c, 0.0) <= EPS:
            return
        a = self.cap[w, c]
        chips = min(free[c], short[w] / a)
        free[c] -= chips
        short[w] -= chips * a
        if short[w] < EPS * max(1.0, self.p.demand[w, t]):
            short[w] = 0.0
        self.plan.alloc[w, c, t] = self.plan.alloc.get((w, c, t), 0.0) + chips

    def _buy(self, w: str, t: int, short: dict, free: dict) -> bool:
        """Buy the best-value chip for w delivered in t; False when none is worth it."""
        p = self.p
        best = None
        for c in self.chips_for[w]:
            if c not in self.buyable:
                continue
            o = t - p.lead_quarters[c]
            if o < 0 or (c, o) not in p.buy_price_usd:
                continue
            supply = p.supply_cap.get(c, math.inf) - self.supply_used[c, o]
            budget = self._capex_room(o) / p.buy_price_usd[c, o]
            if supply < 1 or budget < 1:
                continue
            value = self._value(w, c, t)
            for s in p.sites:
                ratio = self._ownership_cost(c, s, o) / value
                if ratio >= 1:
                    continue
                density = self._density(w, c, s, o)
                if self.wait and density < self.wait * self.best_density[w][t]:
                    continue                  # bridge with rentals until better chips arrive
                key = ratio if self.rank == "ratio" else -density
                if best is not None and key >= best[0]:
                    continue
                room = self._headroom(c, s, t)
                if room >= 1:
                    best = (key, ratio, c, s, o, int(min(room, supply, budget)))
        if best is None:
            return False
        _key, ratio, c, s, o, most = best
        needed = short[w] / self.cap[w, c]
        n = math.floor(needed + EPS)
        if needed - n > ratio:          # the last, partly used chip still pays for itself
            n += 1
        n = min(n, most)
        if n < 1:
            return False
        self.plan.buys[c, s, o] = self.plan.buys.get((c, s, o), 0) + n
        self.supply_used[c, o] += n
        self.capex[p.years[o]] += n * p.buy_price_usd[c, o]
        self._add_cohort(c, s, t, n)
        free[c] = free.get(c, 0.0) + n
        self._assign(w, c, t, short, free)
        return True

    def rentals(self, pooled: bool) -> None:
        """Cover the rental need with reserved terms and on-demand chips, then round to
        whole chips per chip type.

        ``pooled``: each workload rents its chip with the cheapest (reserved) rate per
        token, and each chip type's pooled profile is covered; otherwise each workload's
        profile is covered on its own, choosing chip and term level by level.  The plan
        keeps whichever is cheaper (see :func:`build_greedy_plan`).
        """
        p = self.p
        od = defaultdict(float)                       # (c, t) -> chips on demand
        res = defaultdict(float)                      # (c, k, start) -> chips reserved
        profiles: dict[str, list[float]] = defaultdict(lambda: [0.0] * self.T)
        for (c, t), n in self.rent_train.items():    # gangs: whole chips of one type
            profiles[c][t] += n
        for w in p.workloads:
            options = [(c, self.cap[w, c]) for c in self.chips_for[w] if c in p.rent_usd_per_hour]
            if pooled:
                c, a = min(options, key=lambda ca: self.rate[ca[0]] / ca[1], default=(None, 0))
                for t, x in enumerate(self.to_rent[w]):
                    if x > 0:
                        profiles[c][t] += x / a
                        self.plan.alloc[w, c, t] = self.plan.alloc.get((w, c, t), 0.0) + x / a
                continue
            for (c, k, start), chips in self._cover(self.to_rent[w], options, w).items():
                if k == 0:
                    od[c, start] += chips
                else:
                    res[c, k, start] += chips
        for c, need in profiles.items():
            need = [float(math.ceil(x - 1e-7)) for x in need]      # whole chips first
            for (c2, k, start), chips in self._cover(need, [(c, 1.0)], None).items():
                if k == 0:
                    od[c2, start] += chips
                else:
                    res[c2, k, start] += chips
        # whole chips: reserved terms rounded up; their spare chips absorb on-demand need
        spare = defaultdict(float)
        for (c, k, start), x in res.items():
            n = math.ceil(x - 1e-7)
            if n > 0:
                self.plan.reserve[c, k, start] = n
                for t in range(start, min(self.T, start + k)):
                    spare[c, t] += n - x
        for (c, t), x in od.items():
            n = math.ceil(x - spare[c, t] - 1e-7)
            if n > 0:
                self.plan.rent[c, t] = n

    def _cover(self, need: list[float], options: list[tuple[str, float]], w: str | None) -> dict:
        """Chips per (chip, term, start) covering ``need`` (units per quarter; a unit is
        ``a`` per chip of each option), term 0 meaning on demand.

        Units are stacked in levels: the unit at level j is busy in quarter u if
        need_u >= j.  Going forward in time, the levels not yet covered in quarter t get
        the reserved term (and chip) that saves most over the cheapest on-demand chip
        in the quarters it is busy (terms past the horizon are charged only inside it,
        as in the MIP), or the cheapest on-demand chip for quarter t.
        """
        p, T, H = self.p, self.T, self.H
        need = list(need)
        out = defaultdict(float)
        if not options:
            return out
        od_chip, od_a = min(options, key=lambda ca: p.rent_usd_per_hour[ca[0]] / ca[1])
        od_rate = p.rent_usd_per_hour[od_chip] * H / od_a          # $ per unit-quarter
        terms = [(c, k, hk * H / a) for c, a in options
                 for (c2, k), hk in p.reserved_usd_per_hour.items() if c2 == c]
        longest = max((k for _, k, _ in terms), default=1)
        tol = 1e-9 * max(need + [1.0])
        for t in range(T):
            if need[t] <= tol:
                continue
            take = [0.0] * T
            lo = 0.0
            window_all = range(t, min(T, t + longest))
            for hi in sorted({need[u] for u in window_all if tol < need[u] < need[t]} | {need[t]}):
                best = None
                for c, k, rate in terms:
                    window = range(t, min(T, t + k))
                    saving = (od_rate * sum(p.discount[u] for u in window if need[u] >= hi - tol)
                              - rate * sum(p.discount[u] for u in window))
                    if saving > 0 and (best is None or saving > best[0]):
                        best = (saving, c, k, window)
                if best is None:
                    break            # higher levels are busy less often: none pays either
                _, c, k, window = best
                a = dict(options)[c]
                out[c, k, t] += (hi - lo) / a
                for u in window:
                    busy = max(0.0, min(need[u], hi) - lo)
                    take[u] += busy
                    if w is not None and busy > 0:
                        self.plan.alloc[w, c, u] = self.plan.alloc.get((w, c, u), 0.0) + busy / a
                lo = hi
            for u in range(T):
                need[u] -= take[u]
            if need[t] > tol:
                out[od_chip, 0, t] += need[t] / od_a
                if w is not None:
                    self.plan.alloc[w, od_chip, t] = self.plan.alloc.get((w, od_chip, t), 0.0) \
                        + need[t] / od_a
                need[t] = 0.0
        return out


def _prefix(xs: list[float]) -> list[float]:
    out = [0.0]
    for x in xs:
        out.append(out[-1] + x)
    return out


def _costs(plan: GreedyPlan) -> dict[str, float]:
    """Discounted cost per category, as planner/optimize/cost_terms.py writes the objective."""
    p = plan.params
    T, H, d = p.horizon, p.hours_per_quarter, p.discount
    nominal = defaultdict(float)            # (category, t) -> undiscounted $
    for (c, s, o), n in plan.buys.items():
        price = p.buy_price_usd[c, o]
        nominal["capital", o] += n * price  # cash: what the budget limits
        nominal["residual", T - 1] -= n * price * p.residual(c, o)
        for t in p.service_quarters(c, o):
            nominal["capital_charge", t] += n * p.capital_recovery(c) * price
    for (c, s, t), n in plan.fleet.items():
        nominal["power", t] += (n * p.site_usd_per_kwh[s, t] * H * p.power_draw_fraction
                                * p.site_pue[s] * p.power_kw[c])
    for (c, t), n in plan.rent.items():
        nominal["rental", t] += n * p.rent_usd_per_hour[c] * H
    for (c, k, start), n in plan.reserve.items():
        for t in range(start, min(T, start + k)):
            nominal["rental", t] += n * p.reserved_usd_per_hour[c, k] * H
    for (w, t), u in plan.unmet.items():
        nominal["unmet", t] += u * p.unmet_usd_per_token_day
    for r, v in plan.unmet_train.items():
        nominal["unmet", p.train_window[r][-1]] += v * p.train_penalty_usd[r]
    for kind, budget, cats in (("capex", p.capex_budget, ("capital",)),
                               ("opex", p.opex_budget, ("rental", "power"))):
        for year, limit in budget.items():
            quarters = [t for t in range(T) if p.years[t] == year]
            spent = sum(nominal[cat, t] for cat in cats for t in quarters)
            if spent > limit:
                nominal["overrun", quarters[-1]] += p.overrun_usd_per_usd * (spent - limit)
    counted = {"capital_charge"} if p.cost_basis == "annuity" else {"capital", "residual"}
    out = defaultdict(float)
    for (cat, t), x in nominal.items():
        if cat in counted or cat not in ("capital", "residual", "capital_charge"):
            out[cat] += d[t] * x
    return dict(out)


def build_greedy_plan(inp: PlanInput, throughput: dict[tuple[str, str], ThroughputEstimate],
                      training: dict[tuple[str, str], TrainingEstimate] | None = None) -> GreedyPlan:
    """The greedy plan for ``inp`` with its decisions and cost breakdown.

    The rental step is priced both ways (pooled per chip type, or per workload) and the
    cheaper plan is kept, as an ops team would compare two spreadsheets.
    """
    params = prepare(inp, throughput, training or {})
    best = None
    for rank, wait in POLICIES:
        for pooled in (True, False):
            g = _Greedy(params, rank, wait)
            g.existing()
            g.train()
            for t in range(g.T):
                g.quarter(t)
            g.rentals(pooled)
            g.plan.fleet = {k: n for k, n in g.fleet.items() if n > 0}
            g.plan.costs = _costs(g.plan)
            g.plan.policy = f"{rank}, wait {wait:g}, {'pooled' if pooled else 'per workload'}"
            if best is None or g.plan.cost < best.cost:
                best = g.plan
    return best


def greedy_plan(inp: PlanInput, throughput: dict[tuple[str, str], ThroughputEstimate],
                training: dict[tuple[str, str], TrainingEstimate] | None = None) -> float:
    """Discounted total cost of the greedy plan (penalties included, like the objective)."""
    return build_greedy_plan(inp, throughput, training).cost


def cost_in_mip(plan: GreedyPlan, solver: str = "highs") -> float | None:
    """The MIP's objective with the greedy's procurement fixed (buys, rentals, reserved
    terms, gangs; no early sales) and only allocation and unmet demand left free.

    A cross-check of :func:`_costs`: it can only be lower than ``plan.cost`` (the LP
    allocates the same fleet at least as well), and not by much.  Uses the optimizer's
    internals (``build_model`` and its variable dictionaries), so it is for tests and
    diagnosis, not for the benchmark table.
    """
    import pulp

    from planner.optimize.model import build_model
    from planner.optimize.solver import run_solver

    model = build_model(plan.params)
    v = model.variables

    def fix(var, value):
        var.lowBound = var.upBound = value

    for key, var in v.buy.items():
        fix(var, plan.buys.get(key, 0))
    for key, var in v.rent.items():
        fix(var, plan.rent.get(key, 0))
    for key, var in v.reserve.items():
        fix(var, plan.reserve.get(key, 0))
    for var in v.retire.values():
        fix(var, 0)
    for (r, c, chips, s, start), var in v.gang.items():
        fix(var, 1 if plan.gangs.get(r) == (c, chips, s, start) else 0)
    for var in model.prob.variables():
        if var.cat != pulp.LpContinuous:
            var.cat = pulp.LpContinuous
    outcome = run_solver(model.prob, solver, 600, 0.0)
    return outcome.objective
