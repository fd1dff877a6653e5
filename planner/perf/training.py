"""Training time: hours = F_tok·D / (chips · peak · MFU), F_tok = 6·N_active for full training.

MFU (model FLOPs utilisation) defaults by chip family and precision, from the
utilisation rows of the reference ``market.csv`` (cited in ``docs/perf.md``), and
decreases gently with cluster size: ``mfu(n) = mfu_small / (1 + γ·log2(n / 8))``.

Fine-tuning methods (``method``): ``full`` trains every weight; ``lora`` freezes the
base weights (BF16) and trains rank-``r`` adapters on every linear layer (Hu et al.
2021); ``qlora`` does the same over a 4-bit NF4 base (Dettmers et al. 2023).  Memory and
FLOPs follow the method (:func:`state_bytes`, :func:`flops_per_token`).
"""

from __future__ import annotations

import math

from planner.domain.errors import PlannerError
from planner.domain.estimates import TrainingEstimate
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.perf.catalog import chip_family
from planner.perf.modelmath import resolve_precision

#: Bytes of training state per parameter: BF16 weights and gradients (2 + 2) plus FP32
#: master weights and two Adam moments (12) = 16, plus ~2 for checkpointed activations.
STATE_BYTES_PER_PARAM = 18.0
#: Training methods: full training, LoRA, QLoRA.
METHODS = ("full", "lora", "qlora")
#: LoRA rank when a run gives none (a common default in PEFT examples; a judgement).
DEFAULT_LORA_RANK = 16
#: Bytes per frozen base weight: BF16 for LoRA, NF4 (4 bits) for QLoRA; QLoRA's
#: quantisation constants (~0.127 bits per weight with double quantisation) are left out.
FROZEN_BYTES_PER_PARAM = {"lora": 2.0, "qlora": 0.5}
#: Bytes per trained adapter parameter: BF16 weight and gradient, FP32 master and two
#: Adam moments, as for full training without the activations.
ADAPTER_STATE_BYTES = 16.0
#: Checkpointed activations, per model parameter (the same ~2 bytes as full training).
ACTIVATION_BYTES_PER_PARAM = 2.0
#: Fraction of chip memory usable for training state.
USABLE_MEMORY_FRACTION = 0.9
#: MFU lost per doubling of the cluster beyond one 8-chip server (communication).
MFU_DECAY_PER_DOUBLING = 0.02
#: Cluster size at which MFU equals ``mfu_small`` (one server).
SMALL_CLUSTER = 8
#: BF16 MFU on one server, by family.  NVIDIA: 0.48 gives 0.40 at 8K-16K GPUs, the
#: middle of Llama 3 405B's 38-43 % (market.csv, Meta 2024).  TPU: 0.55 gives 46 % at
#: 6144 chips (PaLM on TPU v4, market.csv).  Others: 0.42, which gives 35 % at 8K
#: chips, the low end of "35-45 % of peak for well-optimised jobs" (market.csv,
#: Uptime Institute 2025): less mature software, a judgement.
BF16_MFU_SMALL = {"nvidia": 0.48, "google-tpu": 0.55, "other": 0.42}
#: FP8 (and narrower) runs reach a lower share of their (doubled) peak: Llama 4 FP8
#: ran at ~20 % of FP8 peak on 32K H100s (market.csv, low confidence).  0.30 gives
#: 24 % at 32K chips, i.e. ~1.2x the BF16 speed.
LOW_PRECISION_MFU_RATIO = 0.30 / 0.48


def default_mfu(chip: ChipSpec, precision_used: str, chips: int) -> float:
    """Default MFU for ``chips`` chips of this family at this (resolved) precision."""
    family = chip_family(chip)
    key = "nvidia" if family.startswith("nvidia") else family if family in BF16_MFU_SMALL else "other"
    small = BF16_MFU_SMALL[key]
    if precision_used in ("fp8", "int8", "fp4"):
        small *= LOW_PRECISION_MFU_RATIO
    doublings = max(math.log2(max(chips, 1) / SMALL_CLUSTER), 0.0)
    return small / (1.0 + MFU_DECAY_PER_DOUBLING * doublings)


def check_method(method: str, rank: int | None) -> tuple[str, int]:
    """(method, LoRA rank) normalised; :class:`PlannerError` for an unknown method or rank < 1."""
    key = str(method or "full").strip().lower()
    if key not in METHODS:
        raise PlannerError(f"unknown training method '{method}'; known: {', '.join(METHODS)}")
    r = DEFAULT_LORA_RANK if rank is None else int(rank)
    if r < 1:
        raise PlannerError(f"the LoRA rank must be >= 1, got {rank}")
    return key, r


def adapter_params(model: ModelSpec, rank: int) -> float:
    """Trained LoRA parameters: r·(d_in + d_out) for every linear layer a token passes.

    Per layer: Q (h -> H·d), K and V (h -> H_kv·d), O (H·d -> h) and the three MLP
    matrices of width I, with I from the active parameters per layer less attention
    (N_a/L − attention) / (3h), so a MoE counts the adapters of its active path.
    """
    h, hd = model.hidden_size, model.attention_heads * model.head_dim
    kv = model.kv_heads * model.head_dim
    attention = 2 * h * hd + 2 * h * kv
    per_layer = model.active_params_b * 1e9 / max(model.layers, 1)
    width = max((per_layer - attention) / (3 * h), 0.0)
    dims = (h + hd) * 2 + (h + kv) * 2 + 3 * (h + width)
    return float(rank * dims * model.layers)


def state_bytes(model: ModelSpec, method: str = "full", rank: int = DEFAULT_LORA_RANK) -> float:
    """Training state to hold in memory.

    full: 18 bytes per parameter.  LoRA / QLoRA: the frozen base at 2 / 0.5 bytes per
    parameter, ~2 bytes per parameter of checkpointed activations and 16 bytes per
    adapter parameter.
    """
    n = model.params_b * 1e9
    if method == "full":
        return n * STATE_BYTES_PER_PARAM
    frozen = FROZEN_BYTES_PER_PARAM[method]
    return n * (frozen + ACTIVATION_BYTES_PER_PARAM) + adapter_params(model, rank) * ADAPTER_STATE_BYTES


def flops_per_token(model: ModelSpec, method: str = "full", rank: int = DEFAULT_LORA_RANK) -> float:
    """Training FLOPs per token: 6·N_a (full); 4·N_a + 6·A (LoRA / QLoRA).

    Forward 2·N_a and the backward pass's activation gradients 2·N_a run through the
    frozen weights; only the A adapter parameters get weight gradients (2·A more) and
    their own forward and backward (4·A).
    """
    active = model.active_params_b * 1e9
    if method == "full":
        return 6.0 * active
    return 4.0 * active + 6.0 * adapter_params(model, rank)


def state_fits(chip: ChipSpec, model: ModelSpec, chips: int, method: str = "full",
               rank: int = DEFAULT_LORA_RANK) -> bool:
    """True if the sharded training state fits in the chips' total memory."""
    need = state_bytes(model, method, rank)
    return need <= chips * chip.memory_gb * 1e9 * USABLE_MEMORY_FRACTION


def min_chips_for_state(chip: ChipSpec, model: ModelSpec, method: str = "full",
                        rank: int = DEFAULT_LORA_RANK) -> int:
    """Fewest chips whose memory holds the training state (0 if the chip has none)."""
    per_chip = chip.memory_gb * 1e9 * USABLE_MEMORY_FRACTION
    if per_chip <= 0:
        return 0
    return max(1, math.ceil(state_bytes(model, method, rank) / per_chip))


def training_hours(chip: ChipSpec, model: ModelSpec, tokens: float, chips: int,
                   precision_used: str, mfu: float, method: str = "full",
                   rank: int = DEFAULT_LORA_RANK) -> float:
    flops = flops_per_token(model, method, rank) * tokens
    return flops / (chips * chip.peak_tflops[precision_used] * 1e12 * mfu) / 3600.0


def estimate_training(chip: ChipSpec, model: ModelSpec, tokens: float, chips: int,
                      precision: str = "bf16", mfu: float | None = None, method: str = "full",
                      lora_rank: int | None = None) -> TrainingEstimate:
    """Hours to train (``method`` full) or fine-tune (lora, qlora) ``model`` on ``tokens`` tokens."""
    if not tokens > 0:
        raise PlannerError(f"training tokens must be > 0, got {tokens}")
    if int(chips) < 1:
        raise PlannerError(f"the number of chips must be >= 1, got {chips}")
    if mfu is not None and not 0 < mfu <= 1:
        raise PlannerError(f"MFU must be in (0, 1], got {mfu}")
    method, rank = check_method(method, lora_rank)
    chips = int(chips)
    base = {"chip": chip.name, "model": model.name, "tokens": float(tokens), "chips": chips,
            "method": method}
    if not chip.modelable:
        return TrainingEstimate(**base, precision_used=precision, feasible=False,
                                reason=f"{chip.name} cannot be modelled: {chip.note}")
    used = resolve_precision(chip, precision)
    rate = mfu if mfu is not None else default_mfu(chip, used, chips)
    if not state_fits(chip, model, chips, method, rank):
        need = min_chips_for_state(chip, model, method, rank)
        return TrainingEstimate(
            **base, precision_used=used, feasible=False, mfu=rate,
            reason=f"{method} training state of {model.name} "
                   f"({state_bytes(model, method, rank) / 1e9:,.0f} GB) does not fit in {chips} x "
                   f"{chip.memory_gb:g} GB; needs at least {need} chips" if need else
                   f"{chip.name} has no memory for training state")
    hours = training_hours(chip, model, tokens, chips, used, rate, method, rank)
    return TrainingEstimate(**base, precision_used=used, feasible=True, mfu=rate, hours=hours)
