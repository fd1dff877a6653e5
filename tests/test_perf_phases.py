"""One-phase (disaggregated prefill/decode) estimates and their path into the optimizer."""

import itertools
import math
from dataclasses import replace

import pytest

from planner.domain import (
    ChipOffer,
    InferenceWorkload,
    PlanInput,
    PlannerError,
    Quarter,
    Settings,
    Site,
)
from planner.perf import roofline as rl
from planner.perf.catalog import chip_family, get_chip, get_model, load_chips, load_models
from planner.perf.efficiency import efficiency_for, workload_efficiency
from planner.perf.inference import estimate_throughput
from planner.perf.phases import estimate_phase, prefill_timing
from planner.perf.plan import phase_estimates

SHAPE = ("llama-3.1-70b", "fp8", 2000, 500)  # long prompts: prefill is 80 % of the tokens


def phase(chip, which, ttft=1000, tpot=50, shape=SHAPE, **kw):
    model, precision, p, o = shape
    return estimate_phase(get_chip(chip), get_model(model), precision, p, o, ttft, tpot, which, **kw)


def colocated(chip, ttft=1000, tpot=50, shape=SHAPE):
    model, precision, p, o = shape
    return estimate_throughput(get_chip(chip), get_model(model), precision, p, o, ttft, tpot)


@pytest.mark.parametrize("chip", ["H100", "H200", "B200", "MI300X"])
def test_decode_only_chip_beats_colocated_at_the_same_tpot(chip):
    """Without prefill chunks in its rounds a decode chip runs a bigger batch under 50 ms."""
    dec, col = phase(chip, "decode"), colocated(chip)
    assert dec.feasible and col.feasible and dec.phase == "decode"
    assert dec.tpot_ms <= 50 and dec.ttft_ms == 0
    assert dec.requests_per_s_per_chip > 1.5 * col.requests_per_s_per_chip
    assert dec.batch_size > col.batch_size


def test_decode_rate_is_batch_over_output_times_step():
    d = phase("H100", "decode")
    step_s = d.tpot_ms / 1000
    assert d.requests_per_s_per_chip == pytest.approx(
        d.batch_size / (500 * step_s * d.chips_per_replica), rel=1e-9)


def test_decode_batch_fills_memory_at_the_average_context_without_a_target():
    """No TPOT: the batch is the most sequences whose KV at P + O/2 fits beside the weights."""
    d = phase("H100", "decode", tpot=None)
    chip, model = get_chip("H100"), get_model("llama-3.1-70b")
    kv = 2250 * 80 * 8 * 128 * 2 * 1  # tokens x layers x KV heads x head size x (K, V) x 1 byte
    free = d.chips_per_replica * chip.memory_gb * 1e9 * 0.9 - model.params_b * 1e9
    assert d.batch_size == int(free // kv)


@pytest.mark.parametrize("calibrated", [True, False])
def test_prefill_is_compute_bound_and_follows_peak_flops(calibrated):
    h, b = (phase(c, "prefill", calibrated=calibrated) for c in ("H100", "B200"))
    assert h.feasible and b.feasible and h.phase == b.phase == "prefill"
    assert h.bound == b.bound == "compute"
    assert b.requests_per_s_per_chip > h.requests_per_s_per_chip
    if not calibrated:  # the bare roofline: prompt tokens/s close to peak / (2 N_a) plus attention
        peak = get_chip("B200").peak_tflops["fp8"] / get_chip("H100").peak_tflops["fp8"]
        ratio = b.requests_per_s_per_chip / h.requests_per_s_per_chip
        assert ratio == pytest.approx(peak, rel=0.15)


def test_prefill_rate_is_near_the_compute_roofline():
    """Calibrated H100: within 25 % of peak x e_c / (2 N_a + attention) prompt tokens/s."""
    p = phase("H100", "prefill", ttft=None)
    chip, model = get_chip("H100"), get_model("llama-3.1-70b")
    e_c = workload_efficiency(chip_family(chip), chip.name, False, 1).compute
    flops_per_token = 2 * model.active_params_b * 1e9 + 4 * 80 * 64 * 128 * 1000
    roof = chip.peak_tflops["fp8"] * 1e12 * e_c / flops_per_token
    assert 0.75 * roof < p.requests_per_s_per_chip * 2000 <= roof


@pytest.mark.parametrize("chip", ["H100", "B200"])
def test_tighter_ttft_never_raises_the_prefill_rate(chip):
    rates = []
    for ttft in (None, 5000, 2000, 1000, 600, 400, 250):
        p = phase(chip, "prefill", ttft=ttft)
        assert p.feasible and (ttft is None or p.ttft_ms <= ttft)
        rates.append(p.requests_per_s_per_chip)
    assert all(a >= b * (1 - 1e-9) for a, b in itertools.pairwise(rates))
    assert rates[-1] < rates[0]


def test_prefill_ttft_is_two_batches_and_rate_is_batch_over_batch_time():
    p = phase("B200", "prefill")
    s = rl.Setup(get_chip("B200"), get_model("llama-3.1-70b"), "fp8", 2000, 500,
                 workload_efficiency("nvidia-blackwell", "B200", False, 1))
    t = prefill_timing(s, p.tensor_parallel, p.pipeline_parallel, p.batch_size, p.pipeline_parallel)
    assert p.ttft_ms == pytest.approx(2000 * t.total_s) and p.tpot_ms == 0
    assert p.requests_per_s_per_chip == pytest.approx(p.batch_size / (t.total_s * p.chips_per_replica))


def test_one_prompt_prefill_matches_the_colocated_prefill_time():
    s = rl.Setup(get_chip("H100"), get_model("mixtral-8x7b"), "fp8", 1500, 300,
                 efficiency_for("nvidia-hopper"))
    for tp in (1, 2, 4):
        assert prefill_timing(s, tp, 1, 1, 1).total_s == pytest.approx(rl.prefill_seconds(s, tp, 1))


@pytest.mark.parametrize("chip", ["H100", "H200", "B200"])
@pytest.mark.parametrize("targets", [(None, None), (1000, 50)])
def test_time_sharing_the_phases_is_close_to_colocated(chip, targets):
    """One chip alternating pure prefill and pure decode serves 1/(1/r_p + 1/r_d) requests/s:
    the same work as colocated serving, minus the interference, so within a small factor."""
    p, d, c = phase(chip, "prefill", *targets), phase(chip, "decode", *targets), colocated(chip, *targets)
    shared = 1 / (1 / p.requests_per_s_per_chip + 1 / d.requests_per_s_per_chip)
    assert 0.8 < shared / c.requests_per_s_per_chip < 1.6


def test_rates_are_request_equivalent():
    for which in ("prefill", "decode"):
        e = phase("H100", which)
        assert e.output_tokens_per_s_per_chip == pytest.approx(e.requests_per_s_per_chip * 500)
        assert e.tokens_per_s_per_chip == pytest.approx(e.requests_per_s_per_chip * 2500)


def test_each_phase_is_held_only_to_its_own_target():
    assert phase("H100", "decode", ttft=1).feasible
    assert phase("H100", "prefill", tpot=1).feasible


def test_missed_targets_give_reasons_and_best_values():
    p = phase("H100", "prefill", ttft=50)
    assert not p.feasible and p.phase == "prefill" and "TTFT target 50 ms" in p.reason
    assert p.best_ttft_ms > 50 and p.output_tokens_per_s_per_chip == 0
    d = phase("H100", "decode", tpot=2)
    assert not d.feasible and "TPOT target 2 ms" in d.reason and d.best_tpot_ms > 2


def test_what_does_not_fit_or_cannot_be_modelled_says_why():
    tiny = replace(get_chip("H100"), memory_gb=0.1)
    model = get_model("llama-3.1-70b")
    for which in ("prefill", "decode"):
        e = estimate_phase(tiny, model, "fp8", 2000, 500, None, None, which)
        assert not e.feasible and "does not fit" in e.reason and which in e.reason
        e = estimate_phase(get_chip("Cerebras"), model, "fp8", 2000, 500, None, None, which)
        assert not e.feasible and "cannot be modelled" in e.reason
    e = estimate_phase(get_chip("H100"), model, "fp8", 0, 500, None, None, "prefill")
    assert not e.feasible and "no prompt tokens" in e.reason
    with pytest.raises(PlannerError, match="unknown phase"):
        estimate_phase(get_chip("H100"), model, "fp8", 2000, 500, None, None, "both")


def _input(disaggregated: bool, chips=("H100 SXM", "B200")) -> PlanInput:
    specs = load_chips()
    settings = Settings(start_quarter=Quarter(2026, 1), quarters=1, mip_gap=0.0, time_limit_s=60)
    workloads = (
        InferenceWorkload("chat", "llama-3.1-70b", "fp8", 2000, 500, 1000, 50, (20e9,),
                          disaggregated=disaggregated),
        InferenceWorkload("short", "llama-3.1-8b", "fp8", 300, 300, None, None, (1e9,)),
    )
    return PlanInput(settings=settings, chips=tuple(ChipOffer(c, None, 3.0) for c in chips),
                     sites=(Site("dc", 10000, 0.08),), workloads=workloads,
                     chip_specs={c: specs[c] for c in chips}, model_specs=load_models())


def test_phase_estimates_cover_both_phases_of_disaggregated_workloads_only():
    est = phase_estimates(_input(True))
    assert set(est) == {("chat", c, ph) for c in ("H100 SXM", "B200") for ph in ("prefill", "decode")}
    assert all(e.phase == key[2] and e.feasible for key, e in est.items())
    # the plan attaches the software-maturity multiplier per quarter; the rest is the phase's
    assert replace(est[("chat", "B200", "decode")], speedup_by_quarter=()) == \
        phase("B200", "decode")
    assert phase_estimates(_input(False)) == {}


def test_solve_passes_phases_and_splits_the_disaggregated_workload():
    """At the same rent, a pure-prefill plus a pure-decode chip serve a request in less chip
    time than colocated chips, so the disaggregated workload's chips are all one-phase."""
    from planner.api import solve

    split, joint = solve(_input(True)), solve(_input(False))
    chat = [a for a in split.allocation if a.workload == "chat"]
    # Whole rented chips leave idle capacity, which a solver may give to colocated
    # serving at no cost (HiGHS does, CBC does not): the one-phase chips carry the load,
    # and serving the colocated share one-phase too would need as many whole chips
    # (the colocated chips cost nothing extra).
    assert {"prefill", "decode"} <= {a.phase for a in chat}
    one_phase = [a for a in chat if a.phase != "both"]
    both = sum(a.chips for a in chat if a.phase == "both")
    assert both <= 0.25 * sum(a.chips for a in chat)
    demand = sum(a.tokens_per_day for a in chat if a.phase != "prefill")
    served = sum(a.tokens_per_day for a in one_phase if a.phase == "decode")
    needed = sum(a.chips for a in one_phase) * demand / served
    short = sum(a.chips for a in split.allocation if a.workload == "short")
    assert math.ceil(needed + short - 1e-6) == sum(f.quantity for f in split.fleet)
    assert all(a.phase == "both" for a in split.allocation if a.workload == "short")
    assert all(a.phase == "both" for a in joint.allocation)
    assert split.unmet_demand_share == pytest.approx(0, abs=1e-6)
    assert split.solver.objective_usd < 0.9 * joint.solver.objective_usd
