"""A model architecture from a Hugging Face ``config.json`` instead of typed figures.

:func:`model_from_config` reads the fields the performance core needs (layers, hidden
size, heads, KV heads, head size, vocabulary, context) and counts the parameters from
the matrix shapes, for dense and mixture-of-experts models (DeepSeek-V3 / Qwen3-MoE /
Mixtral / gpt-oss / Llama 4 field names), GQA and MLA attention.  Counting, per layer
(``h`` hidden size, ``H`` / ``H_kv`` heads / KV heads, ``d`` head size):

* GQA attention: ``h·H·d + 2·h·H_kv·d + H·d·h`` (Q, K, V, O);
* MLA attention: ``h·q_r + q_r·H·(d_nope + d_rope)`` (or ``h·H·(d_nope + d_rope)``
  without a query rank) ``+ h·(r + d_rope) + r·H·(d_nope + d_v) + H·d_v·h``;
* gated MLP (SwiGLU) of width ``I``: ``3·h·I``; a router ``h·E``;
* MoE layer: ``E`` routed experts and ``n_shared`` shared experts of width ``I_moe``;
* embeddings ``V·h``, twice unless ``tie_word_embeddings``.

``layer_types`` entries "sliding_attention" with ``sliding_window`` give the
sliding-window layers (gpt-oss).  ``quantization_config`` with an FP4 method that leaves attention unconverted (gpt-oss:
MXFP4 experts, BF16 attention) sets ``dense_precision``.  Norms and biases are left out (well under 0.1 % of any model here).  Active parameters
are the total less the ``E − k`` unused experts of every MoE layer.  Multi-token
prediction modules (``num_nextn_predict_layers``) are counted apart, not in the total,
as DeepSeek's 671B does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner.domain.errors import PlannerError
from planner.domain.hardware import ModelSpec

_EXPERTS = ("n_routed_experts", "num_local_experts", "num_experts")
_TOP_K = ("num_experts_per_tok", "experts_per_token", "num_experts_per_token")


def _first(cfg: dict[str, Any], keys: tuple[str, ...], default: Any = None) -> Any:
    for key in keys:
        if cfg.get(key) is not None:
            return cfg[key]
    return default


def _need(cfg: dict[str, Any], key: str, where: str) -> int:
    value = cfg.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise PlannerError(f"{where}: config.json needs a positive whole '{key}', got {value!r}")
    return value


def _attention_params(cfg: dict[str, Any], h: int, heads: int, kv_heads: int, head_dim: int) -> int:
    if cfg.get("kv_lora_rank"):
        rank, rope = int(cfg["kv_lora_rank"]), int(cfg.get("qk_rope_head_dim", 0))
        nope, v = int(cfg.get("qk_nope_head_dim", head_dim)), int(cfg.get("v_head_dim", head_dim))
        q_rank = cfg.get("q_lora_rank")
        q = h * q_rank + q_rank * heads * (nope + rope) if q_rank else h * heads * (nope + rope)
        return q + h * (rank + rope) + rank * heads * (nope + v) + heads * v * h
    return h * heads * head_dim + 2 * h * kv_heads * head_dim + heads * head_dim * h


def _moe_layer_flags(cfg: dict[str, Any], layers: int, experts: int) -> list[bool]:
    """Which layers route to experts: DeepSeek's first_k_dense_replace, Llama 4's
    interleave_moe_layer_step, Qwen's decoder_sparse_step and mlp_only_layers."""
    if experts <= 1:
        return [False] * layers
    first_dense = int(cfg.get("first_k_dense_replace", 0) or 0)
    step = int(cfg.get("interleave_moe_layer_step", 0) or cfg.get("decoder_sparse_step", 0) or 1)
    only_mlp = set(cfg.get("mlp_only_layers") or [])
    return [i >= first_dense and (i + 1) % step == 0 and i not in only_mlp for i in range(layers)]


def _mlp_params(cfg: dict[str, Any], h: int, moe_layer: bool, experts: int) -> tuple[int, int]:
    """(parameters of the layer's MLP, parameters of one routed expert) for one layer."""
    inter = int(cfg.get("intermediate_size", 4 * h))
    if not moe_layer:
        return 3 * h * int(cfg.get("intermediate_size_mlp", inter)), 0
    width = int(cfg.get("moe_intermediate_size", inter))
    expert = 3 * h * width
    shared = int(cfg.get("n_shared_experts", 0) or 0) * expert
    if cfg.get("model_type") == "llama4_text" or "interleave_moe_layer_step" in cfg:
        shared = 3 * h * inter  # Llama 4: one shared expert of the dense width
    return experts * expert + shared + h * experts, expert


#: Quantisation methods that store routed experts in 4 bits (gpt-oss ships MXFP4).
_FP4_METHODS = ("mxfp4", "nvfp4", "fp4")


def _dense_precision(cfg: dict[str, Any], top: dict[str, Any]) -> str:
    """The format attention keeps when a checkpoint quantises only its experts.

    gpt-oss: ``quantization_config.quant_method`` "mxfp4" with attention in
    ``modules_to_not_convert`` and ``torch_dtype`` "bfloat16" -> "bf16".  Blank otherwise.
    """
    quant = cfg.get("quantization_config") or top.get("quantization_config") or {}
    if str(quant.get("quant_method", "")).lower() not in _FP4_METHODS:
        return ""
    kept = " ".join(str(m) for m in quant.get("modules_to_not_convert") or [])
    dtype = str(cfg.get("torch_dtype") or top.get("torch_dtype") or "").lower()
    return "bf16" if "attn" in kept and dtype in ("bfloat16", "bf16") else ""


def model_from_config(cfg: dict[str, Any], name: str, *, where: str = "config.json",
                      source: str = "", aliases: tuple[str, ...] = ()) -> ModelSpec:
    """A :class:`ModelSpec` from the fields of a Hugging Face ``config.json`` dict."""
    top_cfg = cfg if isinstance(cfg, dict) else {}
    cfg = dict(top_cfg.get("text_config") or top_cfg)
    layers, h = _need(cfg, "num_hidden_layers", where), _need(cfg, "hidden_size", where)
    heads = _need(cfg, "num_attention_heads", where)
    kv_heads = int(cfg.get("num_key_value_heads") or heads)
    head_dim = int(cfg.get("head_dim") or h // heads)
    experts = int(_first(cfg, _EXPERTS, 1) or 1)
    top_k = int(_first(cfg, _TOP_K, 1) or 1) if experts > 1 else 1
    if top_k > experts:
        raise PlannerError(f"{where}: {top_k} experts per token but only {experts} experts")
    attention = _attention_params(cfg, h, heads, kv_heads, head_dim)
    flags = _moe_layer_flags(cfg, layers, experts)
    total = unused = 0
    for moe_layer in flags:
        mlp, expert = _mlp_params(cfg, h, moe_layer, experts)
        total += attention + mlp
        unused += (experts - top_k) * expert
    vocab = _need(cfg, "vocab_size", where)
    total += vocab * h * (1 if cfg.get("tie_word_embeddings") else 2)
    mla = bool(cfg.get("kv_lora_rank"))
    sliding = sum(1 for t in cfg.get("layer_types") or [] if str(t) == "sliding_attention")
    return ModelSpec(
        name=name, params_b=total / 1e9, active_params_b=(total - unused) / 1e9,
        layers=layers, hidden_size=h, attention_heads=heads,
        kv_heads=1 if mla else kv_heads, head_dim=int(cfg.get("qk_nope_head_dim") or head_dim),
        experts=experts, active_experts=top_k, attention="mla" if mla else "gqa",
        kv_lora_rank=int(cfg.get("kv_lora_rank") or 0), rope_head_dim=int(cfg.get("qk_rope_head_dim") or 0),
        vocab_size=vocab, max_context=int(cfg.get("max_position_embeddings") or 4096),
        source=source or where, aliases=aliases, moe_layers=sum(flags) if experts > 1 else 0,
        mtp_layers=int(cfg.get("num_nextn_predict_layers") or 0),
        dense_precision=_dense_precision(cfg, top_cfg),
        sliding_window=int(cfg.get("sliding_window") or 0) if sliding else 0,
        sliding_layers=sliding)


def load_config(path: str | Path, name: str | None = None, **kwargs: Any) -> ModelSpec:
    """Read ``path`` (a ``config.json``) into a :class:`ModelSpec` named ``name`` (default: the folder)."""
    p = Path(path)
    try:
        cfg = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlannerError(f"cannot read the model config '{path}': {exc}") from None
    if not isinstance(cfg, dict):
        raise PlannerError(f"the model config '{path}' is not a JSON object")
    label = name or (p.parent.name if p.name == "config.json" else p.stem)
    return model_from_config(cfg, label, where=str(path), **kwargs)
