"""What owning saves: each workload's cost per million tokens in the plan beside what
renting the cheapest chip on demand, or buying the tokens from the APIs sheet, would cost.

All three are dollars per million prompt+output tokens (:mod:`planner.domain.units`),
undiscounted:

* **plan**: the cost allocated to the workload over the horizon / tokens it was served
  (``metrics.COST_METHOD``, as in the Summary's cost-per-token table);
* **rent**: for each chip of the Chips sheet with a rent price and a feasible estimate
  for the workload, rent / (prompt+output tokens/s per chip x 3,600 x target utilisation
  / peak-to-average) x 10^6: the chips the optimizer would size for the workload's peak
  at its target utilisation, rented on demand (the rent includes power), every chip-hour
  paid; a workload with a request mix pays each size slice's cost for its share of the
  tokens.  The cheapest chip is shown, and whether its rates were measured or modelled;
* **api**: the cheapest APIs-sheet offering of the workload's model (the same rule the
  optimizer uses), its price as given (prompt+output tokens), ignoring its daily limit.

The saving is 1 - plan / alternative: the share of the alternative's cost the plan avoids.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain import (
    ChipOffer,
    InferenceWorkload,
    PlanInput,
    PlanResult,
    units,
)
from planner.domain.slicing import split
from planner.report import metrics
from planner.report.sources import EstimateIndex, estimate_index, words, workload_estimate

METHOD = (
    ("All in USD per million prompt+output tokens, undiscounted. Plan: allocated cost / tokens "
     "served (as above). Rent: the cheapest chip of the Chips sheet rented on demand,"),
    ("sized as the optimizer sizes chips: rent / (prompt+output tokens/s per chip x 3,600 x "
     "target utilisation / peak-to-average) x 10^6 (per size slice for a request mix; the "
     "rate measured or modelled as the source column says). API: the cheapest APIs-sheet "
     "offering"),
    ("of the workload's model, daily limit ignored. Saving = 1 - plan / alternative; a "
     "negative saving means the alternative is cheaper."),
)


@dataclass(frozen=True)
class Alternatives:
    workload: str
    plan_usd_per_mtok: float | None
    rent_chip: str | None = None
    rent_usd_per_mtok: float | None = None
    api_offering: str | None = None
    api_usd_per_mtok: float | None = None
    rent_source: str = ""  # the rented chip's rate: measured, modelled or both

    @staticmethod
    def _saving(plan: float | None, other: float | None) -> float | None:
        return 1.0 - plan / other if plan is not None and other else None

    @property
    def saving_vs_rent(self) -> float | None:
        return self._saving(self.plan_usd_per_mtok, self.rent_usd_per_mtok)

    @property
    def saving_vs_api(self) -> float | None:
        return self._saving(self.plan_usd_per_mtok, self.api_usd_per_mtok)


def rental_cost(index: EstimateIndex, inp: PlanInput, w: InferenceWorkload,
                offer: ChipOffer) -> tuple[float | None, set[str]]:
    """$ per million prompt+output tokens of serving all of ``w`` on ``offer`` rented on
    demand, and the sources of the rates used.  A workload with a request mix pays each
    size slice's cost for its share of the tokens (None when the chip cannot serve one)."""
    if offer.rent_usd_per_chip_hour is None:
        return None, set()
    load = inp.settings.target_utilisation / w.peak_to_average
    total, found = 0.0, set()
    for part in split(w):
        est = workload_estimate(index, inp, part, offer.chip)
        cost = (units.usd_per_mtok_hourly(offer.rent_usd_per_chip_hour,
                                          est.tokens_per_s_per_chip, load)
                if est is not None and est.feasible else None)
        if cost is None:
            return None, set()
        share = w.mix.token_share(part.size_slice) if w.mix is not None else 1.0
        total += share * cost
        found.add(est.source)
    return total, found


def cheapest_rental(result: PlanResult, inp: PlanInput, w: InferenceWorkload,
                    index: EstimateIndex | None = None) -> tuple[str | None, float | None, str]:
    """(chip, $ per million prompt+output tokens, measured or modelled) of the cheapest
    chip to rent on demand."""
    index = estimate_index(result) if index is None else index
    best: tuple[str | None, float | None, str] = (None, None, "")
    for offer in inp.chips:
        cost, found = rental_cost(index, inp, w, offer)
        if cost is not None and (best[1] is None or cost < best[1]):
            best = (offer.chip, cost, words(found))
    return best


def cheapest_api(inp: PlanInput, w: InferenceWorkload) -> tuple[str | None, float | None]:
    """(offering, $ per million prompt+output tokens at ``w``'s prompt/output shape) of the
    cheapest API selling ``w``'s model fast enough for its TPOT target."""
    offers = sorted((a.usd_per_million_tokens_for(w.prompt_tokens, w.output_tokens), a.name)
                    for a in inp.apis if a.model == w.model and a.meets_tpot(w.tpot_ms))
    return (offers[0][1], offers[0][0]) if offers else (None, None)


def alternatives(result: PlanResult, inp: PlanInput) -> list[Alternatives]:
    """One row per inference workload of the input."""
    users, _unallocated = metrics.cost_per_user(result, inp)
    plan = {u.user: u.usd_per_million_tokens for u in users if u.kind == "inference"}
    out = []
    index = estimate_index(result)
    for w in inp.workloads:
        chip, rent, source = cheapest_rental(result, inp, w, index)
        api, price = cheapest_api(inp, w)
        out.append(Alternatives(w.name, plan.get(w.name), chip, rent, api, price, source))
    return out
