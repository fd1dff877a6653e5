import itertools

import pytest

from planner.perf import roofline as rl
from planner.perf.catalog import chip_family, get_chip, get_model
from planner.perf.efficiency import efficiency_for
from planner.perf.inference import estimate_throughput, micro_batch_options


def setup(chip="H100", model="llama-2-70b", p=300, o=300):
    c = get_chip(chip)
    return rl.Setup(c, get_model(model), "fp8", p, o, efficiency_for(chip_family(c)))


def test_bubble_makes_pp8_slower_than_an_ideal_pipeline():
    s = setup()
    t = rl.round_timing(s, 1, 8, 4096, micro_batches=8)
    ideal = t.total_s - t.bubble_s  # the same stages with no fill/drain idle time
    assert t.bubble_s > 0
    assert t.total_s == pytest.approx(ideal * (8 + 8 - 1) / 8)
    assert t.total_s > 1.8 * ideal


def test_no_bubble_without_a_pipeline():
    assert rl.round_timing(setup(), 8, 1, 512).bubble_s == 0.0
    assert rl.bubble_factor(1, 1) == 1.0


def test_more_micro_batches_shrink_the_bubble_fraction():
    s = setup()
    fractions = []
    for m in micro_batch_options(8):
        t = rl.round_timing(s, 1, 8, 4096, micro_batches=m)
        fractions.append(t.bubble_s / t.total_s)
    assert fractions[0] == pytest.approx(7 / 15)
    assert all(a > b for a, b in itertools.pairwise(fractions))


def test_more_micro_batches_reread_the_weights():
    s = setup()
    few = rl.round_timing(s, 1, 8, 4096, micro_batches=8)
    many = rl.round_timing(s, 1, 8, 4096, micro_batches=64)
    assert many.memory_s > 4 * few.memory_s


def test_uneven_stages_set_the_pace():
    assert rl.stage_imbalance(80, 8) == 1.0
    assert rl.stage_imbalance(80, 32) == pytest.approx(3 / 2.5)
    assert rl.stage_imbalance(61, 2) == pytest.approx(31 / 30.5)
    assert rl.stage_imbalance(61, 1) == 1.0


def test_pcie_chip_pipelines_over_pcie():
    l40s, h100 = get_chip("L40S"), get_chip("H100")
    assert rl.pipeline_bandwidth(l40s, 32) == rl.scaleup_bandwidth(l40s)
    assert rl.pipeline_bandwidth(h100, 8) == rl.scaleup_bandwidth(h100)
    assert rl.pipeline_bandwidth(h100, 16) < rl.scaleup_bandwidth(h100) / 5


def test_l40s_and_h100_llama2_70b_near_mlperf():
    # MLPerf v4.1 offline: Fujitsu 8x L40S (PCIe) 465 and DGX H100 3,066 tok/s per GPU.
    l40s = estimate_throughput(get_chip("L40S"), get_model("llama-2-70b"), "fp8", 300, 300)
    h100 = estimate_throughput(get_chip("H100"), get_model("llama-2-70b"), "fp8", 300, 300)
    assert abs(l40s.output_tokens_per_s_per_chip / 465 - 1) < 0.35
    assert abs(h100.output_tokens_per_s_per_chip / 3066 - 1) < 0.15


def test_models_that_need_a_pipeline_still_get_one():
    # DeepSeek-V3 at FP8 (671 GB) does not fit in one 8 x 80 GB H100 domain: without
    # wide expert parallelism (which leaves the domain over the NIC) it needs a pipeline.
    e = estimate_throughput(get_chip("H100"), get_model("deepseek-v3"), "fp8", 1000, 250)
    assert e.feasible and e.chips_per_replica > 8
    llama = estimate_throughput(get_chip("H100"), get_model("llama-3.1-405b"), "bf16", 1000, 250)
    assert llama.feasible and llama.pipeline_parallel >= 2
