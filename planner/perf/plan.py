"""The hook the optimizer calls: every estimate a plan needs, from a :class:`PlanInput`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace

from planner.domain.errors import PlannerError
from planner.domain.estimates import Estimates, ThroughputEstimate, TrainingEstimate
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.domain.inputs import (
    HOURS_PER_QUARTER,
    ChipOffer,
    CompleteMeasuredSet,
    InferenceWorkload,
    MeasuredThroughput,
    PlanInput,
    TrainingRun,
)
from planner.domain.mixes import SizeSlice
from planner.domain.names import find_by_name, normalise
from planner.perf.catalog import load_chips, load_models
from planner.perf.inference import estimate_throughput
from planner.perf.maturity import factor, quarter_midpoint
from planner.perf.modelmath import resolve_precision
from planner.perf.phases import PHASES, estimate_phase
from planner.perf.training import check_method, estimate_training, min_chips_for_state

#: A measured throughput applies when its prompt/output lengths are within this
#: relative distance of the workload's.
MEASURED_SHAPE_TOLERANCE = 0.25
#: Largest training gang considered.
MAX_TRAINING_CHIPS = 100_000
#: Gang sizes are multiples of the scale-up domain, but never of more than this many
#: chips (TPU pods of thousands of chips are sold in slices).
MAX_GANG_UNIT = 72


def _spec(name: str, specs: Mapping, catalog: Mapping, kind: str):
    spec = specs.get(name) or find_by_name(name, specs) or find_by_name(name, catalog)
    if spec is None:
        known = ", ".join(sorted(set(specs) | set(catalog)))
        raise PlannerError(f"unknown {kind} '{name}'; known {kind}s: {known}")
    return spec


def _matches(name: str, spec: ChipSpec | ModelSpec) -> bool:
    return find_by_name(name, {spec.name: spec}) is not None


def _close(measured: float | None, wanted: float) -> bool:
    if measured is None:
        return True
    if wanted <= 0:
        return measured <= 0
    return abs(measured - wanted) <= MEASURED_SHAPE_TOLERANCE * wanted


def _in_bucket(m: MeasuredThroughput, s: SizeSlice) -> bool:
    """Whether ``m``'s prompt and output lengths lie in slice ``s``'s bucket (lower edge
    excluded, upper included); a blank length matches any."""
    prompt = s.prompt_tokens_max if m.prompt_tokens is None else m.prompt_tokens
    output = s.output_tokens_max if m.output_tokens is None else m.output_tokens
    return s.contains(prompt, output)


def _fits(m: MeasuredThroughput, w: InferenceWorkload) -> bool:
    """A size slice's measurement lies in its bucket; any other workload's within
    :data:`MEASURED_SHAPE_TOLERANCE` of its prompt and output lengths."""
    if w.size_slice is not None:
        return _in_bucket(m, w.size_slice)
    return _close(m.prompt_tokens, w.prompt_tokens) and _close(m.output_tokens, w.output_tokens)


def _distance(m: MeasuredThroughput, w: InferenceWorkload) -> float:
    """Sum of |log(measured / wanted)| over prompt and output length (a blank counts 0)."""
    d = 0.0
    for got, want in ((m.prompt_tokens, w.prompt_tokens), (m.output_tokens, w.output_tokens)):
        d += abs(math.log((got or want or 1.0) / (want or 1.0))) if got and want else 0.0
    return d


def _blanks(m: MeasuredThroughput) -> int:
    return (m.prompt_tokens is None) + (m.output_tokens is None)


def find_measured(measured: tuple[MeasuredThroughput, ...], chip: ChipSpec, model: ModelSpec,
                  w: InferenceWorkload) -> MeasuredThroughput | None:
    """The user's measurement for this chip, model, precision and shape, if any.

    A size slice's (``w.size_slice`` set) is a row whose lengths lie in the slice's
    bucket; among several, a row with both lengths given beats one with a blank ("any")
    length, then the closest to the slice's representative request wins.  Any other
    workload's is a row within 25% of its lengths, the closest winning.
    """
    hits = [m for m in measured
            if _matches(m.chip, chip) and _matches(m.model, model)
            and normalise(m.precision) == normalise(w.precision) and _fits(m, w)]
    if not hits:
        return None
    if w.size_slice is not None:
        return min(hits, key=lambda m: (_blanks(m), _distance(m, w)))
    return min(hits, key=lambda m: _distance(m, w))


def complete_set(inp: PlanInput, chip: ChipSpec, model: ModelSpec,
                 precision: str) -> CompleteMeasuredSet | None:
    """The declaration that the Measured rows of this chip x model x precision are
    complete (a blank model or precision covers every one), if any."""
    for c in inp.complete_measured:
        if (_matches(c.chip, chip) and (c.model is None or _matches(c.model, model))
                and (c.precision is None or normalise(c.precision) == normalise(precision))):
            return c
    return None


def _from_measured(m: MeasuredThroughput, chip: ChipSpec, model: ModelSpec,
                   w: InferenceWorkload) -> ThroughputEstimate:
    """The estimate a measurement gives: its output tokens/s per chip, or its requests/s
    per chip x the workload's (slice's) output tokens per request."""
    rate = m.output_rate(w.output_tokens)
    ok = rate > 0
    unit = ("output tokens/s per chip" if m.output_tokens_per_s_per_chip is not None
            else "requests/s per chip")
    given = (m.output_tokens_per_s_per_chip if m.output_tokens_per_s_per_chip is not None
             else m.requests_per_s_per_chip)
    return ThroughputEstimate(
        chip=chip.name, model=model.name, precision=w.precision, precision_used=w.precision,
        prompt_tokens=w.prompt_tokens, output_tokens=w.output_tokens, feasible=ok,
        output_tokens_per_s_per_chip=rate if ok else 0.0,
        chips_per_replica=1, source="measured",
        reason="" if ok else f"measured throughput is {given} {unit}")


def _not_measured(declared: CompleteMeasuredSet, chip: ChipSpec, model: ModelSpec,
                  w: InferenceWorkload) -> ThroughputEstimate:
    """Infeasible: the chip has no measurement for ``w``'s size in a set declared complete."""
    size = (w.size_slice.label if w.size_slice is not None
            else f"prompt {w.prompt_tokens:g}, output {w.output_tokens:g}")
    where = f" ({declared.source})" if declared.source else ""
    return ThroughputEstimate(
        chip=chip.name, model=model.name, precision=w.precision, precision_used=w.precision,
        prompt_tokens=w.prompt_tokens, output_tokens=w.output_tokens, feasible=False,
        source="measured",
        reason=f"no measurement of {chip.name} serving {model.name} {w.precision} at {size} "
               f"tokens in a Measured set declared complete{where}: it cannot serve this size")


def serving_stack(w: InferenceWorkload, offer: ChipOffer | None) -> str | None:
    """The workload's stack, else the chip offer's, else None (the default stack)."""
    return w.serving_stack or (offer.serving_stack if offer is not None else None)


def with_speedup(inp: PlanInput, est: ThroughputEstimate,
                 offer: ChipOffer | None) -> ThroughputEstimate:
    """``est`` with its software-maturity multiplier for every planned quarter attached.

    Quarter t's multiplier is exp(r · tau · (1 - exp(-(t_mid - t0) / tau))) with the
    family's rate r (or the offer's ``software_gain_per_year``) from the calibration date
    t0 to the quarter's midpoint (:mod:`planner.perf.maturity`).  Measured throughputs,
    infeasible estimates and ``software_maturity = no`` get none (1 everywhere).
    """
    if not inp.settings.software_maturity or est.source != "modelled" or not est.feasible:
        return est
    rate = est.software_gain_per_year
    if offer is not None and offer.software_gain_per_year is not None:
        rate = offer.software_gain_per_year
    speedup = tuple(factor(rate, quarter_midpoint(q.year, q.q), est.as_of_year)
                    for q in inp.periods)
    return replace(est, software_gain_per_year=rate, speedup_by_quarter=speedup)


def workload_estimate(inp: PlanInput, w: InferenceWorkload, chip: ChipSpec,
                      model: ModelSpec, offer: ChipOffer | None = None) -> ThroughputEstimate:
    """``w``'s throughput on ``chip``: the matching measurement, else infeasible when the
    chip's Measured set for the model is declared complete, else the performance model."""
    m = find_measured(inp.measured, chip, model, w)
    if m is not None:
        return _from_measured(m, chip, model, w)
    declared = complete_set(inp, chip, model, w.precision)
    if declared is not None:
        return _not_measured(declared, chip, model, w)
    est = estimate_throughput(chip, model, w.precision, w.prompt_tokens, w.output_tokens,
                              w.ttft_ms, w.tpot_ms, draft_tokens=w.draft_tokens,
                              acceptance=w.draft_acceptance, max_replica_chips=w.max_replica_chips,
                              stack=serving_stack(w, offer))
    return with_speedup(inp, est, offer)


def window_hours(inp: PlanInput, run: TrainingRun) -> float:
    """Hours between the start of ``earliest`` and the end of ``deadline``."""
    quarters = run.deadline - run.earliest + 1
    return max(quarters, 0) * inp.settings.hours_per_quarter


def gang_unit(chip: ChipSpec) -> int:
    domain = max(chip.scaleup_domain_chips, 1)
    return domain if domain <= MAX_GANG_UNIT else 8


def _smallest(ok, lo: int, hi: int) -> int:
    """Smallest k in [lo, hi] with ok(k), for ok monotone and ok(hi) true."""
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def gang_options(smallest: TrainingEstimate, run: TrainingRun, unit: int, quarter_hours: float,
                 estimate) -> tuple[tuple[int, float], ...]:
    """Bigger gangs than ``smallest`` the plan may use: for each whole quarter shorter than
    its duration, the smallest gang (a multiple of ``unit``, at most ``run.max_gang_chips``)
    that finishes within it, as (chips, hours) at that size's MFU.  None without a cap."""
    if run.max_gang_chips is None or not smallest.feasible:
        return ()
    top = min(MAX_TRAINING_CHIPS, run.max_gang_chips) // unit
    k = smallest.chips // unit
    options = []
    for quarters in range(math.ceil(smallest.hours / quarter_hours - 1e-9) - 1, 0, -1):
        if k >= top or estimate(top * unit).hours > quarters * quarter_hours:
            break
        k = _smallest(lambda j, q=quarters: estimate(j * unit).hours <= q * quarter_hours, k + 1, top)
        options.append((k * unit, estimate(k * unit).hours))
    return tuple(options)


def choose_gang(chip: ChipSpec, model: ModelSpec, run: TrainingRun, hours: float,
                quarter_hours: float = HOURS_PER_QUARTER) -> TrainingEstimate:
    """Smallest gang (a multiple of the scale-up unit) that holds the state and finishes in
    time, with the bigger, shorter gangs the run's ``max_gang_chips`` allows
    (:func:`gang_options`)."""
    unit = gang_unit(chip)
    top = MAX_TRAINING_CHIPS // unit

    def estimate(chips: int) -> TrainingEstimate:
        return estimate_training(chip, model, run.tokens, chips, run.precision, run.mfu,
                                 run.method, run.lora_rank)

    if not chip.modelable:
        return estimate(unit)
    resolve_precision(chip, run.precision)
    need = min_chips_for_state(chip, model, *check_method(run.method, run.lora_rank))
    if need == 0 or hours <= 0:
        est = estimate(unit)
        why = est.reason or f"the window from {run.earliest} to {run.deadline} is empty"
        return _fail(est, why)
    lo = max(1, math.ceil(need / unit))
    if lo > top:
        est = estimate(top * unit)
        return _fail(est, est.reason or f"needs more than {MAX_TRAINING_CHIPS} chips to hold the state")

    def ok(k: int) -> bool:
        return estimate(k * unit).hours <= hours

    if not ok(top):
        est = estimate(top * unit)
        return _fail(est, f"even {top * unit} chips need {est.hours:,.0f} h, more than the "
                          f"{hours:,.0f} h between {run.earliest} and {run.deadline}")
    smallest = estimate(_smallest(ok, lo, top) * unit)
    return replace(smallest, gang_options=gang_options(smallest, run, unit, quarter_hours, estimate))


def _fail(est: TrainingEstimate, reason: str) -> TrainingEstimate:
    return TrainingEstimate(chip=est.chip, model=est.model, tokens=est.tokens, chips=est.chips,
                            precision_used=est.precision_used, feasible=False, mfu=est.mfu,
                            hours=est.hours, reason=reason, method=est.method)


#: Fields that never change an estimate: the name, the demand series and its unit, where
#: demand came from, the parent of a size slice (same-shape slices of different workloads
#: share estimates; ``size_slice`` stays in the shape: it decides which measurement
#: matches), the mix (a slice has none; an unexpanded workload is estimated at its
#: means), and what only the optimizer reads (peak-to-average, allowed stacks,
#: disaggregation).
_NOT_SHAPE = ("name", "demand_tokens_per_day", "demand_p10_tokens_per_day",
              "demand_p90_tokens_per_day", "demand_unit", "demand_method", "parent", "mix",
              "peak_to_average", "stacks", "disaggregated")


def _shape(record: InferenceWorkload | TrainingRun) -> tuple:
    """Every field of a workload (or training run) but its name and demand: records of one
    shape share one estimate per chip (2,000 same-shape workloads are estimated once per
    chip).  A field added later is part of the shape unless listed in :data:`_NOT_SHAPE`,
    so sharing can only be too cautious, never wrong."""
    key = tuple((f.name, getattr(record, f.name)) for f in dataclasses.fields(record)
                if f.name not in _NOT_SHAPE)
    try:
        hash(key)
    except TypeError:  # a field that cannot be compared cheaply: estimate it alone
        return ("alone", record.name)
    return key


def plan_estimates(inp: PlanInput, stop: Callable[[], bool] | None = None
                   ) -> tuple[dict[tuple[str, str], ThroughputEstimate],
                              dict[tuple[str, str], TrainingEstimate]]:
    """Throughput per (workload, chip) and training estimate per (run, chip) offer; each
    distinct shape is estimated once per chip (see :func:`_shape`).  ``stop``, asked
    before each chip (in the Chips sheet's order), ends the estimation early when it
    says so: the chips left have no estimates (a run's time limit, planner.pipeline)."""
    chips_cat, models_cat = load_chips(), load_models()
    throughput: dict[tuple[str, str], ThroughputEstimate] = {}
    training: dict[tuple[str, str], TrainingEstimate] = {}
    models = {name: _spec(name, inp.model_specs, models_cat, "model")
              for name in {w.model for w in inp.workloads} | {r.model for r in inp.training}}
    for offer in inp.chips:
        if stop is not None and stop():
            break
        chip = _spec(offer.chip, inp.chip_specs, chips_cat, "chip")
        done: dict[tuple, ThroughputEstimate] = {}
        for w in inp.workloads:
            key = _shape(w)
            if key not in done:
                done[key] = workload_estimate(inp, w, chip, models[w.model], offer)
            throughput[(w.name, offer.chip)] = done[key]
        gangs: dict[tuple, TrainingEstimate] = {}
        for run in inp.training:
            key = _shape(run)
            if key not in gangs:
                gangs[key] = choose_gang(chip, models[run.model], run, window_hours(inp, run),
                                         inp.settings.hours_per_quarter)
            training[(run.name, offer.chip)] = gangs[key]
    return throughput, training


def _phase(inp: PlanInput, w: InferenceWorkload, chip: ChipSpec, model: ModelSpec,
           phase: str, offer: ChipOffer) -> ThroughputEstimate:
    """One phase of ``w`` on ``chip``: modelled, or infeasible when the chip's Measured set
    for the model is declared complete (it serves only what was measured)."""
    declared = complete_set(inp, chip, model, w.precision)
    if declared is not None:
        return replace(_not_measured(declared, chip, model, w), phase=phase)
    est = estimate_phase(chip, model, w.precision, w.prompt_tokens, w.output_tokens,
                         w.ttft_ms, w.tpot_ms, phase, draft_tokens=w.draft_tokens,
                         acceptance=w.draft_acceptance, max_replica_chips=w.max_replica_chips,
                         stack=serving_stack(w, offer))
    return with_speedup(inp, est, offer)


def phase_estimates(inp: PlanInput, skip: Collection[str] = (),
                    stop: Callable[[], bool] | None = None
                    ) -> dict[tuple[str, str, str], ThroughputEstimate]:
    """One-phase estimates per (workload, chip, "prefill"|"decode") for disaggregated workloads.

    Every chip offer but those in ``skip`` gets both phases of every workload with
    ``disaggregated=True``, until ``stop`` says so (those left serve colocated only).
    Measured throughputs are for colocated serving, so the phases are always modelled,
    except on a chip whose Measured set for the model is declared complete: it serves only
    what was measured, so both its phases are infeasible (:func:`_not_measured`).
    """
    out: dict[tuple[str, str, str], ThroughputEstimate] = {}
    split = [w for w in inp.workloads if w.disaggregated]
    if not split:
        return out
    chips_cat, models_cat = load_chips(), load_models()
    for offer in inp.chips:
        if offer.chip in skip:
            continue
        if stop is not None and stop():
            break
        chip = _spec(offer.chip, inp.chip_specs, chips_cat, "chip")
        for w in split:
            model = _spec(w.model, inp.model_specs, models_cat, "model")
            for phase in PHASES:
                out[(w.name, offer.chip, phase)] = _phase(inp, w, chip, model, phase, offer)
    return out


def estimate(inp: PlanInput, stop: Callable[[], bool] | None = None) -> Estimates:
    """Every estimate a plan of ``inp`` needs: throughput and training per chip offer, and
    the prefill and decode estimates of workloads that allow disaggregated serving.
    ``stop`` (asked before each chip) ends the estimation early; the chips left are
    listed in ``skipped_chips``."""
    throughput, training = plan_estimates(inp, stop)
    skipped: tuple[str, ...] = ()
    if inp.workloads or inp.training:
        done = {chip for _w, chip in throughput} | {chip for _r, chip in training}
        skipped = tuple(o.chip for o in inp.chips if o.chip not in done)
    return Estimates(throughput, training, phase_estimates(inp, skipped, stop), skipped)
