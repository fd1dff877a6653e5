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


def test_fp4_weights_on_chips_without_fp4_math_are_weight_only():
    """MXFP4 gpt-oss-120b asked at fp4: Hopper and MI300X have no FP4 tensor cores, so the
    experts stay 4-bit in memory (0.5 byte/weight) and multiply at the activations' BF16
    (the checkpoint's dense_precision); B200 and MI355X multiply in FP4.  A dense model
    (no dense_precision) upcasts to the chip's next format: Llama on H100 at fp4 stores
    4-bit, multiplies FP8."""
    from planner.perf.catalog import get_chip, get_model
    oss, llama = get_model("gpt-oss-120b"), get_model("llama-3.1-70b")
    for name in ("H100", "H200", "MI300X"):
        chip = get_chip(name)
        assert mm.weight_only_formats(chip, oss, "fp4", mm.resolve_precision(chip, "fp4")) == ("bf16", "fp4")
    for name in ("B200", "MI355X"):
        assert mm.weight_only_formats(get_chip(name), oss, "fp4", "fp4") == ("fp4", "")
    assert mm.weight_only_formats(get_chip("H100"), llama, "fp4", "fp8") == ("fp8", "fp4")
    assert mm.weight_only_formats(get_chip("H100"), llama, "fp8", "fp8") == ("fp8", "")


def test_gpt_oss_on_hopper_reads_4_bit_experts_and_multiplies_at_bf16():
    """gpt-oss-120b fp4 on H100: precision_used bf16 (989 TFLOP/s, not FP8's 1,979); the
    memory held is S·2 + E·e·0.5 bytes: with S = 116.79e9 - 128·e and
    e = (116.79 - 5.71)e9 / 124 = 0.8958e9, S = 2.124e9, so 4.25 + 57.33 = 61.6 GB (FP8
    experts would be 4.25 + 114.7 = 118.9 GB)."""
    from planner.perf.catalog import get_chip, get_model
    from planner.perf.efficiency import efficiency_for
    from planner.perf.inference import estimate_throughput, make_setup
    chip, oss = get_chip("H100"), get_model("gpt-oss-120b")
    e = estimate_throughput(chip, oss, "fp4", 1000, 1000, max_replica_chips=8)
    assert e.feasible and e.precision_used == "bf16"
    s = make_setup(chip, oss, "fp8", 1000, 1000, efficiency_for("nvidia-hopper"), requested="fp4")
    assert s.peak_flops == pytest.approx(989.4e12) and s.stored == "fp4"
    shared, per = mm.expert_split(oss)
    assert per == pytest.approx((116.79 - 5.71) * 1e9 / 124)
    held = mm.chip_weight_bytes(oss, s.stored, s.dense, 1, 1)
    assert held == pytest.approx(shared * 2 + 128 * per * 0.5)
    assert held / 1e9 == pytest.approx(61.6, abs=0.1)
