"""What mixing chip types saves: the plan against the best plan restricted to one chip type.

Mélange (Griggs et al. 2024) reports its savings against the cheapest single GPU type; a
finance team asks the same question of a mixed fleet.  For each chip type offered on the
Chips sheet (one that may be bought or rented), the same input is solved again with every
*other* type's purchase and rent prices removed, so only that type can be acquired:

* the owned fleet is kept (it is already paid for, whatever the comparison), so is every
  API offer, every site, budget and training run;
* the estimates are the plan's own, restricted to that type and the owned types (no
  re-estimation), and the solver and gap are the plan's;
* the single-type plans run inside the run's one :class:`~planner.optimize.clock.Deadline`
  after the main solve: each gets a fair share of what is left after the report's
  reserve, and a type not reached in time is listed as not solved (the note then says
  the comparison is partial).

The best single type is the cheapest (cost of ownership on the plan's basis) whose plan
serves every slice of demand and schedules every training run; a type that cannot serve
some slice (too little memory, a complete measured set without that size) is listed with
its unmet share and never called best.  ``mix_saving_share`` = 1 - plan cost / best.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable

from planner.domain import PlanInput, PlanResult
from planner.domain.estimates import Estimates
from planner.domain.results import SingleTypeComparison, SingleTypeOption, WorkloadMixSaving
from planner.domain.status import Termination, has_plan
from planner.optimize.clock import MIN_STAGE_S, Deadline

#: The Settings values of ``single_type_comparison``.
CHOICES = ("auto", "yes", "no")
#: ``auto`` compares when two to this many chip types may be bought or rented: each type
#: is one more solve within the run's time limit, and with many types each would get too
#: little of it to finish (``yes`` compares whatever the number).
AUTO_MAX_TYPES = 8
#: Shown wherever the comparison is: what the single-type plans may and may not do.
SCOPE_WORDS = "new chips of one type, owned fleet kept"
#: A training run scheduled for less than this share is left undone.
_TRAINING_DONE = 0.999

#: Solves one input with the given estimates by the given stage deadline (the pipeline's
#: expand, solve and fold, without diagnostics).
SolveFn = Callable[[PlanInput, Estimates, Deadline], PlanResult]
#: The report's cost attribution: workload -> USD per million prompt+output tokens served
#: (None where it serves none).
CostPerMtokFn = Callable[[PlanResult], dict[str, float | None]]


def _quiet(_: str) -> None:
    return None


def offered_types(inp: PlanInput) -> list[str]:
    """Chip types on the Chips sheet that may be bought or rented, in sheet order."""
    return [o.chip for o in inp.chips
            if o.purchase_usd_per_chip is not None or o.rent_usd_per_chip_hour is not None]


def wanted(inp: PlanInput, setting: str) -> bool:
    """Whether the comparison runs: ``yes``; ``no``; ``auto`` (the default) when two to
    :data:`AUTO_MAX_TYPES` chip types may be bought or rented."""
    if setting == "no":
        return False
    if setting == "yes":
        return True
    return 2 <= len(offered_types(inp)) <= AUTO_MAX_TYPES


def why_not(inp: PlanInput, result: PlanResult) -> str:
    """Why a plan of ``inp`` carries no comparison (``result.single_type`` is None)."""
    setting = inp.settings.single_type_comparison
    if not has_plan(result):
        return "no plan to compare"
    if setting == "no":
        return "Settings single_type_comparison is no"
    types = len(offered_types(inp))
    if setting == "auto" and types < 2:
        return ("Settings single_type_comparison is auto and fewer than two chip types may "
                "be bought or rented")
    if setting == "auto" and types > AUTO_MAX_TYPES:
        return (f"Settings single_type_comparison is auto and {types} chip types may be "
                f"bought or rented, more than {AUTO_MAX_TYPES}: set it to yes to compare")
    return "not run for this kind of plan (a re-plan, what-if, sweep or hedge)"


def restrict_input(inp: PlanInput, chip: str) -> PlanInput:
    """``inp`` where only ``chip`` may be bought or rented: every other type's purchase and
    rent prices removed (its owned chips, if any, stay)."""
    chips = tuple(o if o.chip == chip else
                  dataclasses.replace(o, purchase_usd_per_chip=None, rent_usd_per_chip_hour=None)
                  for o in inp.chips)
    return dataclasses.replace(inp, chips=chips)


def restrict_estimates(est: Estimates, chips: set[str]) -> Estimates:
    """The plan's estimates for ``chips`` only (throughput, training and phases)."""
    return dataclasses.replace(
        est, throughput={k: v for k, v in est.throughput.items() if k[1] in chips},
        training={k: v for k, v in est.training.items() if k[1] in chips},
        phases={k: v for k, v in est.phases.items() if k[1] in chips})


def _training_short(result: PlanResult, inp: PlanInput) -> list[str]:
    done: dict[str, float] = defaultdict(float)
    for t in result.training:
        done[t.run] += t.share_of_run
    return [r.name for r in inp.training if done[r.name] < _TRAINING_DONE]


def _option(chip: str, result: PlanResult, inp: PlanInput) -> tuple[SingleTypeOption, bool]:
    """The option and whether it may be called best: it serves every slice of demand and
    schedules every training run."""
    s = result.solver
    if not has_plan(result) or not result.cashflow:
        return SingleTypeOption(chip, str(s.termination), None, None, 1.0, s.gap,
                                s.message or "no plan"), False
    costs = result.costs
    words = []
    if result.has_unmet_demand:
        words.append(f"leaves {result.unmet_demand_share:.1%} of inference tokens unserved")
    short = _training_short(result, inp)
    if short:
        words.append("leaves training undone: " + ", ".join(short))
    if s.termination != Termination.OPTIMAL:
        words.append(f"not proven optimal (gap {s.gap:.2%})" if s.gap is not None
                     else "not proven optimal")
    option = SingleTypeOption(chip, str(s.termination), costs.cost_of_ownership_usd,
                              costs.objective_usd, result.unmet_demand_share, s.gap,
                              "; ".join(words))
    return option, option.serves_all and not short


def _not_reached(chip: str, why: str) -> SingleTypeOption:
    return SingleTypeOption(chip, str(Termination.NOT_SOLVED), None, None, 1.0, None, why)


def _served_shares(result: PlanResult) -> dict[str, float]:
    """Workload -> share of its demand served over the plan."""
    demand: dict[str, float] = defaultdict(float)
    served: dict[str, float] = defaultdict(float)
    for c in result.capacity:
        demand[c.workload] += c.demand_tokens_per_day
        served[c.workload] += c.served_tokens_per_day
    return {w: served[w] / d if d > 0 else 1.0 for w, d in demand.items()}


def per_workload(inp: PlanInput, plan: PlanResult, singles: dict[str, PlanResult],
                 cost_per_mtok: CostPerMtokFn) -> tuple[WorkloadMixSaving, ...]:
    """Each workload's USD per million prompt+output tokens in ``plan`` and on its best
    single type: the cheapest per token among the single-type plans that serve all of
    that workload's demand (``cost_per_mtok`` attributes each plan's cost)."""
    mine = cost_per_mtok(plan)
    theirs = {chip: (cost_per_mtok(r), _served_shares(r)) for chip, r in singles.items()}
    out = []
    for w in inp.workloads:
        best_chip, best = None, None
        for chip, (cost, served) in theirs.items():
            value = cost.get(w.name)
            if value is None or served.get(w.name, 0.0) < 1.0 - PlanResult.UNMET_TOLERANCE:
                continue
            if best is None or value < best:
                best_chip, best = chip, value
        out.append(WorkloadMixSaving(w.name, mine.get(w.name), best_chip, best))
    return tuple(out)


def _solve_all(inp: PlanInput, est: Estimates, solve: SolveFn, deadline: Deadline,
               reserve_s: float, need_s: float, progress: Callable[[str], None]
               ) -> tuple[list[SingleTypeOption], dict[str, PlanResult]]:
    """One restricted solve per offered type, each by a fair share of the time left; the
    options, and the plans of the types that serve all demand and training."""
    owned = {e.chip for e in inp.existing}
    types = offered_types(inp)
    options, results = [], {}
    for i, chip in enumerate(types):
        stage = deadline.budget(1.0 / (len(types) - i), reserve=reserve_s)
        if deadline.interrupted or stage.left() < need_s:
            options.append(_not_reached(chip, f"not solved: {max(stage.left(), 0.0):.1f} s of "
                                              f"the time limit left, about {need_s:.1f} s needed"))
            continue
        progress(f"single-type comparison: {chip} only ({stage.left():.1f} s)")
        result = solve(restrict_input(inp, chip), restrict_estimates(est, owned | {chip}), stage)
        option, eligible = _option(chip, result, inp)
        options.append(option)
        if eligible:
            results[chip] = result
    return options, results


def _note(plan: PlanResult, options: list[SingleTypeOption], best: SingleTypeOption | None,
          ) -> str:
    words = [(f"Each single-type plan may buy or rent only that chip type ({SCOPE_WORDS}: "
              "chips already owned are paid for and stay; API offers stay).")]
    missing = [o.chip for o in options if o.termination == Termination.NOT_SOLVED]
    if missing:
        words.append("Partial: not solved in the time limit: " + ", ".join(missing) + ".")
    if best is not None and missing:
        words.append(f"The cheapest type solved ({best.chip}) is not stated as the best: a "
                     "type not solved might be cheaper, so no saving is stated (give a "
                     "longer time limit).")
    elif best is None and missing and len(missing) == len(options):
        words.append("No single-type plan was made: no saving is stated.")
    elif best is None:
        words.append("No single chip type " + ("solved in time " if missing else "")
                      + "serves all demand and training: no saving is stated.")
    elif plan.has_unmet_demand:
        words.append(f"The plan itself leaves {plan.unmet_demand_share:.1%} of demand "
                     "unserved: its cost is not comparable and no saving is stated.")
    elif best.termination != Termination.OPTIMAL:
        words.append(f"The best single-type plan ({best.chip}) is not proven optimal: the "
                     "saving may be overstated by up to its gap.")
    if plan.solver.termination != Termination.OPTIMAL:
        words.append("The plan is not proven optimal: the saving may be understated by up "
                     "to its gap.")
    return " ".join(words)


def compare(inp: PlanInput, est: Estimates, plan: PlanResult, solve: SolveFn,
            deadline: Deadline, *, reserve_s: float = 0.0, need_s: float | None = None,
            cost_per_mtok: CostPerMtokFn | None = None,
            progress: Callable[[str], None] = _quiet) -> SingleTypeComparison:
    """``plan`` (the solve of ``inp`` with ``est``) against each offered chip type alone.

    ``deadline`` is the run's: each single-type solve gets a fair share of what is left
    after ``reserve_s`` (the report's) and is skipped when that share is under ``need_s``
    (default: the plan's build time plus the shortest stage worth starting).
    ``cost_per_mtok`` (the report's cost attribution) fills ``per_workload``."""
    if need_s is None:
        need_s = plan.solver.build_seconds + MIN_STAGE_S
    options, results = _solve_all(inp, est, solve, deadline, reserve_s, need_s, progress)
    eligible = [o for o in options if o.chip in results]
    best = min(eligible, key=lambda o: (o.cost_of_ownership_usd, o.chip), default=None)
    # a type not solved in time might be the cheapest: the best of the others would then
    # overstate the saving, so none is stated
    partial = any(o.termination == Termination.NOT_SOLVED for o in options)
    stated = best if best is not None and not plan.has_unmet_demand and not partial else None
    rate = inp.settings.discount_rate_per_year
    rows = (per_workload(inp, plan, results, cost_per_mtok)
            if cost_per_mtok is not None and results else ())
    return SingleTypeComparison(
        plan_cost_usd=plan.total_cost_usd, options=tuple(options),
        best_chip=stated.chip if stated else None,
        single_type_best_usd=stated.cost_of_ownership_usd if stated else None,
        basis=plan.costs.basis_words(rate), per_workload=rows,
        note=_note(plan, options, best))
