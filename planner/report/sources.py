"""Whether a throughput the report shows was measured or modelled.

Every rate a chip serves a workload at comes from one estimate per (workload or size
slice, chip): a Measured row (``measured``) or the performance model (``modelled``).
A workload with a request mix is served at one rate per slice, so its rate on a chip can
rest on both: ``measured and modelled``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from planner.domain import InferenceWorkload, PlanInput, PlanResult, ThroughputEstimate
from planner.domain.names import normalise

BOTH = "measured and modelled"


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


def words(sources: Iterable[str]) -> str:
    """'measured', 'modelled', 'measured and modelled', or '' with none known.

    >>> words(["modelled", "measured", "modelled"]), words([])
    ('measured and modelled', '')
    """
    found = {s for s in sources if s}
    if len(found) > 1:
        return BOTH
    return next(iter(found), "")


def by_workload_chip(result: PlanResult, inp: PlanInput,
                     index: EstimateIndex | None = None) -> dict[tuple[str, str], str]:
    """(workload, chip) -> where the rates it is served at came from: the Slices rows'
    sources for a workload with a request mix, its estimate's source otherwise (every
    chip of the Chips sheet with an estimate)."""
    index = estimate_index(result) if index is None else index
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in result.slices:
        if r.kind == "chip":
            found[r.workload, r.served_by].add(r.throughput_source)
    for w in inp.workloads:
        if w.mix is not None:
            continue
        for offer in inp.chips:
            est = workload_estimate(index, inp, w, offer.chip)
            if est is not None:
                found[w.name, offer.chip].add(est.source)
    return {k: words(v) for k, v in found.items()}


def by_workload(result: PlanResult, inp: PlanInput,
                table: dict[tuple[str, str], str] | None = None) -> dict[tuple[str, str], str]:
    """(quarter, workload) -> the sources of the rates of the chips allocated to it."""
    table = by_workload_chip(result, inp) if table is None else table
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in result.allocation:
        source = table.get((a.workload, a.chip), "")
        found[a.quarter, a.workload].update(source.split(" and "))
    return {k: words(v) for k, v in found.items()}
