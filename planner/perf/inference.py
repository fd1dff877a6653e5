"""Serving throughput of one chip type for one model and workload shape.

:func:`estimate_throughput` tries every tensor x pipeline split of a replica, finds for
each the largest continuous batch that fits in memory and meets the latency targets,
and keeps the split with the highest output tokens/s per chip.  The per-round physics
is in :mod:`planner.perf.roofline`; the equations are in ``docs/perf.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.errors import PlannerError
from planner.domain.estimates import ThroughputEstimate
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.perf import roofline as rl
from planner.perf.catalog import chip_family
from planner.perf.efficiency import FINE_MOE_MIN_EXPERTS, IDEAL, Efficiency, workload_efficiency
from planner.perf.modelmath import (
    dense_precision,
    resolve_precision,
    weight_bytes,
    weight_only_formats,
)

#: Largest tensor-parallel group over PCIe when a chip has no scale-up links.
PCIE_MAX_TP = 8
#: Largest tensor-parallel group inside a big scale-up domain (TPU pods, NVL72).
MAX_TP = 64
#: Largest replica (tensor x pipeline chips).
MAX_REPLICA_CHIPS = 128
#: Scheduler cap: concurrent sequences per pipeline micro-batch.
MAX_SEQS_PER_MICROBATCH = 2048
#: Micro-batches per round tried for a pipeline of p stages: p, 2p, 4p, 8p.  More
#: micro-batches shrink the fill/drain bubble but re-read the weights more often and
#: multiply fewer tokens at a time; the search keeps whichever is fastest.
MICROBATCH_MULTIPLES = (1, 2, 4, 8)
#: Fewest routed experts for which wide expert parallelism is tried.  Engines deploy
#: data-parallel attention with wide EP for fine-grained MoE (DeepSeek-V3's 256
#: experts, Qwen3-MoE's and Llama 4 Maverick's 128); coarse MoE such as Mixtral (8)
#: is served tensor-parallel, as in NVIDIA's MLPerf submissions.  A judgement.
WIDE_EP_MIN_EXPERTS = FINE_MOE_MIN_EXPERTS


@dataclass(frozen=True)
class Operating:
    """One candidate operating point of a replica."""

    tp: int
    pp: int
    micro_batches: int
    batch: int
    ttft_ms: float
    tpot_ms: float
    per_chip: float
    bound: str
    dp: int = 1

    @property
    def chips(self) -> int:
        return self.tp * self.pp * self.dp


def _powers_of_two(limit: int) -> list[int]:
    out, v = [], 1
    while v <= limit:
        out.append(v)
        v *= 2
    return out


def parallel_splits(chip: ChipSpec, max_pp: int | None = None) -> list[tuple[int, int]]:
    """(tensor, pipeline) splits to try: tensor inside the scale-up domain (or over PCIe)."""
    domain = max(chip.scaleup_domain_chips, 1)
    max_tp = PCIE_MAX_TP if domain == 1 else min(domain, MAX_TP)
    splits = []
    for tp in _powers_of_two(max_tp):
        for pp in _powers_of_two(min(MAX_REPLICA_CHIPS // tp, max_pp or MAX_REPLICA_CHIPS)):
            splits.append((tp, pp))
    return splits


def wide_ep_groups(chip: ChipSpec, model: ModelSpec) -> list[int]:
    """Data-parallel attention groups to try with wide expert parallelism (MoE only).

    Each chip runs attention for its own sequences (attention tensor-parallel size 1,
    as DeepSeek's and SGLang's DP attention) and holds ``E / dp`` routed experts; only
    for models with at least :data:`WIDE_EP_MIN_EXPERTS` experts:
    powers of two from 2 up to :data:`MAX_REPLICA_CHIPS`, plus the scale-up domain
    size (72 for NVL72) when it is not one.
    """
    if not model.is_moe or model.experts < WIDE_EP_MIN_EXPERTS:
        return []
    groups = [d for d in _powers_of_two(MAX_REPLICA_CHIPS) if d >= 2]
    domain = max(chip.scaleup_domain_chips, 1)
    if 2 < domain <= MAX_REPLICA_CHIPS and domain not in groups:
        groups.append(domain)
    return sorted(groups)


def replica_layouts(chip: ChipSpec, model: ModelSpec, max_pp: int | None = None,
                    max_chips: int | None = None) -> list[tuple[int, int, int]]:
    """(tensor, pipeline, data-parallel attention) layouts of a replica to try.

    Every tensor x pipeline split (:func:`parallel_splits`, experts spread over the
    tensor group), and for a MoE model the wide expert-parallel layouts
    (1, 1, dp) of :func:`wide_ep_groups`; at most ``max_chips`` chips if given (e.g.
    8 for one server).
    """
    layouts = [(tp, pp, 1) for tp, pp in parallel_splits(chip, max_pp)]
    layouts += [(1, 1, dp) for dp in wide_ep_groups(chip, model)]
    return [x for x in layouts if max_chips is None or x[0] * x[1] * x[2] <= max_chips]


def micro_batch_options(pp: int) -> list[int]:
    """Micro-batches per round to try for ``pp`` pipeline stages (1 without a pipeline)."""
    return [1] if pp <= 1 else [pp * k for k in MICROBATCH_MULTIPLES]


def _evaluate(s: rl.Setup, tp: int, pp: int, m: int, batch: int, dp: int = 1) -> Operating:
    timing = rl.round_timing(s, tp, pp, batch, m, dp)
    tpot = timing.total_s / s.tokens_per_step
    ttft = timing.total_s + rl.prefill_seconds(s, tp, pp, dp)
    per_chip = batch * s.tokens_per_step / s.beams / (timing.total_s * tp * pp * dp)
    return Operating(tp, pp, m, batch, ttft * 1000.0, tpot * 1000.0, per_chip, timing.bound, dp)


def _meets(op: Operating, ttft_ms: float | None, tpot_ms: float | None) -> bool:
    if ttft_ms is not None and op.ttft_ms > ttft_ms:
        return False
    return tpot_ms is None or op.tpot_ms <= tpot_ms


def best_for_split(s: rl.Setup, tp: int, pp: int, ttft_ms: float | None,
                   tpot_ms: float | None, m: int | None = None, dp: int = 1
                   ) -> tuple[Operating | None, Operating | None]:
    """(best operating point meeting the targets or None, smallest-batch point or None).

    ``m`` micro-batches per round (default ``pp``), each of at least one sequence.
    Latency grows with the batch, so the largest batch meeting the targets is found by
    bisection; throughput per chip grows with the batch, so that batch is the best.
    The batch is capped by memory (:func:`planner.perf.roofline.max_batch`) and by the
    stack's concurrent-sequence cap (:func:`planner.perf.roofline.sequence_cap`).
    The second value is None when the model does not fit this split at all.
    """
    m = m or pp
    hi = min(rl.max_batch(s, tp, pp, dp), MAX_SEQS_PER_MICROBATCH * m * dp,
             rl.sequence_cap(s, tp * pp * dp))
    if hi < m * dp:
        return None, None
    lo = m * dp
    smallest = _evaluate(s, tp, pp, m, lo, dp)
    top = _evaluate(s, tp, pp, m, hi, dp)
    if _meets(top, ttft_ms, tpot_ms):
        return top, smallest
    if not _meets(smallest, ttft_ms, tpot_ms):
        return None, smallest
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _meets(_evaluate(s, tp, pp, m, mid, dp), ttft_ms, tpot_ms):
            lo = mid
        else:
            hi = mid
    return _evaluate(s, tp, pp, m, lo, dp), smallest


def search(s: rl.Setup, ttft_ms: float | None, tpot_ms: float | None,
           max_pipeline_parallel: int | None = None, max_chips: int | None = None,
           tensor_parallel: int | None = None) -> tuple[Operating | None, list[Operating]]:
    """The best operating point over every layout and micro-batch count meeting the
    targets (None if none does), and each layout's smallest-batch point.
    ``tensor_parallel`` keeps only layouts of that tensor-parallel degree."""
    best: Operating | None = None
    closest: list[Operating] = []
    for tp, pp, dp in replica_layouts(s.chip, s.model, max_pipeline_parallel, max_chips):
        if tensor_parallel is not None and tp != tensor_parallel:
            continue
        for m in micro_batch_options(pp):
            op, smallest = best_for_split(s, tp, pp, ttft_ms, tpot_ms, m, dp)
            if smallest is not None:
                closest.append(smallest)
            if op is not None and (best is None or op.per_chip > best.per_chip * (1 + 1e-9)):
                best = op
    return best, closest


def _result(base: dict, op: Operating, moe: bool = False) -> ThroughputEstimate:
    return ThroughputEstimate(
        **base, feasible=True, output_tokens_per_s_per_chip=op.per_chip,
        chips_per_replica=op.chips, tensor_parallel=op.tp, pipeline_parallel=op.pp,
        data_parallel=op.dp, expert_parallel=op.tp * op.dp if moe else 1,
        batch_size=op.batch, ttft_ms=op.ttft_ms, tpot_ms=op.tpot_ms, bound=op.bound)


def _infeasible(base: dict, reason: str, **best: float | None) -> ThroughputEstimate:
    return ThroughputEstimate(**base, feasible=False, reason=reason, **best)


def _latency_reason(closest: list[Operating], ttft_ms: float | None,
                    tpot_ms: float | None) -> tuple[str, float, float]:
    best_ttft = min(op.ttft_ms for op in closest)
    best_tpot = min(op.tpot_ms for op in closest)
    missed = []
    if tpot_ms is not None and best_tpot > tpot_ms:
        missed.append(f"TPOT target {tpot_ms:g} ms (best achievable {best_tpot:.1f} ms)")
    if ttft_ms is not None and best_ttft > ttft_ms:
        missed.append(f"TTFT target {ttft_ms:g} ms (best achievable {best_ttft:.1f} ms)")
    if not missed:
        missed.append(f"TTFT target {ttft_ms} ms and TPOT target {tpot_ms} ms together "
                      f"(best TTFT {best_ttft:.1f} ms, best TPOT {best_tpot:.1f} ms, not at once)")
    return "no batch meets the " + " or ".join(missed), best_ttft, best_tpot


def _check_speculation(draft_tokens: int, acceptance: float) -> None:
    if int(draft_tokens) < 0 or not 0.0 <= float(acceptance) < 1.0:
        raise PlannerError("speculative decoding needs draft tokens >= 0 and an acceptance rate "
                           f"in [0, 1), got {draft_tokens} and {acceptance}")


def make_setup(chip: ChipSpec, model: ModelSpec, used: str, prompt_tokens: float,
               output_tokens: float, eff: Efficiency, beams: int = 1, draft_tokens: int = 0,
               acceptance: float = 0.0, requested: str = "") -> rl.Setup:
    """The :class:`~planner.perf.roofline.Setup` of a question, with per-component precision.

    ``requested`` narrower than ``used`` (the chip lacks its math) keeps the weights at
    the requested width and multiplies at the activations' format
    (:func:`planner.perf.modelmath.weight_only_formats`).
    """
    _check_speculation(draft_tokens, acceptance)
    compute, stored = weight_only_formats(chip, model, requested, used)
    return rl.Setup(chip, model, compute, float(prompt_tokens), float(output_tokens), eff,
                    beams=max(int(beams), 1), dense_precision=dense_precision(chip, model, compute),
                    draft_tokens=int(draft_tokens), acceptance=float(acceptance),
                    weight_precision=stored)


def _check_inputs(prompt_tokens: float, output_tokens: float, ttft_ms: float | None,
                  tpot_ms: float | None) -> None:
    if not prompt_tokens >= 0 or not output_tokens > 0:
        raise PlannerError("prompt tokens must be >= 0 and output tokens > 0, got "
                           f"{prompt_tokens} and {output_tokens}")
    for label, value in (("TTFT", ttft_ms), ("TPOT", tpot_ms)):
        if value is not None and not value > 0:
            raise PlannerError(f"the {label} target must be > 0 ms, got {value}")


def estimate_throughput(chip: ChipSpec, model: ModelSpec, precision: str, prompt_tokens: float,
                        output_tokens: float, ttft_ms: float | None = None,
                        tpot_ms: float | None = None, *, calibrated: bool = True,
                        efficiency: Efficiency | None = None,
                        max_pipeline_parallel: int | None = None,
                        beam_width: int = 1, draft_tokens: int = 0,
                        acceptance: float = 0.0,
                        max_replica_chips: int | None = None,
                        tensor_parallel: int | None = None,
                        stack: str | None = None) -> ThroughputEstimate:
    """Best steady-state output tokens/s per chip for this workload shape and targets.

    ``calibrated=False`` uses the bare datasheet roofline; ``efficiency`` overrides the
    family calibration (used by the calibration script itself, which also pins
    ``tensor_parallel`` to the degree a published result ran).  ``draft_tokens`` and
    ``acceptance`` turn on speculative decoding (multi-token prediction);
    ``max_replica_chips`` caps the replica (8: one server).  ``stack`` is the serving
    stack (``vllm`` by default: what a typical buyer runs; :mod:`planner.perf.efficiency`).
    """
    _check_inputs(prompt_tokens, output_tokens, ttft_ms, tpot_ms)
    base = {"chip": chip.name, "model": model.name, "precision": precision,
                "prompt_tokens": float(prompt_tokens), "output_tokens": float(output_tokens)}
    if not chip.modelable:
        return _infeasible({**base, "precision_used": precision},
                           f"{chip.name} cannot be modelled: {chip.note}")
    used = resolve_precision(chip, precision)
    base["precision_used"] = used
    compute, stored = weight_only_formats(chip, model, precision, used)
    eff = efficiency or (workload_efficiency(chip_family(chip), chip.name, model.is_moe,
                                             beam_width, stack,
                                             model.experts >= FINE_MOE_MIN_EXPERTS,
                                             compute == "fp8", bool(stored))
                         if calibrated else IDEAL)
    base.update(stack=eff.stack if eff is not IDEAL else "", as_of_year=eff.as_of_year,
                software_gain_per_year=eff.software_gain_per_year)
    s = make_setup(chip, model, used, prompt_tokens, output_tokens, eff, beam_width,
                   draft_tokens, acceptance, requested=precision)
    base["precision_used"] = s.precision
    base["dense_precision_used"] = s.dense
    if max_replica_chips is not None and int(max_replica_chips) < 1:
        raise PlannerError(f"the replica needs at least 1 chip, got {max_replica_chips}")
    best, closest = search(s, ttft_ms, tpot_ms, max_pipeline_parallel, max_replica_chips,
                           tensor_parallel)
    if best is not None:
        return _result(base, best, model.is_moe)
    if not closest:
        need = weight_bytes(model, s.stored, s.dense)
        most = max((tp * pp * dp for tp, pp, dp in
                    replica_layouts(chip, model, max_chips=max_replica_chips)), default=0)
        return _infeasible(base, f"{model.name} at {s.stored} ({need / 1e9:.0f} GB of weights) plus "
                           f"the KV cache of one request does not fit in {chip.name} "
                           f"({chip.memory_gb:g} GB per chip) even on {most} chips")
    reason, best_ttft, best_tpot = _latency_reason(closest, ttft_ms, tpot_ms)
    return _infeasible(base, reason, best_ttft_ms=best_ttft, best_tpot_ms=best_tpot)
