import itertools

import pytest

from planner.domain import ChipSpec, PlannerError
from planner.perf.catalog import get_chip, get_model, load_chips, load_models
from planner.perf.inference import estimate_throughput, parallel_splits

KEYS = ("output_tokens_per_s_per_chip", "chips_per_replica", "batch_size", "ttft_ms", "tpot_ms",
        "bound", "precision_used", "tensor_parallel", "pipeline_parallel", "source")


def est(chip, model="llama-2-70b", precision="fp8", p=300, o=300, ttft=None, tpot=None, **kw):
    return estimate_throughput(get_chip(chip), get_model(model), precision, p, o, ttft, tpot, **kw)


def test_llama2_70b_h100_fp8_offline_matches_mlperf():
    e = est("H100")
    assert e.feasible and e.source == "modelled"
    # MLPerf v4.1 offline, NVIDIA DGX H100: 3066 output tokens/s per GPU.
    assert abs(e.output_tokens_per_s_per_chip / 3066 - 1) < 0.15


@pytest.mark.parametrize("chip", sorted(load_chips()))
@pytest.mark.parametrize("model", sorted(load_models()))
def test_every_chip_and_model_answers_or_says_why(chip, model):
    e = estimate_throughput(get_chip(chip), get_model(model), "fp8", 1000, 250)
    for key in KEYS:
        assert hasattr(e, key)
    if e.feasible:
        assert e.output_tokens_per_s_per_chip > 0 and e.bound in ("compute", "memory")
        assert e.chips_per_replica == e.tensor_parallel * e.pipeline_parallel * e.data_parallel >= 1
        assert e.batch_size >= e.pipeline_parallel and e.tpot_ms > 0 and e.ttft_ms > e.tpot_ms
    else:
        assert e.output_tokens_per_s_per_chip == 0 and len(e.reason) > 10


def test_non_modelable_chip_gives_no_figure():
    e = est("Cerebras")
    assert not e.feasible and "cannot be modelled" in e.reason
    assert e.output_tokens_per_s_per_chip == 0


def test_tighter_tpot_never_raises_throughput():
    rates = [est("H100", tpot=t).output_tokens_per_s_per_chip for t in (None, 200, 100, 50, 30, 20)]
    assert all(a >= b for a, b in itertools.pairwise(rates))
    assert rates[-1] < rates[0]


def test_tpot_target_is_met():
    e = est("H100", tpot=40)
    assert e.feasible and e.tpot_ms <= 40


def test_impossible_target_names_it_and_best_value():
    e = est("H100", tpot=2)
    assert not e.feasible and "TPOT" in e.reason
    assert e.best_tpot_ms is not None and e.best_tpot_ms > 2
    e = est("H100", ttft=1)
    assert not e.feasible and "TTFT" in e.reason and e.best_ttft_ms > 1


def test_h200_beats_h100_on_70b():
    assert est("H200").output_tokens_per_s_per_chip > est("H100").output_tokens_per_s_per_chip
    assert (est("H200", tpot=50).output_tokens_per_s_per_chip
            > est("H100", tpot=50).output_tokens_per_s_per_chip)


def test_mi300x_fits_70b_fp8_on_one_chip_h100_not_at_bf16():
    mi = est("MI300X", tpot=60, ttft=2000)
    assert mi.feasible
    one_chip = estimate_throughput(get_chip("MI300X"), get_model("llama-2-70b"), "fp8", 300, 300,
                                   max_pipeline_parallel=1)
    assert one_chip.feasible
    # H100 at BF16 (138 GB of weights) needs more than one 80 GB chip.
    h = est("H100", precision="bf16")
    assert h.feasible and h.chips_per_replica >= 2


def test_l40s_a_third_of_h100_or_less():
    ratio = est("L40S").output_tokens_per_s_per_chip / est("H100").output_tokens_per_s_per_chip
    assert ratio <= 0.36


def test_fp8_faster_than_bf16_on_h100():
    assert (est("H100", precision="fp8").output_tokens_per_s_per_chip
            > 1.3 * est("H100", precision="bf16").output_tokens_per_s_per_chip)


def test_fp4_falls_back_on_h100():
    e = est("H100", precision="fp4")
    assert e.precision == "fp4" and e.precision_used == "fp8"
    assert e.output_tokens_per_s_per_chip == pytest.approx(est("H100").output_tokens_per_s_per_chip)
    assert est("B200", precision="fp4").precision_used == "fp4"


def test_model_too_big_is_infeasible_with_reason():
    tiny = ChipSpec("Tiny", peak_tflops={"bf16": 100.0}, memory_gb=2.0, memory_bw_tbs=1.0)
    e = estimate_throughput(tiny, get_model("deepseek-v3"), "bf16", 300, 300)
    assert not e.feasible and "does not fit" in e.reason and e.output_tokens_per_s_per_chip == 0


def test_pcie_only_chip_uses_pcie_groups():
    assert max(tp for tp, _ in parallel_splits(get_chip("L40S"))) == 8
    assert max(tp for tp, _ in parallel_splits(get_chip("H100"))) == 8
    assert all(pp == 1 for _, pp in parallel_splits(get_chip("H100"), max_pp=1))


def test_longer_prompts_lower_output_rate():
    short = est("H100", p=100, o=300).output_tokens_per_s_per_chip
    long = est("H100", p=3000, o=300).output_tokens_per_s_per_chip
    assert long < short


def test_uncalibrated_roofline_is_faster_than_calibrated():
    assert (est("H100", calibrated=False).output_tokens_per_s_per_chip
            > est("H100").output_tokens_per_s_per_chip)


def test_bad_inputs_are_planner_errors():
    with pytest.raises(PlannerError):
        est("H100", o=0)
    with pytest.raises(PlannerError):
        est("H100", tpot=-1)


def test_deterministic():
    assert est("MI300X", tpot=50) == est("MI300X", tpot=50)
