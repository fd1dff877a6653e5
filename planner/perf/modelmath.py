"""Counting FLOPs and bytes for a transformer: the arithmetic under the roofline.

Symbols follow ``docs/perf.md``: N (parameters), N_a (active parameters), L (layers),
H (attention heads), d (head size), E / k (experts / active experts per token).
"""

from __future__ import annotations

from planner.domain.errors import PlannerError
from planner.domain.hardware import BYTES_PER_VALUE, PRECISIONS, ChipSpec, ModelSpec

#: Bytes per activation value moved between chips (all-reduce, pipeline sends): BF16.
ACTIVATION_BYTES = 2.0


def resolve_precision(chip: ChipSpec, requested: str) -> str:
    """The number format the chip will actually use for ``requested``.

    A chip without the requested format falls back to the next wider format it has
    (fp4 -> fp8 -> int8 -> bf16 ...); if it has no wider one, to its widest narrower
    one.  Raises :class:`PlannerError` for an unknown format or a chip with no peak.
    """
    key = str(requested).strip().lower()
    if key not in PRECISIONS:
        raise PlannerError(f"unknown precision '{requested}'; known: {', '.join(PRECISIONS)}")
    have = [p for p in PRECISIONS if (chip.peak_tflops.get(p) or 0) > 0]
    if not have:
        raise PlannerError(f"chip '{chip.name}' has no published peak throughput")
    i = PRECISIONS.index(key)
    wider = [p for p in have if PRECISIONS.index(p) >= i]
    if wider:
        return wider[0]
    return have[-1]


def weight_only_formats(chip: ChipSpec, model: ModelSpec, requested: str, used: str) -> tuple[str, str]:
    """(multiply format, storage format) of the routed-expert weights (dense model: all).

    A chip with the requested format's math multiplies in it (``(used, "")``).  A chip
    without it (FP4 on Hopper, MI300X or MI325X: no FP4 tensor cores) keeps the
    checkpoint's narrower weights in memory and upcasts them tile by tile inside the
    multiply (weight-only quantisation, as vLLM's MXFP4 and Marlin kernels do), so the
    weights occupy and stream at the requested width while the multiply runs at the
    activations' format: the checkpoint's ``dense_precision`` when it keeps one wider
    than ``used`` (gpt-oss: BF16), else ``used`` (the next wider format the chip has).
    """
    req = str(requested or used).strip().lower()
    if req not in BYTES_PER_VALUE or BYTES_PER_VALUE[req] >= BYTES_PER_VALUE[used]:
        return used, ""
    compute = used
    floor = (model.dense_precision or "").strip().lower() if model.is_moe else ""
    if floor in BYTES_PER_VALUE and BYTES_PER_VALUE[floor] > BYTES_PER_VALUE[used]:
        compute = resolve_precision(chip, floor)
    return compute, req


def dense_precision(chip: ChipSpec, model: ModelSpec, experts_precision: str) -> str:
    """The format of the always-active weights (attention, shared experts, dense layers).

    A dense model runs everything at ``experts_precision``.  A MoE checkpoint whose
    routed experts are narrower than its ``dense_precision`` (FP8 when blank: NVFP4 and
    MXFP4 MoE checkpoints quantise the experts and keep attention in FP8 or BF16) keeps
    the rest at that wider format, resolved for the chip.
    """
    if not model.is_moe:
        return experts_precision
    floor = (model.dense_precision or "fp8").strip().lower()
    if PRECISIONS.index(experts_precision) >= PRECISIONS.index(floor):
        return experts_precision
    return resolve_precision(chip, floor)


def weight_bytes(model: ModelSpec, precision: str, dense: str | None = None) -> float:
    """Bytes to hold all weights (every expert of a MoE): S at ``dense``, experts at ``precision``."""
    shared, per_expert = expert_split(model)
    experts = model.experts * per_expert if per_expert > 0 else 0.0
    if per_expert <= 0:
        shared = model.params_b * 1e9
    return shared * BYTES_PER_VALUE[dense or precision] + experts * BYTES_PER_VALUE[precision]


def chip_weight_bytes(model: ModelSpec, precision: str, dense: str | None, tp: int, pp: int,
                      dp: int = 1) -> float:
    """Weight bytes one chip holds: S/(t·p) at ``dense`` plus E·e/(t·d·p) at ``precision``.

    Attention and always-active weights are sharded over the ``tp`` chips of a stage
    and copied in each of the ``dp`` attention groups; routed experts are spread over
    all ``tp · dp`` chips of the expert-parallel group.
    """
    shared, per_expert = expert_split(model)
    if per_expert <= 0:
        shared = model.params_b * 1e9
    dense_b = shared * BYTES_PER_VALUE[dense or precision] / (tp * pp)
    return dense_b + model.experts * per_expert * BYTES_PER_VALUE[precision] / (tp * dp * pp)


def kv_shards(model: ModelSpec, tp: int) -> int:
    """Chips over which one attention group's KV cache is split (not copied).

    GQA splits KV heads over the tensor-parallel chips, copying a head when there are
    more chips than KV heads; MLA has a single latent per token that every chip of
    the group needs, so tensor parallelism copies it (the reason DeepSeek serves MLA
    with data-parallel attention).
    """
    if model.attention == "mla":
        return 1
    return max(1, min(int(tp), int(model.kv_heads)))


def kv_value_bytes(precision: str) -> float:
    """Bytes per KV-cache value: 8-bit when weights are 8-bit or narrower, else 16-bit."""
    return min(max(BYTES_PER_VALUE[precision], 1.0), 2.0)


def kv_bytes_per_token(model: ModelSpec, precision: str) -> float:
    """KV-cache bytes per token of context, over all layers."""
    return model.kv_values_per_token() * kv_value_bytes(precision)


def expert_split(model: ModelSpec) -> tuple[float, float]:
    """(always-active parameters, parameters per routed expert), in units of 1.

    From N = S + E·e and N_a = S + k·e.  A dense model is all "always active".
    """
    if not model.is_moe or model.experts <= model.active_experts:
        return model.params_b * 1e9, 0.0
    per_expert = (model.params_b - model.active_params_b) * 1e9 / (model.experts - model.active_experts)
    shared = model.params_b * 1e9 - model.experts * per_expert
    return max(shared, 0.0), per_expert


def expert_fraction_touched(model: ModelSpec, tokens: float) -> float:
    """Expected fraction of routed experts that at least one of ``tokens`` uses.

    Uniform routing: each token picks k of E experts, so an expert is missed by all
    tokens with probability (1 - k/E)^tokens.  Tends to 1 for large batches.
    """
    if not model.is_moe:
        return 1.0
    miss = (1.0 - model.active_experts / model.experts) ** max(tokens, 0.0)
    return 1.0 - miss


def touched_weight_bytes(model: ModelSpec, precision: str, tokens: float,
                         dense: str | None = None) -> float:
    """Weight bytes read in one forward pass over ``tokens`` tokens (MoE: touched experts)."""
    shared, per_expert = expert_split(model)
    if per_expert == 0.0:
        return model.params_b * 1e9 * BYTES_PER_VALUE[dense or precision]
    experts = model.experts * per_expert * expert_fraction_touched(model, tokens)
    return shared * BYTES_PER_VALUE[dense or precision] + experts * BYTES_PER_VALUE[precision]


def chip_touched_bytes(model: ModelSpec, precision: str, dense: str | None, tokens: float,
                       tp: int, pp: int, dp: int = 1) -> float:
    """Weight bytes one chip reads for a pass of ``tokens`` replica tokens.

    Its share of the always-active weights, S/(t·p), and of the experts those tokens
    touch, E·e·(1 − (1 − k/E)^tokens)/(t·d·p): an expert no token picks is not read.
    """
    shared, per_expert = expert_split(model)
    if per_expert == 0.0:
        return model.params_b * 1e9 * BYTES_PER_VALUE[dense or precision] / (tp * pp)
    experts = model.experts * per_expert * expert_fraction_touched(model, tokens)
    return (shared * BYTES_PER_VALUE[dense or precision] / (tp * pp)
            + experts * BYTES_PER_VALUE[precision] / (tp * dp * pp))


def tokens_per_step(draft_tokens: int, acceptance: float) -> float:
    """Expected output tokens per sequence per decode step with speculative decoding.

    ``draft_tokens`` d tokens are proposed (multi-token prediction modules or a draft
    model) and verified in one step; each is accepted with probability ``acceptance``
    a given the previous one was, and the step always yields the verifier's own token:
    1 + a + a² + ... + a^d.  DeepSeek-V3 (d = 1, a = 0.85-0.9) gives 1.85-1.9.
    """
    d, a = max(int(draft_tokens), 0), min(max(float(acceptance), 0.0), 1.0)
    return float(sum(a ** i for i in range(d + 1)))


def linear_flops_per_token(model: ModelSpec) -> float:
    """Matrix-multiply FLOPs per token: 2·N_a (one multiply-add per active weight)."""
    return 2.0 * model.active_params_b * 1e9


def attention_flops_per_token(model: ModelSpec, context: float) -> float:
    """Score and value FLOPs for one token attending to ``context`` earlier tokens.

    GQA: QK^T and AV each cost 2·H·d per context token per layer, so 4·L·H·d·c.
    MLA (absorbed form): keys are the compressed latent plus the rope part,
    values the latent, so 2·L·H·(2·r + r_rope)·c.  Sliding-window layers attend to at
    most their window (:meth:`ModelSpec.attended_tokens`).
    """
    context = model.attended_tokens(context)
    if model.attention == "mla":
        width = 2 * model.kv_lora_rank + model.rope_head_dim
        return 2.0 * model.layers * model.attention_heads * width * context
    return 4.0 * model.layers * model.attention_heads * model.head_dim * context


def prefill_attention_flops_per_token(model: ModelSpec, context: float) -> float:
    """Attention FLOPs for one prompt token attending to ``context`` earlier tokens.

    GQA: as in decode, 4·L·H·d·c.  MLA: prefill decompresses the latent and runs
    ordinary multi-head attention (cheaper than the absorbed form when many query
    tokens share the keys): QK^T over the no-rope and rope parts (d + r_rope) and AV
    over the value heads (d), so 2·L·H·(2·d + r_rope)·c.  DeepSeek-V3 (H = 128,
    d = 128, r_rope = 64): 81,920 per layer and context token against 278,528 absorbed.
    """
    if model.attention != "mla":
        return attention_flops_per_token(model, context)
    context = model.attended_tokens(context)
    return 2.0 * model.layers * model.attention_heads * (2 * model.head_dim + model.rope_head_dim) * context
