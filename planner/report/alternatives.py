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
  paid.  The cheapest chip is shown;
* **api**: the cheapest APIs-sheet offering of the workload's model (the same rule the
  optimizer uses), its price as given (prompt+output tokens), ignoring its daily limit.

The saving is 1 - plan / alternative: the share of the alternative's cost the plan avoids.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain import InferenceWorkload, PlanInput, PlanResult, ThroughputEstimate, units
from planner.domain.names import normalise
from planner.report import metrics

METHOD = (
    ("All in USD per million prompt+output tokens, undiscounted. Plan: allocated cost / tokens "
     "served (as above). Rent: the cheapest chip of the Chips sheet rented on demand,"),
    ("sized as the optimizer sizes chips: rent / (prompt+output tokens/s per chip x 3,600 x "
     "target utilisation / peak-to-average) x 10^6. API: the cheapest APIs-sheet offering"),
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

    @staticmethod
    def _saving(plan: float | None, other: float | None) -> float | None:
        return 1.0 - plan / other if plan is not None and other else None

    @property
    def saving_vs_rent(self) -> float | None:
        return self._saving(self.plan_usd_per_mtok, self.rent_usd_per_mtok)

    @property
    def saving_vs_api(self) -> float | None:
        return self._saving(self.plan_usd_per_mtok, self.api_usd_per_mtok)


EstimateIndex = dict[tuple, ThroughputEstimate]


def estimate_index(result: PlanResult) -> EstimateIndex:
    """The plan's throughput estimates by (chip, model, precision, prompt tokens, output
    tokens), names normalised; the first estimate of a key wins.  Built once per report:
    a scan per workload and chip took 14 s on 200 chips x 12 workloads."""
    index: EstimateIndex = {}
    for e in result.throughput:
        key = (normalise(e.chip), normalise(e.model), e.precision, e.prompt_tokens,
               e.output_tokens)
        index.setdefault(key, e)
    return index


def workload_estimate(index: EstimateIndex, inp: PlanInput, w: InferenceWorkload,
                      chip: str) -> ThroughputEstimate | None:
    """The plan's throughput estimate for workload ``w`` on the Chips-sheet chip ``chip``
    (estimates name the resolved chip and model specs, and the workload's shape)."""
    chip_spec, model_spec = inp.chip_specs.get(chip), inp.model_specs.get(w.model)
    chip_name = normalise(chip_spec.name if chip_spec else chip)
    model_name = normalise(model_spec.name if model_spec else w.model)
    return index.get((chip_name, model_name, w.precision, w.prompt_tokens, w.output_tokens))


def cheapest_rental(result: PlanResult, inp: PlanInput, w: InferenceWorkload,
                    index: EstimateIndex | None = None) -> tuple[str | None, float | None]:
    """(chip, $ per million prompt+output tokens) of the cheapest chip to rent on demand."""
    index = estimate_index(result) if index is None else index
    load = inp.settings.target_utilisation / w.peak_to_average
    best: tuple[str | None, float | None] = (None, None)
    for offer in inp.chips:
        est = workload_estimate(index, inp, w, offer.chip)
        if est is None or not est.feasible or offer.rent_usd_per_chip_hour is None:
            continue
        cost = units.usd_per_mtok_hourly(offer.rent_usd_per_chip_hour, est.tokens_per_s_per_chip,
                                         load)
        if cost is not None and (best[1] is None or cost < best[1]):
            best = (offer.chip, cost)
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
        chip, rent = cheapest_rental(result, inp, w, index)
        api, price = cheapest_api(inp, w)
        out.append(Alternatives(w.name, plan.get(w.name), chip, rent, api, price))
    return out
