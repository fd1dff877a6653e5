import itertools

import pytest

from planner.perf import modelmath as mm
from planner.perf import roofline as rl
from planner.perf.catalog import chip_family, get_chip, get_model
from planner.perf.efficiency import efficiency_for


def setup(chip="H100", model="llama-2-70b", precision="fp8", p=300, o=300):
    c = get_chip(chip)
    return rl.Setup(c, get_model(model), precision, p, o, efficiency_for(chip_family(c)))


def test_decode_throughput_rises_with_batch_until_memory_binds():
    s = setup(p=100, o=1000)
    hi = rl.max_batch(s, 2, 1)
    rates = [b / rl.round_timing(s, 2, 1, b).total_s for b in (1, 4, 16, 64, 256, hi)]
    assert all(a < b for a, b in itertools.pairwise(rates))
    assert rl.max_batch(s, 2, 1) < rl.max_batch(s, 4, 1)


def test_small_batch_decode_is_memory_bound_large_batch_compute_bound():
    s = setup()
    assert rl.round_timing(s, 2, 1, 1).bound == "memory"
    assert rl.round_timing(s, 2, 1, 700).bound == "compute"


def test_tpot_grows_with_batch():
    s = setup()
    times = [rl.round_timing(s, 2, 1, b).total_s for b in (1, 10, 100, 500)]
    assert all(a < b for a, b in itertools.pairwise(times))


def test_moe_reads_fewer_bytes_per_token_than_dense_of_equal_size():
    mix = get_model("mixtral-8x7b")
    # A dense model of Mixtral's total size reads all 46.7B weights for any batch.
    for tokens in (1, 8, 32):
        assert mm.touched_weight_bytes(mix, "fp8", tokens) < mix.params_b * 1e9
    s_moe = setup(model="mixtral-8x7b")
    small = rl.round_timing(s_moe, 1, 1, 1)
    dense = setup(model="llama-2-70b")
    assert small.memory_s < rl.round_timing(dense, 1, 1, 1).memory_s


def test_weights_must_fit():
    s = setup(precision="bf16")
    assert rl.max_batch(s, 1, 1) == 0  # 138 GB of BF16 weights on one 80 GB H100
    assert rl.max_batch(s, 2, 1) > 0


def test_pcie_tensor_parallel_pays_more_communication_than_nvlink():
    l40s, h100 = setup("L40S"), setup("H100")
    assert rl.round_timing(l40s, 4, 1, 64).comm_s > 5 * rl.round_timing(h100, 4, 1, 64).comm_s
    assert rl.scaleup_bandwidth(get_chip("L40S")) < rl.scaleup_bandwidth(get_chip("H100"))


def test_pipeline_rereads_weights_per_microbatch():
    s = setup()
    one = rl.round_timing(s, 1, 2, 2)
    assert one.memory_s == pytest.approx(
        2 * mm.weight_bytes(s.model, "fp8") / 2 / (s.bandwidth * s.eff.memory)
        + 2 * s.decode_context * s.kv_per_token / (2 * s.bandwidth * s.eff.memory))


def test_prefill_time_is_compute_scaled():
    s_short, s_long = setup(p=100), setup(p=4000)
    assert rl.prefill_seconds(s_long, 2, 1) > 10 * rl.prefill_seconds(s_short, 2, 1)


def test_scheduler_caps_by_hand():
    """vLLM/SGLang: 8,192 tokens per forward pass and 1,024 sequences per engine of 8 chips.
    A round of 20,000 tokens on 8 chips takes ceil(20000/8192) = 3 passes; on 16 chips
    (2 engines, 16,384 a pass) 2; TensorRT-LLM and MLPerf have no cap (1 pass).  Sequences:
    1,024 on 8 chips, 2,048 on 9-16."""
    from dataclasses import replace as rep

    from planner.perf.catalog import get_chip, get_model
    from planner.perf.efficiency import efficiency_for
    s = rl.Setup(get_chip("H200"), get_model("llama-3.1-70b"), "fp8", 1000, 250,
                 efficiency_for("nvidia-hopper", "vllm"))
    assert rl.engines(8) == 1 and rl.engines(9) == 2 and rl.engines(1) == 1
    assert rl.forward_passes(s, 20_000, 8) == 3 and rl.forward_passes(s, 20_000, 16) == 2
    assert rl.forward_passes(s, 8192, 8) == 1
    assert rl.sequence_cap(s, 8) == 1024 and rl.sequence_cap(s, 16) == 2048
    tuned = rep(s, eff=efficiency_for("nvidia-hopper", "trt-llm"))
    assert rl.forward_passes(tuned, 20_000, 8) == 1 and rl.sequence_cap(tuned, 8) > 10**8


def test_each_forward_pass_reads_the_weights_again():
    """Llama 3.1 70B at FP8 on one H200 (vllm): 8,192 sequences of 1000/250 make
    T = 8192·(1 + 4) = 40,960 tokens, 5 passes of 8,192; the weights (70.6 GB) are read
    5 times: memory = 5·W/(BW·e_m) + KV read."""
    from planner.perf.catalog import get_chip, get_model
    from planner.perf.efficiency import efficiency_for
    m = get_model("llama-3.1-70b")
    s = rl.Setup(get_chip("H200"), m, "fp8", 1000, 250, efficiency_for("nvidia-hopper", "vllm"))
    t = rl.round_timing(s, 1, 1, 8192)
    stream = s.bandwidth * s.eff.memory
    kv = 8192 * s.decode_context * s.kv_per_token / (mm.kv_shards(m, 1) * stream)
    assert t.memory_s == pytest.approx(5 * m.params_b * 1e9 / stream + kv)


def test_mla_attention_runs_at_bf16_and_prefills_in_mha_form():
    """DeepSeek-V3 (L 61, H 128, d 128, r 512, r_rope 64): decode (absorbed) attention costs
    2·61·128·(2·512 + 64) = 16,990,208 FLOPs per context token, prefill (MHA form)
    2·61·128·(2·128 + 64) = 4,997,120; both at the BF16 peak (989 TFLOP/s on H200), while
    GQA attention stays at the dense format (FP8, 1,979)."""
    from planner.perf.catalog import get_chip, get_model
    from planner.perf.efficiency import efficiency_for
    ds = get_model("deepseek-v3")
    assert mm.attention_flops_per_token(ds, 1) == pytest.approx(16_990_208)
    assert mm.prefill_attention_flops_per_token(ds, 1) == pytest.approx(4_997_120)
    llama = get_model("llama-3.1-70b")
    assert mm.prefill_attention_flops_per_token(llama, 7) == mm.attention_flops_per_token(llama, 7)
    eff = efficiency_for("nvidia-hopper")
    assert rl.Setup(get_chip("H200"), ds, "fp8", 1, 1, eff).attention_peak_flops == pytest.approx(989e12)
    assert rl.Setup(get_chip("H200"), llama, "fp8", 1, 1, eff).attention_peak_flops == pytest.approx(1979e12)
