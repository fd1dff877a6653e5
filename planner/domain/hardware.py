"""Hardware and model descriptions used by the performance core."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Number formats, from narrowest to widest.  Bytes per value in :data:`BYTES_PER_VALUE`.
PRECISIONS = ("fp4", "fp8", "int8", "bf16", "fp16", "fp32")
BYTES_PER_VALUE = {"fp4": 0.5, "fp8": 1.0, "int8": 1.0, "bf16": 2.0, "fp16": 2.0, "fp32": 4.0}

#: How a chip can be procured (the ``purchasable`` column of the reference chip table).
SALE_MODES = ("yes", "cloud-only", "api-only", "internal", "edge-device")


@dataclass(frozen=True)
class ChipSpec:
    """An accelerator's published specification (one chip, not a server).

    ``peak_tflops`` maps a precision (see :data:`PRECISIONS`) to dense peak TFLOP/s
    (TOP/s for int8); a precision absent from the map is not supported natively.
    ``scaleup_gbs_per_chip`` is the per-chip bandwidth into the scale-up domain
    (NVLink, Infinity Fabric, ICI); ``None`` means PCIe only.
    ``modelable`` is False where the published figures are too thin for an analytical
    model (the chip is then priced per token or from measured throughput only).
    """

    name: str
    vendor: str = ""
    software_stack: str = ""
    peak_tflops: dict[str, float] = field(default_factory=dict, hash=False)
    memory_gb: float = 0.0
    memory_bw_tbs: float = 0.0
    tdp_w: float | None = None
    scaleup_domain_chips: int = 1
    scaleup_gbs_per_chip: float | None = None
    purchase_usd_approx: float | None = None
    rent_usd_per_hour_approx: float | None = None
    first_year: int | None = None
    purchasable: str = "yes"
    confidence: str = ""
    sources: str = ""
    aliases: tuple[str, ...] = ()
    modelable: bool = True
    note: str = ""


@dataclass(frozen=True)
class ModelSpec:
    """A transformer language model's architecture.

    Parameter counts are in billions.  For a dense model ``active_params_b`` equals
    ``params_b`` and ``experts`` is 1.  ``attention`` is ``"gqa"`` (multi-head and
    multi-query attention are GQA with kv_heads = heads or 1) or ``"mla"`` (multi-head
    latent attention, whose KV cache per token per layer is ``kv_lora_rank +
    rope_head_dim`` values).

    ``moe_layers`` is how many layers route tokens to experts (0: every layer of a
    MoE model; DeepSeek-V3 has 58 of 61, Llama 4 Maverick 24 of 48).  ``mtp_layers``
    is the number of multi-token-prediction modules shipped with the checkpoint
    (DeepSeek-V3: 1).  ``dense_precision`` is the format a checkpoint keeps its
    attention, shared-expert and dense-layer weights in when its routed experts are
    narrower ("" means FP8, as NVIDIA's NVFP4 DeepSeek-R1; gpt-oss keeps BF16).
    ``sliding_layers`` of the layers attend only to the last ``sliding_window`` tokens
    (gpt-oss: 18 of 36 layers, 128 tokens), so they keep and read at most that much KV.
    """

    name: str
    params_b: float
    active_params_b: float
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    experts: int = 1
    active_experts: int = 1
    attention: str = "gqa"
    kv_lora_rank: int = 0
    rope_head_dim: int = 0
    vocab_size: int = 32000
    max_context: int = 4096
    source: str = ""
    aliases: tuple[str, ...] = ()
    moe_layers: int = 0
    mtp_layers: int = 0
    dense_precision: str = ""
    sliding_window: int = 0
    sliding_layers: int = 0

    @property
    def is_moe(self) -> bool:
        return self.experts > 1

    @property
    def routed_layers(self) -> int:
        """Layers with routed experts (0 for a dense model)."""
        if not self.is_moe:
            return 0
        return self.moe_layers or self.layers

    def attended_tokens(self, context: float) -> float:
        """Context tokens attended per layer on average: full layers see ``context``,
        sliding-window layers at most ``sliding_window``."""
        sliding = min(max(self.sliding_layers, 0), self.layers) if self.sliding_window > 0 else 0
        if self.layers <= 0:
            return context
        window = min(context, float(self.sliding_window))
        return ((self.layers - sliding) * context + sliding * window) / self.layers

    def kv_values_per_token(self) -> int:
        """KV-cache values stored per token over all layers."""
        if self.attention == "mla":
            return self.layers * (self.kv_lora_rank + self.rope_head_dim)
        return self.layers * 2 * self.kv_heads * self.head_dim
