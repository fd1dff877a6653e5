"""One-phase serving estimates for disaggregated prefill/decode (Splitwise, DistServe).

A disaggregated deployment runs prompts on a prefill pool and token generation on a
decode pool, possibly of different chip types, and ships each request's KV cache from
one to the other.  :func:`estimate_phase` says how many requests/s one chip serves when
it does only one phase:

* **prefill**: batches of ``b`` prompts run back to back (no decode steps in between).
  A request arriving just after a batch started waits for it, then rides in the next
  one, so TTFT = 2 x the batch time; the chip holds the weights and the KV of the
  prompts it is prefilling.  Rate = b / (batch time x chips).
* **decode**: steps of ``B`` sequences, one token each, no prefill chunks.  The KV of
  the ``B`` sequences at their average context P + O/2 must fit beside the weights and
  the step must meet TPOT.  Rate = B / (O x step time x chips).

Rates are returned request-equivalent (``output_tokens_per_s_per_chip`` = requests/s x
O), so ``requests_per_s_per_chip`` and ``tokens_per_s_per_chip`` mean the same as for a
colocated estimate.  The same calibration, (tensor, pipeline, micro-batch) search and
memory rule as :func:`planner.perf.inference.estimate_throughput` apply.  The KV
transfer between pools is not costed.  Equations: ``docs/perf.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial

from planner.domain.errors import PlannerError
from planner.domain.estimates import ThroughputEstimate
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.perf import modelmath as mm
from planner.perf import moe
from planner.perf import roofline as rl
from planner.perf.catalog import chip_family
from planner.perf.efficiency import FINE_MOE_MIN_EXPERTS, IDEAL, workload_efficiency
from planner.perf.inference import (
    MAX_SEQS_PER_MICROBATCH,
    Operating,
    _check_inputs,
    make_setup,
    micro_batch_options,
    replica_layouts,
)

PHASES = ("prefill", "decode")
#: A request waits for the running prefill batch, then rides in the next one.
PREFILL_BATCHES_IN_TTFT = 2.0


class DecodeOnly(rl.Setup):
    """A :class:`~planner.perf.roofline.Setup` whose rounds carry no prefill chunks.

    :func:`planner.perf.roofline.round_timing` then times a pure decode step: ``batch``
    tokens, KV reads and attention at the average context P + O/2.
    """

    @property
    def prefill_per_decode(self) -> float:
        return 0.0


def max_sequences(s: rl.Setup, tp: int, pp: int, phase: str, dp: int = 1) -> int:
    """Largest batch whose KV fits beside the weights on a ``tp·pp·dp`` replica.

    Prefill holds the KV of the P-token prompts in flight; decode the KV of each
    sequence at its average context P + O/2 (paged KV grows as a sequence decodes).
    Each chip holds its weight share and its attention group's KV share, as in
    :func:`planner.perf.roofline.max_batch`.
    """
    tokens = s.prompt if phase == "prefill" else s.decode_context
    free = s.chip.memory_gb * 1e9 * rl.USABLE_MEMORY_FRACTION
    free -= mm.chip_weight_bytes(s.model, s.stored, s.dense, tp, pp, dp)
    per_seq = tokens * s.kv_per_token
    if free <= 0 or per_seq <= 0:
        return 0
    return int(dp * (free * pp * mm.kv_shards(s.model, tp) // per_seq))


def prefill_timing(s: rl.Setup, tp: int, pp: int, prompts: float, micro_batches: int,
                   dp: int = 1) -> rl.Timing:
    """Wall time of one prefill batch of ``prompts`` P-token prompts on ``tp`` x ``pp`` chips.

    The batch's b·P tokens are split into ``micro_batches`` micro-batches streaming
    through the stages in lockstep (as a colocated round); each re-reads its stage's
    weights.  Attention is causal: a prompt token attends to P/2 tokens on average.
    With b = 1 and pp = 1 this is :func:`planner.perf.roofline.prefill_seconds`.
    """
    chips, m = tp * pp * dp, max(int(micro_batches), 1)
    tokens = prompts * s.prompt
    micro = tokens / m
    stream = s.bandwidth * s.eff.memory
    gemm_c = rl._gemm_seconds(s, micro, m, tp, pp, dp)
    weight_s = m * mm.chip_touched_bytes(s.model, s.stored, s.dense, micro, tp, pp, dp) / stream
    attn_flops = tokens * mm.prefill_attention_flops_per_token(s.model, s.prompt / 2.0)
    attn_s = attn_flops / (chips * s.attention_peak_flops * s.eff.compute)
    permute_s = moe.permute_bytes(s.model, tokens, tp * dp, pp) / stream
    comm = rl._comm_seconds(s, tokens, tp, pp, m, dp)
    a2a, a2a_latency = rl.all_to_all_seconds(s, tokens, tp, pp, dp, m)
    busy = max(gemm_c, weight_s) + attn_s + permute_s + comm + a2a + a2a_latency
    busy += s.model.layers / pp * m * s.eff.layer_overhead_us * 1e-6
    busy *= rl.stage_imbalance(s.model.layers, pp)
    total = busy * rl.bubble_factor(pp, m)
    ideal = 2.0 * tokens * s.model.active_params_b * 1e9 / (chips * s.peak_flops * s.eff.compute)
    return rl.Timing(compute_s=ideal + attn_s, memory_s=weight_s + permute_s, comm_s=comm,
                     total_s=total, bubble_s=total - busy)


def _prefill_point(s: rl.Setup, tp: int, pp: int, dp: int, m: int, prompts: int) -> Operating:
    timing = prefill_timing(s, tp, pp, prompts, m, dp)
    ttft = PREFILL_BATCHES_IN_TTFT * timing.total_s
    rate = prompts / (timing.total_s * tp * pp * dp)
    return Operating(tp, pp, m, prompts, ttft * 1000.0, 0.0, rate, timing.bound, dp)


def _decode_point(s: rl.Setup, tp: int, pp: int, dp: int, m: int, batch: int) -> Operating:
    timing = rl.round_timing(s, tp, pp, batch, m, dp)
    tau = s.tokens_per_step
    rate = batch * tau / (s.output * timing.total_s * tp * pp * dp)
    return Operating(tp, pp, m, batch, 0.0, timing.total_s / tau * 1000.0, rate, timing.bound, dp)


def _largest_meeting(point: Callable[[int], Operating], ok: Callable[[Operating], bool],
                     lo: int, hi: int) -> tuple[Operating | None, Operating]:
    """(point at the largest batch in [lo, hi] meeting ``ok`` or None, point at ``lo``).

    Latency grows with the batch and so does the rate per chip, so the largest batch
    meeting the target is the best; it is found by bisection.
    """
    smallest = point(lo)
    top = point(hi)
    if ok(top):
        return top, smallest
    if not ok(smallest):
        return None, smallest
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(point(mid)):
            lo = mid
        else:
            hi = mid
    return point(lo), smallest


def _search(s: rl.Setup, phase: str, target_ms: float | None, max_chips: int | None = None
            ) -> tuple[Operating | None, list[Operating]]:
    """Best point over every (tensor, pipeline, micro-batch) split, and each split's smallest."""
    best: Operating | None = None
    closest: list[Operating] = []
    evaluate = _prefill_point if phase == "prefill" else _decode_point

    def ok(op: Operating) -> bool:
        got = op.ttft_ms if phase == "prefill" else op.tpot_ms
        return target_ms is None or got <= target_ms

    for tp, pp, dp in replica_layouts(s.chip, s.model, max_chips=max_chips):
        fits = max_sequences(s, tp, pp, phase, dp)
        for m in micro_batch_options(pp):
            hi = min(fits, MAX_SEQS_PER_MICROBATCH * m * dp)
            if hi < m * dp:
                continue
            op, smallest = _largest_meeting(partial(evaluate, s, tp, pp, dp, m), ok, m * dp, hi)
            closest.append(smallest)
            if op is not None and (best is None or op.per_chip > best.per_chip * (1 + 1e-9)):
                best = op
    return best, closest


def _estimate(base: dict, op: Operating, phase: str, output_tokens: float,
              moe_model: bool = False) -> ThroughputEstimate:
    return ThroughputEstimate(
        **base, feasible=True, output_tokens_per_s_per_chip=op.per_chip * output_tokens,
        chips_per_replica=op.chips, tensor_parallel=op.tp, pipeline_parallel=op.pp,
        data_parallel=op.dp, expert_parallel=op.tp * op.dp if moe_model else 1,
        batch_size=op.batch, ttft_ms=op.ttft_ms, tpot_ms=op.tpot_ms, bound=op.bound, phase=phase)


def _no_fit_reason(s: rl.Setup, phase: str) -> str:
    what = (f"one {s.prompt:g}-token prompt" if phase == "prefill"
            else f"one request at its average context ({s.decode_context:g} tokens)")
    need = mm.weight_bytes(s.model, s.stored, s.dense)
    most = max(a * b * c for a, b, c in replica_layouts(s.chip, s.model))
    return (f"{phase}: {s.model.name} at {s.precision} ({need / 1e9:.0f} GB of weights) plus "
            f"the KV cache of {what} does not fit in {s.chip.name} "
            f"({s.chip.memory_gb:g} GB per chip) even on {most} chips")


def _missed(base: dict, phase: str, target_ms: float, closest: list[Operating]) -> ThroughputEstimate:
    if phase == "prefill":
        best = min(op.ttft_ms for op in closest)
        reason = (f"prefill: no batch meets the TTFT target {target_ms:g} ms (best achievable "
                  f"{best:.1f} ms: waiting for the running batch, then its own)")
        return ThroughputEstimate(**base, feasible=False, reason=reason, best_ttft_ms=best,
                                  phase=phase)
    best = min(op.tpot_ms for op in closest)
    reason = f"decode: no batch meets the TPOT target {target_ms:g} ms (best achievable {best:.1f} ms)"
    return ThroughputEstimate(**base, feasible=False, reason=reason, best_tpot_ms=best, phase=phase)


def estimate_phase(chip: ChipSpec, model: ModelSpec, precision: str, prompt_tokens: float,
                   output_tokens: float, ttft_ms: float | None = None,
                   tpot_ms: float | None = None, phase: str = "prefill", *,
                   calibrated: bool = True, draft_tokens: int = 0, acceptance: float = 0.0,
                   max_replica_chips: int | None = None,
                   stack: str | None = None) -> ThroughputEstimate:
    """Request-equivalent throughput of a chip doing only ``phase`` ("prefill" or "decode").

    Prefill is held to ``ttft_ms`` and decode to ``tpot_ms``; the other target does not
    apply to the phase.  ``feasible=False`` with a reason when the phase does not fit or
    cannot meet its target.  ``draft_tokens`` / ``acceptance`` (speculative decoding)
    and ``max_replica_chips`` as for :func:`planner.perf.inference.estimate_throughput`.
    """
    _check_inputs(prompt_tokens, output_tokens, ttft_ms, tpot_ms)
    if phase not in PHASES:
        raise PlannerError(f"unknown phase '{phase}'; known: {', '.join(PHASES)}")
    base = {"chip": chip.name, "model": model.name, "precision": precision,
            "prompt_tokens": float(prompt_tokens), "output_tokens": float(output_tokens)}
    if not chip.modelable:
        return ThroughputEstimate(**base, precision_used=precision, feasible=False, phase=phase,
                                  reason=f"{chip.name} cannot be modelled: {chip.note}")
    used = mm.resolve_precision(chip, precision)
    base["precision_used"] = used
    if phase == "prefill" and prompt_tokens <= 0:
        return ThroughputEstimate(**base, feasible=False, phase=phase,
                                  reason="prefill: the workload has no prompt tokens to prefill")
    compute, stored = mm.weight_only_formats(chip, model, precision, used)
    eff = (workload_efficiency(chip_family(chip), chip.name, model.is_moe, 1, stack,
                               model.experts >= FINE_MOE_MIN_EXPERTS, compute == "fp8",
                               bool(stored))
           if calibrated else IDEAL)
    setup = make_setup(chip, model, used, prompt_tokens, output_tokens, eff,
                       draft_tokens=draft_tokens, acceptance=acceptance, requested=precision)
    base["precision_used"] = setup.precision
    base.update(stack=eff.stack if eff is not IDEAL else "", as_of_year=eff.as_of_year,
                software_gain_per_year=eff.software_gain_per_year)
    setup_type = rl.Setup if phase == "prefill" else DecodeOnly
    s = setup_type(**{f.name: getattr(setup, f.name) for f in dataclasses.fields(setup)})
    target = ttft_ms if phase == "prefill" else tpot_ms
    best, closest = _search(s, phase, target, max_replica_chips)
    if best is not None:
        return _estimate(base, best, phase, float(output_tokens), model.is_moe)
    if not closest:
        return ThroughputEstimate(**base, feasible=False, phase=phase, reason=_no_fit_reason(s, phase))
    return _missed(base, phase, target, closest)
