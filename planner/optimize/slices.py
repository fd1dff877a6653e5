"""A plan solved on size slices, folded back into the workloads of its input.

:func:`planner.domain.slicing.expand` hands the optimizer one internal workload per size
slice of a workload with a request mix.  :func:`fold` turns the plan of that expanded
input back into one whose capacity, allocation, API and emissions rows name the input's
workloads (a workload's rows are the sums of its slices' rows per quarter, chip, phase
and API offering), and lists what served each slice in ``PlanResult.slices``
(:class:`~planner.domain.results.SliceRow`).  Diagnostics keep the slice names: they say
which slice's demand binds.  Without slices the plan is returned as it is.

Sums keep every total: demand, served and unmet tokens, chips allocated, API tokens and
dollars, emissions.  An API row's price is the token-weighted mean of its slices' prices
(slices of different sizes pay different blended input/output prices), so
``tokens x price x days / 10^6`` still gives its dollars.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from planner.domain import PlanInput, PlanResult, ThroughputEstimate
from planner.domain.inputs import InferenceWorkload
from planner.domain.mixes import SECONDS_PER_DAY, SizeSlice
from planner.domain.results import AllocationRow, ApiRow, CapacityRow, EmissionRow, SliceRow


def _merge(rows: list, slices: Mapping[str, InferenceWorkload], key: Callable,
           add: Callable) -> list:
    """``rows`` with each slice's row renamed to its workload and rows of one ``key``
    summed by ``add`` (in place of the first); rows of other workloads kept as they are."""
    out: list = []
    at: dict[tuple, int] = {}
    for r in rows:
        w = slices.get(r.workload)
        if w is None:
            out.append(r)
            continue
        r = dataclasses.replace(r, workload=w.parent)
        k = key(r)
        if k in at:
            out[at[k]] = add(out[at[k]], r)
        else:
            at[k] = len(out)
            out.append(r)
    return out


def _add_capacity(a: CapacityRow, b: CapacityRow) -> CapacityRow:
    return dataclasses.replace(
        a, demand_tokens_per_day=a.demand_tokens_per_day + b.demand_tokens_per_day,
        served_tokens_per_day=a.served_tokens_per_day + b.served_tokens_per_day,
        unmet_tokens_per_day=a.unmet_tokens_per_day + b.unmet_tokens_per_day)


def _add_allocation(a: AllocationRow, b: AllocationRow) -> AllocationRow:
    return dataclasses.replace(a, chips=a.chips + b.chips,
                               tokens_per_s=a.tokens_per_s + b.tokens_per_s,
                               tokens_per_day=a.tokens_per_day + b.tokens_per_day)


def _add_api(a: ApiRow, b: ApiRow) -> ApiRow:
    """Tokens and dollars summed; the price their token-weighted mean."""
    tokens = a.tokens_per_day + b.tokens_per_day
    price = ((a.tokens_per_day * a.usd_per_million_tokens
              + b.tokens_per_day * b.usd_per_million_tokens) / tokens
             if tokens > 0 else a.usd_per_million_tokens)
    return dataclasses.replace(a, tokens_per_day=tokens, usd_per_million_tokens=price,
                               total_usd=a.total_usd + b.total_usd)


_EMISSION_SUMS = ("chips", "energy_mwh", "grid_location_tco2e", "grid_market_tco2e",
                  "embodied_tco2e", "supplier_tco2e")


def _add_emission(a: EmissionRow, b: EmissionRow) -> EmissionRow:
    return dataclasses.replace(a, **{f: getattr(a, f) + getattr(b, f) for f in _EMISSION_SUMS})


def _slices(expanded: PlanInput) -> dict[str, InferenceWorkload]:
    """The size-slice workloads of ``expanded`` by name (planner.domain.slicing.split)."""
    return {w.name: w for w in expanded.workloads if w.parent and w.size_slice is not None}


def _row(quarter: str, w: InferenceWorkload, kind: str, served_by: str, chips: float,
         tokens_per_day: float, source: str = "") -> SliceRow:
    """A Slices row: requests/s = tokens per day / the slice's tokens per request / 86,400."""
    s = w.size_slice or SizeSlice(w.prompt_tokens, w.output_tokens, 1.0, w.prompt_tokens,
                                  w.output_tokens)
    return SliceRow(quarter, w.parent, s.label, s.share, s.prompt_tokens, s.output_tokens, kind,
                    served_by, chips, tokens_per_day,
                    tokens_per_day / s.tokens_per_request / SECONDS_PER_DAY, source)


def _phase_tokens(r: AllocationRow, w: InferenceWorkload) -> float:
    """Tokens of the slice a chip row counts: all of its requests' tokens when it serves
    them whole; the prompt tokens of the requests it prefills, the output tokens of those
    it decodes (so the chips of a slice served disaggregated add up to what was served)."""
    if r.phase == "prefill":
        return r.tokens_per_day * w.prompt_tokens / (w.prompt_tokens + w.output_tokens)
    if r.phase == "decode":
        return r.tokens_per_day * w.output_tokens / (w.prompt_tokens + w.output_tokens)
    return r.tokens_per_day


def _chip_rows(result: PlanResult, slices: Mapping[str, InferenceWorkload],
               estimates: Mapping[tuple, ThroughputEstimate]) -> dict[tuple, SliceRow]:
    """(quarter, slice, "chip", chip) -> the chips serving the slice there (all phases)."""
    rows: dict[tuple, SliceRow] = {}
    for r in result.allocation:
        w = slices.get(r.workload)
        if w is None:
            continue
        est = estimates.get((r.workload, r.chip) if r.phase == "both"
                            else (r.workload, r.chip, r.phase))
        new = _row(r.quarter, w, "chip", r.chip, r.chips, _phase_tokens(r, w),
                   est.source if est is not None else "")
        k = (r.quarter, r.workload, "chip", r.chip)
        old = rows.get(k)
        if old is not None:
            source = old.throughput_source if r.phase != "both" else new.throughput_source
            new = _row(r.quarter, w, "chip", r.chip, old.chips + r.chips,
                       old.tokens_per_day + new.tokens_per_day, source)
        rows[k] = new
    return rows


#: The order of a slice's rows: chips, then APIs, then its unmet part.
_KINDS = ("chip", "api", "unmet")


def slice_rows(result: PlanResult, expanded: PlanInput,
               estimates: Mapping[tuple, ThroughputEstimate]) -> list[SliceRow]:
    """What served each slice in each quarter: one row per chip (``throughput_source``
    from the slice's estimate on it), per API offering, and one for its unmet tokens
    when it is short; ordered by quarter, workload, slice, then chips, APIs, unmet."""
    slices = _slices(expanded)
    rows = _chip_rows(result, slices, estimates)
    for r in result.api_usage:
        if (w := slices.get(r.workload)) is not None:
            rows[(r.quarter, r.workload, "api", r.offering)] = _row(
                r.quarter, w, "api", r.offering, 0.0, r.tokens_per_day)
    for r in result.capacity:
        w = slices.get(r.workload)
        if w is not None and r.unmet_tokens_per_day > (
                PlanResult.UNMET_TOLERANCE * r.demand_tokens_per_day):
            rows[(r.quarter, r.workload, "unmet", "")] = _row(
                r.quarter, w, "unmet", "", 0.0, r.unmet_tokens_per_day)
    order = {name: i for i, name in enumerate(slices)}
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], order[k[1]], _KINDS.index(k[2]),
                                                         k[3]))]


def fold(result: PlanResult, expanded: PlanInput,
         estimates: Mapping[tuple, ThroughputEstimate] | None = None) -> PlanResult:
    """``result`` (solved on ``expanded``, an input with size slices) with its capacity,
    allocation, API and emissions rows naming the workloads the slices came from, summed,
    and ``slices`` listing what served each slice.  ``estimates``: the throughput (and
    one-phase) estimates it was solved with, keyed (workload, chip) and (workload, chip,
    phase), for each chip row's measured or modelled label.  ``result`` itself when
    ``expanded`` has no slices."""
    slices = _slices(expanded)
    if not slices:
        return result
    rows = slice_rows(result, expanded, estimates or {})
    capacity = _merge(result.capacity, slices, lambda r: (r.quarter, r.workload), _add_capacity)
    allocation = _merge(result.allocation, slices,
                        lambda r: (r.quarter, r.workload, r.chip, r.phase), _add_allocation)
    api = _merge(result.api_usage, slices, lambda r: (r.quarter, r.workload, r.offering),
                 _add_api)
    emissions = _merge(result.emissions, slices,
                       lambda r: (r.quarter, r.site, r.source, r.workload), _add_emission)
    return dataclasses.replace(
        result, capacity=capacity, api_usage=api, emissions=emissions, slices=rows,
        allocation=sorted(allocation, key=lambda r: (r.quarter, r.workload, r.chip, r.phase)))
