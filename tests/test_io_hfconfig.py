"""Hugging Face config.json models: parameter counts by hand, and the same estimates as
the catalog entries written from the same published configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.domain import PlannerError
from planner.io.hfconfig import load_config, model_from_config
from planner.perf.catalog import get_chip, get_model
from planner.perf.inference import estimate_throughput

FIXTURES = Path(__file__).parent / "fixtures" / "hf"
NEW_MODELS = ["gpt-oss-120b", "gpt-oss-20b", "qwen3-235b-a22b", "qwen3-32b", "llama-3.3-70b",
              "llama-4-scout", "llama-4-maverick"]


def test_dense_gqa_count_by_hand():
    # h = 64, 4 heads of 16, 2 KV heads, I = 128, V = 100, 2 layers, untied embeddings:
    # attention 64·64 + 2·64·32 + 64·64 = 12,288; MLP 3·64·128 = 24,576; per layer 36,864;
    # 2 layers 73,728 + embeddings 2·100·64 = 12,800 -> 86,528.
    cfg = {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4,
           "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100}
    m = model_from_config(cfg, "tiny")
    assert m.params_b == pytest.approx(86_528 / 1e9, abs=1e-3)
    assert (m.head_dim, m.kv_heads, m.experts, m.attention) == (16, 2, 1, "gqa")


def test_moe_count_by_hand_and_idle_experts_not_active():
    # Same shape, 8 experts of width 32 (3·64·32 = 6,144 each), top-2, router 64·8 = 512,
    # first layer dense: layer 0 = 12,288 + 24,576; layer 1 = 12,288 + 8·6,144 + 512;
    # total 36,864 + 61,952 + 12,800 = 111,616; active drops 6 experts of layer 1: 36,864 less.
    cfg = {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4,
           "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100,
           "n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32,
           "first_k_dense_replace": 1}
    m = model_from_config(cfg, "tiny-moe")
    assert m.params_b * 1e9 == pytest.approx(111_616, abs=1)
    assert m.active_params_b * 1e9 == pytest.approx(111_616 - 6 * 6_144, abs=1)
    assert (m.experts, m.active_experts, m.moe_layers) == (8, 2, 1)


def test_deepseek_config_gives_the_published_architecture():
    m = load_config(FIXTURES / "deepseek-v3" / "config.json")
    assert (m.attention, m.kv_lora_rank, m.rope_head_dim, m.layers) == ("mla", 512, 64, 61)
    assert (m.experts, m.active_experts, m.moe_layers, m.mtp_layers) == (256, 8, 58, 1)
    assert m.params_b == pytest.approx(671, rel=0.001)  # DeepSeek: 671B
    assert m.active_params_b == pytest.approx(37, rel=0.02)  # DeepSeek: 37B
    catalog = get_model("deepseek-v3")
    a = estimate_throughput(get_chip("H200"), m, "fp8", 1000, 250)
    b = estimate_throughput(get_chip("H200"), catalog, "fp8", 1000, 250)
    assert a.output_tokens_per_s_per_chip == pytest.approx(b.output_tokens_per_s_per_chip, rel=0.03)


@pytest.mark.parametrize("name", NEW_MODELS)
def test_config_json_model_gives_the_catalog_estimate(name):
    parsed = load_config(FIXTURES / name / "config.json")
    catalog = get_model(name)
    for field in ("layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "experts",
                  "active_experts", "vocab_size", "max_context", "attention", "routed_layers",
                  "sliding_window", "sliding_layers", "dense_precision"):
        assert getattr(parsed, field) == getattr(catalog, field), field
    assert parsed.params_b == pytest.approx(catalog.params_b, abs=0.006)
    assert parsed.active_params_b == pytest.approx(catalog.active_params_b, abs=0.006)
    chip = get_chip("H200")
    a = estimate_throughput(chip, parsed, "fp8", 1000, 250, tpot_ms=50)
    b = estimate_throughput(chip, catalog, "fp8", 1000, 250, tpot_ms=50)
    assert a.feasible and b.feasible
    assert a.output_tokens_per_s_per_chip == pytest.approx(b.output_tokens_per_s_per_chip, rel=0.002)


def test_bad_configs_are_planner_errors(tmp_path: Path):
    with pytest.raises(PlannerError, match="num_hidden_layers"):
        model_from_config({"hidden_size": 64}, "x")
    bad = tmp_path / "config.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PlannerError, match="cannot read"):
        load_config(bad)
    bad.write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(PlannerError, match="not a JSON object"):
        load_config(bad)
    with pytest.raises(PlannerError, match="cannot read"):
        load_config(tmp_path / "missing.json")
