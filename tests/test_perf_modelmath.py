import pytest

from planner.domain import PlannerError
from planner.perf import modelmath as mm
from planner.perf.catalog import get_chip, get_model


@pytest.mark.parametrize("chip,asked,used", [
    ("H100", "fp4", "fp8"), ("H100", "fp8", "fp8"), ("B200", "fp4", "fp4"),
    ("A100", "fp8", "int8"), ("A100", "fp4", "int8"), ("Ascend 910C", "fp8", "bf16"),
    ("H100", "fp16", "bf16"), ("TPU v5e", "fp8", "int8"), ("H100", "BF16", "bf16"),
])
def test_precision_falls_back_to_next_wider(chip, asked, used):
    assert mm.resolve_precision(get_chip(chip), asked) == used


def test_unknown_precision_is_a_planner_error():
    with pytest.raises(PlannerError, match="precision"):
        mm.resolve_precision(get_chip("H100"), "fp6")


def test_weight_and_kv_bytes():
    llama = get_model("llama-2-70b")
    assert mm.weight_bytes(llama, "fp8") == pytest.approx(68.98e9)
    assert mm.weight_bytes(llama, "bf16") == pytest.approx(2 * 68.98e9)
    assert mm.kv_bytes_per_token(llama, "bf16") == 80 * 2 * 8 * 128 * 2
    assert mm.kv_bytes_per_token(llama, "fp8") == 80 * 2 * 8 * 128


def test_expert_split_reproduces_totals():
    mix = get_model("mixtral-8x7b")
    shared, per_expert = mm.expert_split(mix)
    assert shared + 8 * per_expert == pytest.approx(46.7e9)
    assert shared + 2 * per_expert == pytest.approx(12.9e9)
    assert mm.expert_split(get_model("llama-2-7b"))[1] == 0.0


def test_moe_touched_weights_grow_with_batch_to_all_experts():
    mix = get_model("mixtral-8x7b")
    one = mm.touched_weight_bytes(mix, "fp8", 1)
    many = mm.touched_weight_bytes(mix, "fp8", 10_000)
    assert one == pytest.approx(12.9e9, rel=1e-6)
    assert one < mm.touched_weight_bytes(mix, "fp8", 4) < many
    assert many == pytest.approx(46.7e9, rel=1e-6)


def test_attention_flops_scale_with_context():
    llama = get_model("llama-2-70b")
    assert mm.attention_flops_per_token(llama, 1000) == 2 * mm.attention_flops_per_token(llama, 500)
    assert mm.linear_flops_per_token(llama) == pytest.approx(2 * 68.98e9)
    assert mm.attention_flops_per_token(get_model("deepseek-v3"), 100) > 0


def test_sliding_window_layers_attend_and_store_at_most_their_window():
    from planner.perf.catalog import get_model as model_named
    oss = model_named("gpt-oss-120b")
    assert (oss.sliding_window, oss.sliding_layers, oss.layers) == (128, 18, 36)
    # 1,125 tokens of context: 18 full layers see 1,125, 18 sliding layers 128 -> 626.5.
    assert oss.attended_tokens(1125) == pytest.approx((18 * 1125 + 18 * 128) / 36)
    assert oss.attended_tokens(100) == 100  # inside the window nothing changes
    dense = model_named("llama-3.1-8b")
    assert dense.attended_tokens(5000) == 5000
