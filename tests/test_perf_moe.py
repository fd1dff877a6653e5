import random

import pytest

from planner.domain.hardware import ModelSpec
from planner.perf import modelmath as mm
from planner.perf import moe
from planner.perf import roofline as rl
from planner.perf.catalog import chip_family, get_chip, get_model, load_chips
from planner.perf.efficiency import efficiency_for
from planner.perf.inference import estimate_throughput

MIX = get_model("mixtral-8x7b")
DSV3 = get_model("deepseek-v3")
EFF = efficiency_for("nvidia-hopper")


def per_token(model, tokens, tp=1):
    """Routed FLOP-time per token of one micro-batch, summed over the tp chips."""
    return moe.routed_flop_seconds(model, EFF, tokens, 1, tp, 1) * tp / tokens


def test_per_expert_token_count_lowers_moe_efficiency_at_small_batch():
    # Each expert multiplies only tokens·k/E tokens, so it pays the small-multiply
    # penalty at E/k times the batch a dense layer would need.  Of 8 experts, 32 tokens
    # leave one idle with probability (3/4)^32 = 1e-4; only touched ones pay m_half.
    small, large = per_token(MIX, 32), per_token(MIX, 100_000)
    k, e, half = MIX.active_experts, MIX.experts, EFF.gemm_half_tokens
    touched = 1 - (1 - k / e) ** 32
    expected = ((32 * k / e + touched * half) / (32 * k / e)) / ((100_000 * k / e + half) / (100_000 * k / e))
    assert small / large == pytest.approx(expected, rel=1e-9)
    assert small > 3 * large
    # A routed FLOP costs more than an always-active FLOP at the same batch.
    _, per_expert = mm.expert_split(MIX)
    routed_flop = per_token(MIX, 256) / (2 * k * per_expert)
    shared_flop = 1 / EFF.gemm_efficiency(256)
    assert routed_flop > 2 * shared_flop


def test_deepseek_experts_see_few_tokens_each():
    # 256 experts, 8 per token: a 2,000-token round gives each expert ~62 tokens.
    assert per_token(DSV3, 2000) > 4 * per_token(DSV3, 200_000)


def test_busiest_load_factor_matches_balls_in_bins():
    assert moe.busiest_load_factor(100.0, 1) == 1.0
    rng = random.Random(0)
    bins, mean = 8, 50
    trials = [max(_loads(rng, bins, mean)) for _ in range(2000)]
    simulated = sum(trials) / len(trials) / mean
    assert moe.busiest_load_factor(mean, bins) == pytest.approx(simulated, rel=0.05)
    # More tokens even the load out; never more than all of it in one bin.
    assert moe.busiest_load_factor(10_000, 8) < moe.busiest_load_factor(100, 8) < 1.5
    assert moe.busiest_load_factor(1e-3, 8) == 8.0


def _loads(rng, bins, mean):
    loads = [0] * bins
    for _ in range(bins * mean):
        loads[rng.randrange(bins)] += 1
    return loads


def test_expert_parallel_busiest_chip_sets_the_pace():
    # Over 8 chips each holds 32 whole experts; the chip with the most routed tokens
    # sets the pace, so the group's work exceeds one chip's by the busiest-bin excess.
    tokens, k, e, half = 512, DSV3.active_experts, DSV3.experts, EFF.gemm_half_tokens
    factor = moe.busiest_load_factor(tokens * k / 8, 8)
    assert factor > 1.05
    ratio = per_token(DSV3, tokens, tp=8) / per_token(DSV3, tokens, tp=1)
    assert ratio == pytest.approx((factor * tokens * k + e * half) / (tokens * k + e * half))
    assert ratio > 1


def test_permutation_traffic():
    assert moe.permute_bytes(get_model("llama-2-70b"), 1000, 1, 1) == 0.0
    per_token = (3 * 2 + 1) * 4096 * mm.ACTIVATION_BYTES * 32
    assert moe.permute_bytes(MIX, 1000, 1, 1) == pytest.approx(1000 * per_token)
    assert moe.permute_bytes(MIX, 1000, 2, 1) == pytest.approx(500 * per_token)
    assert moe.permute_bytes(MIX, 1000, 2, 2) == pytest.approx(250 * per_token)


def test_moe_round_pays_permutation_and_reads_touched_experts():
    c = get_chip("H100")
    s = rl.Setup(c, MIX, "fp8", 420, 145, efficiency_for(chip_family(c)))
    t = rl.round_timing(s, 2, 1, 64)
    tokens = 64 * (1 + 420 / 145)
    stream = s.bandwidth * s.eff.memory
    weights = mm.touched_weight_bytes(MIX, "fp8", tokens) / 2 / stream
    kv = 64 * s.decode_context * s.kv_per_token / (2 * stream)
    assert t.memory_s == pytest.approx(weights + kv + moe.permute_bytes(MIX, tokens, 2, 1) / stream)
    # Expected distinct experts touched: E·(1 - (1 - k/E)^n).
    assert mm.expert_fraction_touched(DSV3, 64) == pytest.approx(1 - (1 - 8 / 256) ** 64)


def test_deepseek_v3_h100_near_deepseeks_published_rates():
    # DeepSeek's inference overview (Day 6, H800 nodes of 8 GPUs): 14.8k output tok/s per
    # decode node and 73.7k input tok/s per prefill node, i.e. 1,850 and 9,212 per GPU.
    # For 1000 prompt / 250 output tokens a GPU spends 1/1850 + 4/9212 s per output
    # token: ~1,026 tok/s.  Their figures include multi-token prediction, prefix-cache
    # hits and 144-GPU expert parallelism, none of which the model has.  Their engine is
    # tuned, so the comparison is at the tuned stack (mlperf); the default (vllm) stack
    # runs the routed experts at the open-source engines' measured efficiency (GPUStack's
    # SGLang/vLLM runs on 8x H200: ~2-2.4k total tok/s per GPU) and lands lower.
    e = estimate_throughput(get_chip("H100"), DSV3, "fp8", 1000, 250, stack="mlperf")
    published = 1 / (1 / 1850 + 4 / 9212)
    assert 0.5 < e.output_tokens_per_s_per_chip / published < 1.5
    default = estimate_throughput(get_chip("H100"), DSV3, "fp8", 1000, 250)
    assert default.output_tokens_per_s_per_chip < e.output_tokens_per_s_per_chip
    h200 = estimate_throughput(get_chip("H200"), DSV3, "fp8", 1000, 250, stack="mlperf")
    b200 = estimate_throughput(get_chip("B200"), DSV3, "fp8", 1000, 250, stack="mlperf")
    assert (e.output_tokens_per_s_per_chip < h200.output_tokens_per_s_per_chip
            < b200.output_tokens_per_s_per_chip)


# A small routed layer worked by hand: 1 layer, 8 experts of 1M parameters each, top-2,
# no always-active parameters beyond 0.5M attention weights.
SMALL = ModelSpec("small-moe", params_b=0.0085, active_params_b=0.0025, layers=1,
                  hidden_size=256, attention_heads=4, kv_heads=4, head_dim=64,
                  experts=8, active_experts=2)


def test_small_routed_layer_split_by_hand():
    # N = S + E·e = 8.5M and N_a = S + k·e = 2.5M give e = 6M / 6 = 1M and S = 0.5M.
    shared, per_expert = mm.expert_split(SMALL)
    assert per_expert == pytest.approx(1e6) and shared == pytest.approx(0.5e6)


def test_idle_experts_cost_nothing():
    # One token picks 2 of 8 experts: the expected number touched is 8·(1 − (6/8)^1) = 2,
    # so with m_half = 256 the routed work is 2·e·(λ·2 + 2·256)/e_c on one chip (λ = 1):
    # 2·1e6·514/e_c, not 2·1e6·(2 + 8·256)/e_c as if all 8 experts ran a tile.
    one = moe.routed_flop_seconds(SMALL, EFF, 1, 1, 1, 1)
    assert one == pytest.approx(2e6 * (2 + 2 * 256) / EFF.compute)
    # Weight reads: S plus the 2 touched experts, 0.5M + 2M bytes at fp8.
    assert mm.touched_weight_bytes(SMALL, "fp8", 1) == pytest.approx(2.5e6)
    # A batch big enough to touch every expert pays every expert's tile.
    many = moe.routed_flop_seconds(SMALL, EFF, 10_000, 1, 1, 1)
    assert many == pytest.approx(2e6 * (10_000 * 2 + 8 * 256 * (1 - 0.75 ** 10_000)) / EFF.compute)


def test_expert_parallelism_halves_per_chip_expert_weights():
    # Attention (S = 0.5M at fp8) is copied in each data-parallel group; the 8M expert
    # parameters are spread over the tp·dp chips: 8M/2 = 4M bytes on 2 chips, 2M on 4.
    two = mm.chip_weight_bytes(SMALL, "fp8", "fp8", 1, 1, 2)
    four = mm.chip_weight_bytes(SMALL, "fp8", "fp8", 1, 1, 4)
    assert two == pytest.approx(0.5e6 + 4e6) and four == pytest.approx(0.5e6 + 2e6)
    assert four - 0.5e6 == pytest.approx((two - 0.5e6) / 2)
    # Per chip the routed FLOPs halve too (apart from the busiest-chip factor).
    t2 = moe.routed_flop_seconds(SMALL, EFF, 10_000, 1, 2, 1)
    t4 = moe.routed_flop_seconds(SMALL, EFF, 10_000, 1, 4, 1)
    assert t4 / t2 == pytest.approx(0.5, rel=0.03)


def test_all_to_all_takes_the_scale_out_network_past_the_domain():
    # Per token: L_moe·k·h·(1 + 2) bytes = 1·2·256·3 = 1536 bytes at fp8 dispatch.
    assert moe.dispatch_bytes_per_token(SMALL, 1.0) == 1536
    # 8 chips in one 8-chip domain: each sends tokens/8 tokens, 7/8 of it off-chip, all
    # over the scale-up links.
    inside = moe.all_to_all_seconds(SMALL, 1.0, 800, 8, 8, 1e9, 1e8)
    assert inside == pytest.approx(100 * 1536 * 7 / 8 / 1e9)
    # 16 chips in 8-chip domains: of the 15 other chips 8 are in the other domain.
    across = moe.all_to_all_seconds(SMALL, 1.0, 1600, 16, 8, 1e9, 1e8)
    off = 100 * 1536 * 15 / 16
    assert across == pytest.approx(off * (7 / 15 / 1e9 + 8 / 15 / 1e8))
    assert moe.all_to_all_seconds(SMALL, 1.0, 800, 1, 8, 1e9, 1e8) == 0.0


def test_mla_kv_is_copied_by_tensor_parallelism_and_gqa_split():
    assert mm.kv_shards(DSV3, 8) == 1
    assert mm.kv_shards(get_model("llama-2-70b"), 4) == 4
    assert mm.kv_shards(get_model("llama-2-70b"), 16) == 8  # 8 KV heads: copied beyond 8
    # DeepSeek-V3's latent KV: 61 layers x (512 + 64) values = 35,136 per token.
    assert DSV3.kv_values_per_token() == 61 * 576


def test_multi_token_prediction_tokens_per_step():
    assert mm.tokens_per_step(0, 0.9) == 1.0
    assert mm.tokens_per_step(1, 0.85) == pytest.approx(1.85)
    assert mm.tokens_per_step(3, 0.5) == pytest.approx(1 + 0.5 + 0.25 + 0.125)


def test_mtp_lowers_tpot_at_the_same_batch():
    c = get_chip("H200")
    base = rl.Setup(c, DSV3, "fp8", 1000, 250, efficiency_for(chip_family(c)))
    spec = rl.Setup(c, DSV3, "fp8", 1000, 250, efficiency_for(chip_family(c)),
                    draft_tokens=1, acceptance=0.85)
    t0 = rl.round_timing(base, 8, 1, 16).total_s
    t1 = rl.round_timing(spec, 8, 1, 16).total_s
    assert t1 > t0  # a step verifies 2 tokens per sequence and runs a draft layer
    assert t1 / spec.tokens_per_step < t0  # but yields 1.85 tokens


def test_fp4_moe_keeps_attention_at_fp8():
    b200 = get_chip("B200")
    assert mm.dense_precision(b200, DSV3, "fp4") == "fp8"
    assert mm.dense_precision(b200, get_model("llama-2-70b"), "fp4") == "fp4"
    e = estimate_throughput(b200, DSV3, "fp4", 1000, 250)
    assert e.precision_used == "fp4" and e.dense_precision_used == "fp8"
    # Experts at 0.5 bytes, the 16.6B always-active parameters at 1 byte.
    shared, per_expert = mm.expert_split(DSV3)
    assert mm.weight_bytes(DSV3, "fp4", "fp8") == pytest.approx(shared + 0.5 * 256 * per_expert)


@pytest.mark.parametrize("chip", ["H200", "B200", "MI355X"])
def test_deepseek_on_one_8_gpu_node_meets_15_ms(chip):
    e = estimate_throughput(get_chip(chip), DSV3, "fp8", 1000, 250, tpot_ms=15, max_replica_chips=8)
    assert e.feasible and e.tpot_ms <= 15 and e.chips_per_replica == 8
    # Tight TPOT runs tens of sequences, not hundreds.
    assert e.batch_size < 100
    loose = estimate_throughput(get_chip(chip), DSV3, "fp8", 1000, 250, tpot_ms=50,
                                max_replica_chips=8)
    assert loose.output_tokens_per_s_per_chip > 3 * e.output_tokens_per_s_per_chip


def test_deepseek_estimate_for_every_nvidia_and_amd_datacenter_chip():
    chips = [c for c in load_chips().values() if c.vendor in ("NVIDIA", "AMD") and c.modelable]
    assert len(chips) >= 9
    for chip in chips:
        for name in ("deepseek-v3", "deepseek-r1"):
            e = estimate_throughput(chip, get_model(name), "fp8", 1000, 250)
            assert e.feasible and e.output_tokens_per_s_per_chip > 0, (chip.name, e.reason)


def test_decode_pool_uses_wide_ep_near_deepseeks_decode_nodes():
    # DeepSeek's Day-6 overview: ~14.8k output tok/s per 8-GPU H800 decode node (1,850
    # per GPU) at ~20 tokens/s per user, with EP144 across nodes and MTP (85-90 %
    # acceptance).  A decode-only H100 pool with one draft token at 85 % and TPOT <= 50 ms
    # spreads the experts over several servers and lands within a factor of 1.6 at the
    # tuned stack (DeepSeek's own engine; the default vllm stack lands lower).
    from planner.perf.phases import estimate_phase
    e = estimate_phase(get_chip("H100"), DSV3, "fp8", 2000, 1000, tpot_ms=50, phase="decode",
                       draft_tokens=1, acceptance=0.85, stack="mlperf")
    assert e.feasible and e.data_parallel > 8 and e.expert_parallel == e.chips_per_replica
    assert 0.8 < e.output_tokens_per_s_per_chip / 1850 < 1.6


def test_routed_factor_scales_the_per_token_expert_work_not_the_tile():
    """SMALL, one chip, one token, routed factor g = 0.5: the token's work is charged at
    g·e_c and the two touched experts' fixed tiles at e_c:
    2·e·(λ·2/g + 2·256)/e_c = 2·1e6·(4 + 512)/e_c.  With g = 1 it is the dense curve
    2·1e6·(2 + 512)/e_c."""
    from dataclasses import replace
    half = replace(EFF, routed=0.5)
    assert moe.routed_flop_seconds(SMALL, half, 1, 1, 1, 1) == pytest.approx(2e6 * 516 / EFF.compute)
    assert moe.routed_flop_seconds(SMALL, EFF, 1, 1, 1, 1) == pytest.approx(2e6 * 514 / EFF.compute)


def test_moe_class_factors_touch_only_the_routed_multiplies():
    """workload_efficiency: a MoE keeps the dense compute and memory efficiency of its
    chip and stack; class:moe x class:finemoe (x class:openmoe on vllm/sglang with FP8
    experts, x class:w4moe for weight-only 4-bit experts) land on ``routed``."""
    from planner.perf.efficiency import factor_for, workload_efficiency
    dense = workload_efficiency("nvidia-hopper", "H200 SXM", False, 1, "vllm")
    mixtral = workload_efficiency("nvidia-hopper", "H200 SXM", True, 1, "vllm")
    fine_open = workload_efficiency("nvidia-hopper", "H200 SXM", True, 1, "vllm", True)
    fine_trt = workload_efficiency("nvidia-hopper", "H200 SXM", True, 1, "trt-llm", True)
    assert mixtral.compute == dense.compute and mixtral.memory == dense.memory
    assert mixtral.routed == pytest.approx(factor_for("class:moe"))
    both = factor_for("class:moe") * factor_for("class:finemoe")
    assert fine_open.routed == pytest.approx(both * factor_for("class:openmoe"))
    assert fine_trt.routed == pytest.approx(both)
    # gpt-oss's MXFP4 experts upcast on Hopper: not the FP8 open-engine kernels, w4moe
    w4 = workload_efficiency("nvidia-hopper", "H100 SXM", True, 1, "vllm", True, False, True)
    assert w4.routed == pytest.approx(both * factor_for("class:w4moe"))
    assert fine_open.routed_compute == pytest.approx(fine_open.compute * fine_open.routed)


def test_deepseek_h200_max_throughput_near_published_open_engines():
    """GPUStack's 8x H200 DeepSeek-R1 runs (SGLang 0.5.3 with DP attention, vLLM 0.11.0 TP8:
    16-19k total tok/s per node at 2000/100 and 4000/200, i.e. 2.0-2.4k per GPU, cited in
    published_results.csv) put the default stack at about 2-2.5k total tok/s per GPU at
    1000/250 on one node; the model before the scheduler caps, BF16 MLA attention and
    routed-expert factors said 6,657.  Band 1.8-2.8k; a tuned stack runs higher."""
    e = estimate_throughput(get_chip("H200"), get_model("deepseek-r1"), "fp8", 1000, 250,
                            max_replica_chips=8)
    total = e.output_tokens_per_s_per_chip * (1000 + 250) / 250
    assert 1800 < total < 2800 and e.batch_size <= 1024
    tuned = estimate_throughput(get_chip("H200"), get_model("deepseek-r1"), "fp8", 1000, 250,
                                max_replica_chips=8, stack="trt-llm")
    assert tuned.output_tokens_per_s_per_chip > e.output_tokens_per_s_per_chip
