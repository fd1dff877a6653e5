"""Parameters beyond the core: power, existing fleet, training gangs, stacks, APIs,
expansions and budgets, each derived from the input alone (this module knows nothing of
:class:`~planner.optimize.parameters.Parameters`, which is built once from what it returns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.domain import PlanInput, PlannerError, TrainingEstimate


@dataclass(frozen=True)
class ApiTerms:
    """An API offering as the model sees it (one Apis row)."""

    model: str
    usd_per_million_tokens: float
    max_tokens_per_day: float | None   # Z_a; None: no limit


@dataclass(frozen=True)
class ExpansionTerms:
    """A site expansion as the model sees it (one Expansions row)."""

    site: str
    extra_kw: float          # X_x
    cost_usd: float
    lead_quarters: int       # l_x
    earliest: int            # first quarter index it may be ordered


def _power_and_prices(inp: PlanInput) -> dict:
    owned_chips = {o.chip for o in inp.chips if o.purchase_usd_per_chip is not None}
    owned_chips |= {e.chip for e in inp.existing}
    ref_price, power_kw = {}, {}
    for offer in inp.chips:
        spec = inp.chip_specs.get(offer.chip)
        ref = offer.purchase_usd_per_chip
        if ref is None and spec is not None:
            ref = spec.purchase_usd_approx
        ref_price[offer.chip] = ref or 0.0
        if offer.chip not in owned_chips:
            continue
        if offer.power_kw_per_chip is not None:
            power_kw[offer.chip] = offer.power_kw_per_chip
        elif spec is not None and spec.tdp_w is not None:
            power_kw[offer.chip] = spec.tdp_w * inp.settings.server_power_overhead / 1000.0
        else:
            raise PlannerError(f"chip '{offer.chip}' has no power figure: give power_kw_per_chip "
                               "on the Chips sheet")
    return {"ref_price_usd": ref_price, "power_kw": power_kw}


def _existing(inp: PlanInput) -> dict:
    start, existing = inp.periods[0], {}
    for e in inp.existing:
        key = (e.chip, e.site, e.bought - start)
        existing[key] = existing.get(key, 0) + e.quantity
    return {"existing": existing}


def gang_sizes(est: TrainingEstimate, quarter_hours: float, window: int) -> dict[int, int]:
    """G_{r,c} -> Q_{r,c,G}: the estimate's gang and its bigger options
    (``gang_options``), each held for whole quarters, ceil(hours / H); a size that does
    not fit the window, or that is no shorter than a smaller one, is left out (it would
    only hold more chips for as long)."""
    sizes: dict[int, int] = {}
    for chips, hours in sorted([(est.chips, est.hours), *est.gang_options]):
        quarters = max(1, math.ceil(hours / quarter_hours - 1e-9))
        if quarters <= window and (not sizes or quarters < min(sizes.values())):
            sizes[chips] = quarters
    return sizes


def _training(inp: PlanInput, training: dict[tuple[str, str], TrainingEstimate]) -> dict:
    index = {str(q): i for i, q in enumerate(inp.periods)}
    H = inp.settings.hours_per_quarter
    out: dict = {"runs": [], "train_chip_hours": {}, "train_quarters": {},
                 "train_window": {}, "train_penalty_usd": {}}
    for run in inp.training:
        out["runs"].append(run.name)
        window = out["train_window"][run.name] = list(range(index[str(run.earliest)],
                                                            index[str(run.deadline)] + 1))
        cheapest = None
        for offer in inp.chips:
            est = training.get((run.name, offer.chip))
            if est is None or not est.feasible or est.chip_hours <= 0:
                continue
            sizes = gang_sizes(est, H, len(window))
            if not sizes:
                continue
            out["train_chip_hours"][(run.name, offer.chip)] = est.chip_hours
            for chips, quarters in sizes.items():
                out["train_quarters"][(run.name, offer.chip, chips)] = quarters
            cheapest = est.chip_hours if cheapest is None else min(cheapest, est.chip_hours)
        hours = cheapest if cheapest is not None else 1.0
        out["train_penalty_usd"][run.name] = hours * inp.settings.unmet_training_penalty_usd_per_chip_hour
    return out


def _stacks(inp: PlanInput) -> dict:
    chip_stack = {}
    for offer in inp.chips:
        spec = inp.chip_specs.get(offer.chip)
        chip_stack[offer.chip] = spec.software_stack if spec is not None else ""
    adopted = {chip_stack.get(e.chip, "") for e in inp.existing}
    stack_cost = {stack.name: stack.adoption_usd for stack in inp.stacks
                  if not stack.adopted and stack.adoption_usd > 0 and stack.name not in adopted}
    allowed = {run.name: run.stacks for run in inp.training}
    allowed.update({w.name: w.stacks for w in inp.workloads})
    return {"chip_stack": chip_stack, "stack_cost_usd": stack_cost, "allowed_stacks": allowed}


def _apis(inp: PlanInput) -> dict:
    """Offerings, the workloads each may serve and the price each workload pays.

    An offering serves workload w if it sells w's model and its published per-user
    output speed meets w's TPOT target: 1000 / speed_a <= tpot_w (no check when either is
    unknown).  Workload w pays P_{w,a} = (P_in x prompt_w + P_out x output_w) /
    (prompt_w + output_w) per million tokens when the offering is priced per input and
    output token, else its single price.
    """
    serves = {w.name: [a for a in inp.apis if a.model == w.model and a.meets_tpot(w.tpot_ms)]
              for w in inp.workloads}
    return {"apis": {a.name: ApiTerms(a.model, a.usd_per_million_tokens, a.max_tokens_per_day)
                     for a in inp.apis},
            "api_for": {w: [a.name for a in offers] for w, offers in serves.items()},
            "api_price": {(w.name, a.name): a.usd_per_million_tokens_for(w.prompt_tokens,
                                                                        w.output_tokens)
                          for w in inp.workloads for a in serves[w.name]}}


def _expansions(inp: PlanInput) -> dict:
    start = inp.periods[0]
    return {"expansions": {
        f"{x.site}/{x.name}": ExpansionTerms(
            x.site, x.extra_kw, x.cost_usd, x.lead_time_quarters,
            max(0, x.earliest - start) if x.earliest is not None else 0)
        for x in inp.expansions}}


def _budgets(inp: PlanInput) -> dict:
    years = {q.year for q in inp.periods}
    mine = [b for b in inp.budgets if b.year in years]
    return {"capex_budget": {b.year: b.capex_usd for b in mine if b.capex_usd is not None},
            "opex_budget": {b.year: b.opex_usd for b in mine if b.opex_usd is not None}}


def extras(inp: PlanInput, training: dict[tuple[str, str], TrainingEstimate]) -> dict:
    """Every parameter this module derives, by Parameters field name."""
    return {**_power_and_prices(inp), **_existing(inp), **_training(inp, training),
            **_stacks(inp), **_apis(inp), **_expansions(inp), **_budgets(inp)}
