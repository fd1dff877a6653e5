"""The hedged plan and what hedging is worth.

* expected cost and CVaR of the hedged plan (one shared first stage, recourse per scenario);
* the **value of the stochastic solution**: the expected cost, across scenarios, of the
  deterministic base plan's first stage fixed and the rest re-solved (EEV), minus the
  hedged plan's expected cost;
* the **expected value of perfect information**: the hedged expected cost minus the
  probability-weighted scenario optima (what knowing the future in advance would save).

All costs are objectives (discounted cost including the priced shortfall).  The solves
are independent jobs: the hedged program, the base plan and each scenario's optimum run
at once, then the base plan's first stage under each scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.domain import PlanInput, PlannerError
from planner.domain.estimates import Estimates
from planner.domain.names import normalise
from planner.domain.scenarios import BASE, ScenarioSpec
from planner.scenarios.jobs import DEFAULT_OPTIONS, Job, Outcome, SolveOptions
from planner.scenarios.runner import executor, run_jobs
from planner.scenarios.whatif import evaluation_jobs


@dataclass
class HedgeAnalysis:
    scenarios: list[ScenarioSpec]
    hedge: Outcome            # .extra is the HedgeResult
    base: Outcome             # the deterministic plan (the workbook as it is)
    optima: dict[str, Outcome]
    eev: dict[str, Outcome]   # base plan's first stage under each scenario
    first_stage_quarters: int
    cvar_weight: float
    alpha: float

    @property
    def outcomes(self) -> list[Outcome]:
        every = [self.hedge, self.base] + list(self.optima.values()) + list(self.eev.values())
        return list({id(o): o for o in every}.values())  # 'base' stands in several places

    @property
    def probabilities(self) -> dict[str, float]:
        return {s.name: s.probability for s in self.scenarios}

    def scenario_costs(self) -> dict[str, float]:
        """Each scenario's cost under the hedged plan (objective, discounted)."""
        result = self.hedge.extra
        if result is None or not result.scenarios:
            return {}
        return {n: plan.costs.objective_usd
                for n, plan in result.scenarios.items()}

    def _weighted(self, outs: dict[str, Outcome]) -> float | None:
        if any(s.name not in outs or not outs[s.name].has_plan for s in self.scenarios):
            return None
        return sum(s.probability * outs[s.name].objective_usd for s in self.scenarios)

    @property
    def expected_cost_usd(self) -> float | None:
        return self.hedge.objective_usd if self.hedge.has_plan else None

    @property
    def eev_usd(self) -> float | None:
        return self._weighted(self.eev)

    @property
    def wait_and_see_usd(self) -> float | None:
        return self._weighted(self.optima)

    @property
    def vss_usd(self) -> float | None:
        eev, hedged = self.eev_usd, self.expected_cost_usd
        return None if eev is None or hedged is None else eev - hedged

    @property
    def evpi_usd(self) -> float | None:
        ws, hedged = self.wait_and_see_usd, self.expected_cost_usd
        return None if ws is None or hedged is None else hedged - ws

    def eev_gaps(self) -> str:
        """Why EEV (and so VSS) is missing: the scenarios where the base plan's first stage
        cannot be carried out or was not solved; '' when it is known."""
        bad = [s.name for s in self.scenarios
               if s.name not in self.eev or not self.eev[s.name].has_plan]
        return ", ".join(bad)

    def expected_costs(self):
        """The hedged plan's expected cost of ownership and penalties (CostBreakdown)."""
        return self.hedge.costs

    def preface(self, shown: str) -> list[str]:
        """The hedged report's first lines: what hedging means here and what it is worth."""
        n = len(self.scenarios)
        probs = ", ".join(f"{s.name} {s.probability:.0%}" for s in self.scenarios)
        lines = [
            (f"HEDGED PLAN over {n} scenarios (two-stage stochastic): one set of commitments "
            f"for the first {self.first_stage_quarters} quarters (purchases, reserved rentals, "
            "expansions) shared by every scenario; later decisions chosen per scenario."),
            (f"Scenarios and probabilities: {probs}. The sheets below show the plan as it plays "
            f"out in scenario '{shown}'; Hedge and HedgeValue give every scenario."),
        ]
        costs = self.expected_costs()
        if costs is not None:
            lines.append(f"Expected cost (probability-weighted NPV): {costs.describe()} = "
                         f"${costs.objective_usd:,.0f}.")
        cv = self.cvar_usd()
        if cv is not None:
            lines.append(f"CVaR {self.alpha:.0%}: ${cv:,.0f}, the expected cost (incl. penalties) "
                         f"of the worst {1 - self.alpha:.0%} of outcomes (weight in the "
                         f"objective: {self.cvar_weight:g}).")
        lines.append(self._vss_words())
        if self.evpi_usd is not None:
            lines.append(f"EVPI: ${self.evpi_usd:,.0f}, what knowing the scenario in advance "
                         f"would save (hedged expected cost minus the probability-weighted "
                         f"scenario optima, ${self.wait_and_see_usd:,.0f}).")
        return lines

    def _vss_words(self) -> str:
        if self.vss_usd is None:
            return (f"VSS: not known: the base plan's first stage could not be evaluated in "
                    f"{self.eev_gaps()}; see Runs.")
        priced = [s.name for s in self.scenarios
                  if s.name in self.eev and self.eev[s.name].shortfall_priced]
        where = (f" In {', '.join(priced)} the base plan's first-stage chips cannot all be "
                 "powered or housed: they sit unused and the demand they would serve is "
                 "priced at unmet_penalty_usd_per_million_tokens." if priced else "")
        s = self.hedge
        early = ""
        if s.termination != "optimal":
            gap = "unknown" if s.gap is None else f"{s.gap:.2%}"
            early = (f" The hedged solve stopped early ({s.termination}, gap {gap}): its plan "
                     "is not proven best, so the VSS is understated"
                     + (" and its sign says the solve stopped, not that hedging loses."
                        if self.vss_usd < 0 else "."))
        return (f"VSS: ${self.vss_usd:,.0f}, what planning for the scenarios saves over "
                f"committing to the base plan's first year (its expected cost, EEV, "
                f"${self.eev_usd:,.0f}, minus the hedged expected cost; shortfalls priced "
                f"at the Settings penalties).{where}{early}")

    def cvar_usd(self) -> float | None:
        return cvar(self.scenario_costs(), self.probabilities, self.alpha)


def cvar(costs: dict[str, float], probs: dict[str, float], alpha: float) -> float | None:
    """Expected cost of the worst (1 - alpha) share of outcomes (discrete Rockafellar-Uryasev).

    >>> cvar({"a": 1.0, "b": 3.0}, {"a": 0.5, "b": 0.5}, 0.5)
    3.0
    >>> cvar({"a": 1.0, "b": 3.0}, {"a": 0.5, "b": 0.5}, 0.0)
    2.0
    """
    if not costs:
        return None
    ordered = sorted(costs, key=lambda n: costs[n])
    cumulative, eta = 0.0, costs[ordered[-1]]
    for n in ordered:
        cumulative += probs[n]
        if cumulative >= alpha - 1e-12:
            eta = costs[n]
            break
    excess = sum(probs[n] * max(costs[n] - eta, 0.0) for n in costs)
    return eta + excess / (1.0 - alpha)


def run_hedge(inp: PlanInput, options: SolveOptions = DEFAULT_OPTIONS, *,
              cvar_weight: float = 0.0, alpha: float = 0.9, workers: int | None = None,
              scheduler: str | None = None, progress: Callable[[str], None] = lambda _m: None,
              estimates: Estimates | None = None) -> HedgeAnalysis:
    """Solve the hedged plan over the workbook's scenarios and value it."""
    scenarios = list(inp.scenarios)
    if not scenarios:
        raise PlannerError("--hedge needs scenarios: add a Scenarios sheet to the workbook "
                           "(see docs/workbook.md)")
    n = inp.settings.hedge_first_stage_quarters
    hedge_job = Job("hedge", "hedge", ScenarioSpec("hedged plan"), inp, options,
                    hedge=(tuple(scenarios), n, cvar_weight, alpha))
    first = [hedge_job, Job("optimum:base", "optimum", BASE, inp, options)]
    own = [s for s in scenarios if normalise(s.name) != "base"]  # 'base' is solved once
    first += [Job(f"optimum:{s.name}", "optimum", s, inp, options, keep_result=False)
              for s in own]
    through = str(inp.periods[0].shift(n))
    with executor(workers, scheduler) as pool:
        progress(f"hedged plan over {len(scenarios)} scenarios, the base plan and each "
                 "scenario's optimum")
        outs = run_jobs(first, pool, progress, estimates)
        base = outs[1]
        progress("the base plan's first stage under each scenario")
        later = run_jobs(evaluation_jobs(inp, own, {"base": base}, through, options,
                                         kind="eev"), pool, progress, estimates)
    named_base = {s.name: base for s in scenarios if normalise(s.name) == "base"}
    optima = {s.name: o for s, o in zip(own, outs[2:])} | named_base
    eev = {o.scenario: o for o in later} | named_base
    return HedgeAnalysis(scenarios, outs[0], base, optima, eev, n, cvar_weight, alpha)
