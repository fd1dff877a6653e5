"""Time per decode iteration and per prefill for one replica: a roofline with overheads.

A replica is ``tp`` x ``pp`` chips: tensor parallelism inside a stage, pipeline
parallelism across ``pp`` stages fed with ``pp`` micro-batches.  Continuous batching
runs ``batch`` sequences; each iteration ("round") advances every sequence by one
output token and also prefills the prompts of the sequences that replace the
finished ones, so in steady state a round carries ``batch · (1 + P/O)`` tokens.
All times are per-chip busy time, in seconds.  Equations: ``docs/perf.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.domain.hardware import ChipSpec, ModelSpec
from planner.perf import modelmath as mm
from planner.perf import moe
from planner.perf.efficiency import Efficiency, scheduler_limits

#: Fraction of HBM usable for weights and KV cache (the rest: activations, workspace,
#: fragmentation).  vLLM's default ``gpu_memory_utilization`` is 0.9.
USABLE_MEMORY_FRACTION = 0.9
#: PCIe Gen4 x16 (both directions), used where a chip publishes no scale-up bandwidth.
PCIE_GBS = 64.0
#: Per-chip scale-out bandwidth (one 400 Gb/s NIC per accelerator, as in DGX H100),
#: both directions; used by pipeline stages that cross the scale-up domain.
SCALEOUT_GBS = 100.0
#: Fraction of link bandwidth a collective achieves (bus bandwidth / link bandwidth).
LINK_EFFICIENCY = 0.8
#: The same over PCIe, for chips without scale-up links: an all-reduce among 8 PCIe
#: cards crosses the host's root complexes and switches and shares them, so it reaches
#: far less of the per-card link rate than a ring over NVLink does.  0.25 is fitted by
#: eye to the L40S calibration points (8x L40S Llama 2 70B runs ~35-65 % below the
#: model at 0.8, while GPT-J on 1-2 cards, with no all-reduce, matches): see
#: docs/calibration.md.
PCIE_LINK_EFFICIENCY = 0.25
#: Fixed latency per collective or pipeline send, seconds.
COLLECTIVE_LATENCY_S = 10e-6
#: Chips served by one scheduler (one engine per 8-GPU server: vLLM's one engine for
#: tensor parallelism 8, SGLang's data-parallel attention ranks of one server share one
#: chunked-prefill budget).  Token and sequence caps apply per engine.
ENGINE_CHIPS = 8


@dataclass(frozen=True)
class Setup:
    """Everything fixed for one (chip, model, precision, workload shape) question.

    ``precision`` is the format the routed experts (every weight of a dense model) are
    multiplied in; ``weight_precision`` the format they are stored and read in (blank:
    the same; narrower for weight-only quantisation, e.g. MXFP4 experts upcast on a chip
    without FP4 tensor cores); ``dense_precision`` that of attention and the always-active
    weights (blank: the same).  ``draft_tokens`` / ``acceptance``: speculative decoding (multi-token
    prediction), see :func:`planner.perf.modelmath.tokens_per_step`.
    """

    chip: ChipSpec
    model: ModelSpec
    precision: str
    prompt: float
    output: float
    eff: Efficiency
    beams: int = 1
    dense_precision: str = ""
    draft_tokens: int = 0
    acceptance: float = 0.0
    weight_precision: str = ""

    @property
    def stored(self) -> str:
        """Format the routed-expert (dense model: all) weights occupy memory and are read in."""
        return self.weight_precision or self.precision

    @property
    def prefill_per_decode(self) -> float:
        """Prompt tokens prefilled per decoded token (beams share one prefill)."""
        return self.prompt / (self.output * self.beams)

    @property
    def dense(self) -> str:
        """Format of attention and always-active weights (and the KV cache's basis)."""
        return self.dense_precision or self.precision

    @property
    def peak_flops(self) -> float:
        """Peak FLOP/s of the routed-expert multiplies (every multiply of a dense model)."""
        return self.chip.peak_tflops[self.precision] * 1e12

    @property
    def dense_peak_flops(self) -> float:
        """Peak FLOP/s of attention and always-active multiplies."""
        return self.chip.peak_tflops[self.dense] * 1e12

    @property
    def attention_peak_flops(self) -> float:
        """Peak FLOP/s of the attention core (scores and values over the KV cache).

        Multi-head latent attention runs its score and value products in BF16 (FlashMLA
        and the MHA-form prefill kernels vLLM and SGLang use for MLA); other attention at
        the dense format, as the calibrated FP8 attention of the Llama rows.
        """
        if self.model.attention == "mla":
            return self.chip.peak_tflops.get("bf16", 0.0) * 1e12 or self.dense_peak_flops
        return self.dense_peak_flops

    @property
    def bandwidth(self) -> float:
        return self.chip.memory_bw_tbs * 1e12

    @property
    def kv_per_token(self) -> float:
        """KV bytes per context token at the average decode context: sliding-window layers
        keep at most their window, so a model with them stores less per token."""
        share = self.model.attended_tokens(self.decode_context) / max(self.decode_context, 1e-9)
        return mm.kv_bytes_per_token(self.model, self.dense) * share

    @property
    def decode_context(self) -> float:
        """Average context length a decoding sequence attends to: P + O/2."""
        return self.prompt + self.output / 2.0

    @property
    def tokens_per_step(self) -> float:
        """Output tokens a sequence gains per decode step (1 without speculation)."""
        return mm.tokens_per_step(self.draft_tokens, self.acceptance)

    @property
    def verified_per_step(self) -> float:
        """Tokens per sequence the model runs per decode step: 1 + draft tokens."""
        return 1.0 + max(int(self.draft_tokens), 0)

    def round_tokens(self, batch: float) -> float:
        """Tokens through the model per round: B·(1 + d) decode + B·tau·P/O prefill."""
        return batch * (self.verified_per_step + self.tokens_per_step * self.prefill_per_decode)


@dataclass(frozen=True)
class Timing:
    """Time of one round on one chip, split by what it is spent on.

    ``compute_s`` counts FLOPs at the large-multiply efficiency (the small-multiply
    penalty is not "compute" work), so ``bound`` says which roofline dominates.
    ``total_s`` is the wall time of the round: the chip's busy time plus
    ``bubble_s``, the time it idles while a pipeline fills and drains.
    """

    compute_s: float
    memory_s: float
    comm_s: float
    total_s: float
    bubble_s: float = 0.0

    @property
    def bound(self) -> str:
        return "compute" if self.compute_s >= self.memory_s else "memory"


def scaleup_bandwidth(chip: ChipSpec) -> float:
    """One-direction bytes/s a chip gets into its tensor-parallel group."""
    gbs = chip.scaleup_gbs_per_chip or PCIE_GBS
    pcie = max(chip.scaleup_domain_chips, 1) <= 1
    return gbs / 2.0 * 1e9 * (PCIE_LINK_EFFICIENCY if pcie else LINK_EFFICIENCY)


def pipeline_bandwidth(chip: ChipSpec, chips: int) -> float:
    """One-direction bytes/s between pipeline stages.

    Inside the scale-up domain, the scale-up links; past it, the scale-out NIC, but
    never more than the chip's own path to it (a PCIe-only chip reaches everything,
    NIC included, over PCIe).
    """
    if chips > max(chip.scaleup_domain_chips, 1):
        return min(SCALEOUT_GBS / 2.0 * 1e9 * LINK_EFFICIENCY, scaleup_bandwidth(chip))
    return scaleup_bandwidth(chip)


def stage_imbalance(layers: int, pp: int) -> float:
    """Slowest stage over the average one: layers are whole, so some stage holds ceil(L / p)."""
    if pp <= 1 or layers <= 0:
        return 1.0
    return math.ceil(layers / pp) * pp / layers


def bubble_factor(pp: int, micro_batches: int) -> float:
    """Wall time over busy time of a pipelined round: (m + p - 1) / m.

    A round ends when the last of the ``m`` micro-batches leaves the last of the ``p``
    stages, and the next round needs this round's tokens, so each stage idles for
    ``p - 1`` micro-batch slots while the pipeline fills and drains (the GPipe bubble,
    idle fraction (p - 1) / (m + p - 1)).
    """
    if pp <= 1:
        return 1.0
    m = max(int(micro_batches), 1)
    return (m + pp - 1) / m


def engines(chips: int) -> int:
    """Scheduler instances serving a replica: one per server of :data:`ENGINE_CHIPS` chips."""
    return max(math.ceil(chips / ENGINE_CHIPS), 1)


def forward_passes(s: Setup, tokens: float, chips: int) -> int:
    """Forward passes a round of ``tokens`` tokens needs under the stack's token budget.

    A scheduler runs at most ``tokens_per_pass`` tokens (decode tokens plus prefill
    chunks) per forward pass (:func:`planner.perf.efficiency.scheduler_limits`), so a
    round of ``T`` tokens on a replica of ``n`` chips takes
    ``ceil(T / (budget · engines(n)))`` passes, each reading the weights its tokens
    touch again and multiplying fewer tokens per expert.  1 without a budget.
    """
    budget, _ = scheduler_limits(s.eff.stack)
    if budget is None or tokens <= 0:
        return 1
    return max(math.ceil(tokens / (budget * engines(chips)) - 1e-9), 1)


def sequence_cap(s: Setup, chips: int) -> int:
    """Most concurrent sequences the stack's schedulers run on ``chips`` chips (a large
    number without a cap): ``max_seqs · engines(chips)``."""
    _, seqs = scheduler_limits(s.eff.stack)
    return 1 << 30 if seqs is None else seqs * engines(chips)


def max_batch(s: Setup, tp: int, pp: int, dp: int = 1) -> int:
    """Largest number of concurrent sequences whose KV cache fits beside the weights.

    Each chip holds its share of the weights (:func:`planner.perf.modelmath.chip_weight_bytes`)
    and of its attention group's KV: a group's KV is split over ``kv_shards(t)`` of its
    chips and over the ``pp`` stages, and each of the ``dp`` groups serves its own
    sequences.  Every sequence reserves KV for its whole P + O tokens (beams of one
    request share the prompt's).  0 if even the weights do not fit.
    """
    free = s.chip.memory_gb * 1e9 * USABLE_MEMORY_FRACTION
    free -= mm.chip_weight_bytes(s.model, s.stored, s.dense, tp, pp, dp)
    per_seq = (s.prompt / s.beams + s.output) * s.kv_per_token
    if free <= 0 or per_seq <= 0:
        return 0
    return int(dp * (free * pp * mm.kv_shards(s.model, tp) // per_seq))


def _gemm_seconds(s: Setup, micro_tokens: float, micro_batches: int, tp: int, pp: int,
                  dp: int = 1) -> float:
    """Per-chip compute time of the linear layers: ``micro_batches`` x ``micro_tokens`` tokens.

    Always-active weights multiply each attention group's share of the micro-batch
    (``micro_tokens / dp``) at the dense precision; routed experts each multiply only
    their own tokens, gathered from every group
    (:func:`planner.perf.moe.routed_flop_seconds` over ``tp · dp`` chips).
    """
    shared, per_expert = mm.expert_split(s.model)
    if per_expert <= 0:
        shared = s.model.active_params_b * 1e9
    group = micro_tokens / dp
    flop_time = micro_batches * 2.0 * group * shared / s.eff.gemm_efficiency(group)
    flop_time /= tp * pp * s.dense_peak_flops
    routed = moe.routed_flop_seconds(s.model, s.eff, micro_tokens, micro_batches, tp * dp, pp)
    return flop_time + routed / s.peak_flops


def _tp_comm_seconds(s: Setup, tokens: float, tp: int, allreduces: float) -> float:
    """Ring all-reduce of the activations of ``tokens`` tokens, twice per layer."""
    if tp <= 1:
        return 0.0
    volume = tokens * s.model.hidden_size * mm.ACTIVATION_BYTES * 2.0 * (tp - 1) / tp
    per_layer_bytes = 2.0 * s.model.layers * volume
    return per_layer_bytes / scaleup_bandwidth(s.chip) + allreduces * COLLECTIVE_LATENCY_S


def _comm_seconds(s: Setup, tokens: float, tp: int, pp: int, micro_batches: int,
                  dp: int = 1) -> float:
    """Per-chip communication of a round: tensor all-reduces and pipeline sends."""
    layers_here = s.model.layers / pp
    comm = _tp_comm_seconds(s, tokens / (pp * dp), tp, 2.0 * layers_here * micro_batches)
    if pp > 1:
        send = tokens * s.model.hidden_size * mm.ACTIVATION_BYTES
        comm += send / pipeline_bandwidth(s.chip, tp * pp) + micro_batches * COLLECTIVE_LATENCY_S
    return comm


def all_to_all_seconds(s: Setup, tokens: float, tp: int, pp: int, dp: int,
                       micro_batches: int) -> tuple[float, float]:
    """(transfer, latency) seconds per chip of a round's MoE dispatch and combine.

    Only with data-parallel attention (``dp > 1``): the experts of ``tp · dp`` chips
    serve tokens from every group.  Transfer runs over the scale-up links inside the
    domain and the scale-out NIC past it (:func:`planner.perf.moe.all_to_all_seconds`);
    two collectives per MoE layer and micro-batch each pay the fixed latency.
    """
    if dp <= 1 or not s.model.is_moe:
        return 0.0, 0.0
    ep = tp * dp
    out = min(SCALEOUT_GBS / 2.0 * 1e9 * LINK_EFFICIENCY, scaleup_bandwidth(s.chip))
    domain = max(s.chip.scaleup_domain_chips, 1)
    experts_bytes = mm.BYTES_PER_VALUE[s.precision]
    transfer = moe.all_to_all_seconds(s.model, experts_bytes, tokens / pp, ep, domain,
                                      scaleup_bandwidth(s.chip), out)
    latency = 2.0 * s.model.routed_layers / pp * micro_batches * COLLECTIVE_LATENCY_S
    return transfer, latency


def round_timing(s: Setup, tp: int, pp: int, batch: float, micro_batches: int | None = None,
                 dp: int = 1) -> Timing:
    """Time of one continuous-batching round with ``batch`` sequences on ``tp·pp·dp`` chips.

    The round's tokens are split into ``micro_batches`` micro-batches (default ``pp``,
    and at least the :func:`forward_passes` the stack's per-pass token budget needs)
    that stream through the stages; each re-reads its stage's weights.  ``dp`` attention
    groups share one expert-parallel pool; their all-to-all is not overlapped with
    compute (DeepSeek's two-micro-batch overlap is not what a default vLLM or SGLang
    runs: conservative for tuned deployments).  With
    beam search, ``batch`` counts beams.  Speculative decoding runs ``1 + d`` tokens
    per sequence and ``d`` draft passes of one layer each.
    """
    chips = tp * pp * dp
    tokens = s.round_tokens(batch)
    m = max(int(micro_batches or pp), forward_passes(s, tokens, chips), 1)
    stream = s.bandwidth * s.eff.memory
    gemm_c = _gemm_seconds(s, tokens / m, m, tp, pp, dp)
    weight_s = m * mm.chip_touched_bytes(s.model, s.stored, s.dense, tokens / m, tp, pp, dp) / stream
    kv_s = batch * s.decode_context * s.kv_per_token / (dp * pp * mm.kv_shards(s.model, tp) * stream)
    attn_rate = chips * s.attention_peak_flops * s.eff.compute
    attn_dec_s = batch * s.verified_per_step * mm.attention_flops_per_token(s.model, s.decode_context)
    attn_dec_s /= attn_rate
    pre_tokens = batch * s.tokens_per_step * s.prefill_per_decode
    attn_pre_s = pre_tokens * mm.prefill_attention_flops_per_token(s.model, s.prompt / 2) / attn_rate
    permute_s = moe.permute_bytes(s.model, tokens, tp * dp, pp) / stream
    comm = _comm_seconds(s, tokens, tp, pp, m, dp)
    a2a, a2a_latency = all_to_all_seconds(s, tokens, tp, pp, dp, m)
    ideal = 2.0 * tokens * s.model.active_params_b * 1e9 / (chips * s.peak_flops * s.eff.compute)
    busy = max(gemm_c, weight_s) + max(kv_s, attn_dec_s) + attn_pre_s + permute_s + comm
    busy += s.model.layers / pp * m * s.eff.layer_overhead_us * 1e-6 + a2a + a2a_latency
    busy *= stage_imbalance(s.model.layers, pp) * (1.0 + max(int(s.draft_tokens), 0) / s.model.layers)
    total = busy * bubble_factor(pp, m)
    return Timing(compute_s=ideal + attn_dec_s + attn_pre_s, memory_s=weight_s + kv_s + permute_s,
                  comm_s=comm + a2a + a2a_latency, total_s=total, bubble_s=total - busy)


def prefill_seconds(s: Setup, tp: int, pp: int, dp: int = 1) -> float:
    """Time to prefill one prompt alone, passing through the ``pp`` stages in turn.

    A prompt longer than the stack's token budget is prefilled in
    :func:`forward_passes` chunks, each reading the weights its tokens touch.

    The prompt runs in one attention group of ``tp`` chips; with ``dp > 1`` its routed
    tokens spread over all ``tp · dp`` expert-parallel chips and pay the all-to-all.
    """
    p = s.prompt
    passes = forward_passes(s, p, tp * pp * dp)
    stream = s.bandwidth * s.eff.memory
    shared, per_expert = mm.expert_split(s.model)
    if per_expert <= 0:
        shared = s.model.active_params_b * 1e9
    chunk = p / passes
    gemm_c = 2.0 * p * shared / s.eff.gemm_efficiency(chunk) / (tp * s.dense_peak_flops)
    gemm_c += moe.routed_flop_seconds(s.model, s.eff, chunk, passes, tp * dp, 1) / s.peak_flops
    weight_s = passes * mm.chip_touched_bytes(s.model, s.stored, s.dense, chunk, tp, 1, dp) / stream
    attn = p * mm.prefill_attention_flops_per_token(s.model, p / 2) / (tp * s.attention_peak_flops * s.eff.compute)
    permute_s = moe.permute_bytes(s.model, p, tp, 1) / stream
    comm = _tp_comm_seconds(s, p, tp, 2 * s.model.layers)
    a2a, a2a_latency = all_to_all_seconds(s, p * dp, tp, 1, dp, 1)
    if pp > 1:
        send = p * s.model.hidden_size * mm.ACTIVATION_BYTES
        comm += (pp - 1) * (send / pipeline_bandwidth(s.chip, tp * pp) + COLLECTIVE_LATENCY_S)
    overhead = passes * s.model.layers * s.eff.layer_overhead_us * 1e-6
    return max(gemm_c, weight_s) + attn + permute_s + comm + a2a + a2a_latency + overhead
