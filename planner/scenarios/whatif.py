"""What-if analysis: the base and every scenario solved, and the regret matrix.

Regret of the plan made for scenario *i* under scenario *j*: the plan's first-year
commitments (purchases, reserved rentals, expansions ordered in the first four quarters;
:data:`planner.domain.FIRST_STAGE`) are fixed and scenario *j* re-solved for the rest;
regret is that cost minus scenario *j*'s own optimum.  Costs here are objectives
(discounted cost including the priced shortfall), since a committed plan may leave
demand unmet, and that must count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from planner.domain import FIRST_STAGE, CostBreakdown, FixedDecisions, PlanInput
from planner.domain.estimates import Estimates
from planner.domain.names import normalise
from planner.domain.scenarios import BASE, ScenarioSpec
from planner.domain.status import Termination
from planner.scenarios.jobs import DEFAULT_OPTIONS, Job, Outcome, SolveOptions
from planner.scenarios.overrides import apply_scenario
from planner.scenarios.runner import executor, run_jobs

FIRST_YEAR_QUARTERS = 4


@dataclass(frozen=True)
class RegretCell:
    plan_for: str
    scenario: str
    cost_usd: float | None
    own_usd: float | None
    regret_usd: float | None
    clamped: bool = False
    note: str = ""
    costs: CostBreakdown | None = None      # the plan evaluated under the scenario
    own_costs: CostBreakdown | None = None  # the scenario's own optimum

    @property
    def regret_cost_of_ownership_usd(self) -> float | None:
        """The part of the regret that is real money (NPV)."""
        if self.regret_usd is None or self.costs is None or self.own_costs is None:
            return None
        return self.costs.cost_of_ownership_usd - self.own_costs.cost_of_ownership_usd

    @property
    def regret_penalties_usd(self) -> float | None:
        """The part of the regret that is penalties (priced shortfalls, NPV)."""
        money = self.regret_cost_of_ownership_usd
        return None if money is None else self.regret_usd - money


@dataclass
class WhatIf:
    inp: PlanInput
    cases: list[ScenarioSpec]
    optima: dict[str, Outcome]
    evaluations: dict[tuple[str, str], Outcome] = field(default_factory=dict)
    through: str = ""
    mip_gap: float = 0.0

    @property
    def outcomes(self) -> list[Outcome]:
        return list(self.optima.values()) + list(self.evaluations.values())


def cases_of(inp: PlanInput) -> list[ScenarioSpec]:
    """The base (the workbook as it is) then every scenario of the Scenarios sheet."""
    return [BASE] + [s for s in inp.scenarios if normalise(s.name) != "base"]


def optimum_jobs(inp: PlanInput, cases: list[ScenarioSpec], options: SolveOptions,
                 kind: str = "optimum") -> list[Job]:
    return [Job(f"{kind}:{c.name}", kind, c, inp, options) for c in cases]


def first_stage(outcome: Outcome, through: str) -> FixedDecisions:
    return FixedDecisions.from_plan(outcome.result, through=through, kinds=FIRST_STAGE)


def evaluation_jobs(inp: PlanInput, cases: list[ScenarioSpec], plans: dict[str, Outcome],
                    through: str, options: SolveOptions, kind: str = "regret") -> list[Job]:
    """Each plan's first stage fixed under every other scenario (plans without a plan
    are skipped: their row of the matrix is empty)."""
    jobs = []
    for name, plan in plans.items():
        if not plan.has_plan or plan.result is None:
            continue
        fixed = first_stage(plan, through)
        for c in cases:
            if c.name != name:
                jobs.append(Job(f"{kind}:{name}->{c.name}", kind, c, inp, options, fixed,
                                plan_from=name, keep_result=False))
    return jobs


def run_whatif(inp: PlanInput, options: SolveOptions = DEFAULT_OPTIONS, *,
               workers: int | None = None, scheduler: str | None = None,
               progress: Callable[[str], None] = lambda _m: None,
               estimates: Estimates | None = None) -> WhatIf:
    """Solve the base and every scenario, then every plan's first year under every
    other scenario."""
    cases = cases_of(inp)
    through = str(inp.periods[0].shift(FIRST_YEAR_QUARTERS))
    gap = inp.settings.mip_gap if options.mip_gap is None else options.mip_gap
    with executor(workers, scheduler) as pool:
        progress(f"solving the base and {len(cases) - 1} scenario(s)")
        optima = run_jobs(optimum_jobs(inp, cases, options), pool, progress, estimates)
        by_name = {c.name: o for c, o in zip(cases, optima)}
        jobs = evaluation_jobs(inp, cases, by_name, through, options)
        progress(f"regret: {len(jobs)} solves with a plan's first year fixed")
        evaluated = run_jobs(jobs, pool, progress, estimates)
    evaluations = {(o.plan_from, o.scenario): o for o in evaluated}
    return WhatIf(inp, cases, by_name, evaluations, through, gap)


def _tolerance(w: WhatIf, *outs: Outcome) -> float:
    gap = max([w.mip_gap] + [o.gap for o in outs if o.gap is not None])
    return gap * max(abs(o.objective_usd or 0.0) for o in outs)


def _cell(w: WhatIf, plan_for: str, scenario: str) -> RegretCell:
    own = w.optima[scenario]
    own_cost = own.objective_usd if own.has_plan else None
    if plan_for == scenario:
        return RegretCell(plan_for, scenario, own_cost, own_cost,
                          0.0 if own_cost is not None else None, costs=own.costs,
                          own_costs=own.costs)
    ev = w.evaluations.get((plan_for, scenario))
    return replace(_cross_cell(w, plan_for, scenario, own, own_cost, ev),
                   costs=ev.costs if ev is not None else None, own_costs=own.costs)


def _cross_cell(w: WhatIf, plan_for: str, scenario: str, own: Outcome,
                own_cost: float | None, ev: Outcome | None) -> RegretCell:
    if ev is not None and ev.termination == Termination.INFEASIBLE:
        return RegretCell(plan_for, scenario, None, own_cost, None,
                          note="infeasible: its first-year commitments cannot be carried out "
                               "here" + power_hint(w, plan_for, scenario))
    if ev is None or not ev.has_plan or own_cost is None:
        why = "no plan to evaluate" if ev is None else (ev.message or ev.termination)
        if ev is not None and ev.has_plan:
            why = f"scenario {scenario} has no plan of its own"
        return RegretCell(plan_for, scenario, ev.objective_usd if ev else None, own_cost,
                          None, note=f"n/a: {why}")
    raw = ev.objective_usd - own_cost
    note = f"{ev.dropped} commitment(s) impossible here dropped" if ev.dropped else ""
    if raw < 0 <= raw + _tolerance(w, ev, own):
        return RegretCell(plan_for, scenario, ev.objective_usd, own_cost, 0.0, True,
                          "; ".join(x for x in (note, f"{raw:,.0f} within the solver gap, set to 0")
                                    if x))
    if raw < 0:
        note = "; ".join(x for x in (note, "below the scenario's own solve: not optimal") if x)
    return RegretCell(plan_for, scenario, ev.objective_usd, own_cost, raw, note=note)


def power_hint(w: WhatIf, plan_for: str, scenario: str) -> str:
    """'; its chips at us-east need 271 kW in 2027Q3, the scenario allows 250 kW' when the
    plan's power use exceeds one of the scenario's caps (the usual reason), else ''."""
    plan = w.optima[plan_for].result
    spec = next((c for c in w.cases if c.name == scenario), None)
    if plan is None or spec is None:
        return ""
    sites = {s.name: s for s in apply_scenario(w.inp, spec).sites}
    for r in sorted(plan.power, key=lambda r: (r.quarter, r.site)):
        site = sites.get(r.site)
        if site is None or r.quarter not in plan.periods:
            continue
        cap = site.cap_kw(plan.periods.index(r.quarter))
        if r.facility_power_kw > cap * (1 + 1e-6) + 1e-6:
            return (f"; its chips at {r.site} need {r.facility_power_kw:,.0f} kW in {r.quarter}, "
                    f"the scenario allows {cap:,.0f} kW")
    return ""


def regret_matrix(w: WhatIf) -> list[RegretCell]:
    """One cell per (plan made for, scenario evaluated), rows in case order."""
    names = [c.name for c in w.cases]
    return [_cell(w, i, j) for i in names for j in names]


def purchases_by_chip_year(w: WhatIf) -> list[tuple[str, str, int, int, float]]:
    """(scenario, chip, year ordered, chips, USD) from each scenario's own plan."""
    rows = []
    for c in w.cases:
        out = w.optima[c.name]
        if out.result is None:
            continue
        agg: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0.0])
        for r in out.result.purchases:
            key = (r.chip, int(r.quarter_ordered[:4]))
            agg[key][0] += r.quantity
            agg[key][1] += r.total_usd
        rows += [(c.name, chip, year, int(v[0]), v[1]) for (chip, year), v in sorted(agg.items())]
    return rows
