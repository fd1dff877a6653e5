import dataclasses
import math

import pytest

from planner.domain import (
    ChipOffer,
    InferenceWorkload,
    MeasuredThroughput,
    PlanInput,
    PlannerError,
    Quarter,
    Settings,
    Site,
    TrainingRun,
)
from planner.perf.catalog import load_chips, load_models
from planner.perf.inference import estimate_throughput
from planner.perf.plan import plan_estimates


def make_input(measured=(), training=(), workloads=None, chips=("H100 SXM", "MI300X")):
    specs = load_chips()
    models = load_models()
    wl = workloads or (
        InferenceWorkload("chat", "llama-2-70b", "fp8", 300, 300, None, 200, (1e12,) * 4),
        InferenceWorkload("batch", "llama-3.1-8b", "bf16", 2000, 200, None, None, (1e12,) * 4),
    )
    return PlanInput(
        settings=Settings(start_quarter=Quarter(2026, 1), quarters=4),
        chips=tuple(ChipOffer(c, 25000, 2.0) for c in chips),
        sites=(Site("dc", 10000, 0.08),),
        workloads=wl, training=tuple(training), measured=tuple(measured),
        chip_specs={c: specs[c] for c in chips}, model_specs=models)


def test_keys_cover_every_workload_and_chip():
    tp, tr = plan_estimates(make_input())
    assert set(tp) == {(w, c) for w in ("chat", "batch") for c in ("H100 SXM", "MI300X")}
    assert tr == {}
    e = tp[("chat", "H100 SXM")]
    direct = estimate_throughput(load_chips()["H100 SXM"], load_models()["llama-2-70b"], "fp8",
                                 300, 300, None, 200)
    assert dataclasses.replace(e, speedup_by_quarter=()) == direct


def test_software_maturity_multiplies_every_quarter_and_can_be_switched_off():
    """Quarter t's multiplier is exp(r tau (1 - exp(-(t_mid - t0)/tau))) with the Hopper
    rate r and calibration date t0 of calibration.csv, tau = 1.5 years; it grows with t
    and stays below the cap exp(r tau).  Setting it off, or a chip rate of 0, gives 1."""
    inp = make_input()
    e = plan_estimates(inp)[0][("chat", "H100 SXM")]
    r, t0 = e.software_gain_per_year, e.as_of_year
    assert r > 0 and len(e.speedup_by_quarter) == 4
    for t, q in enumerate(inp.settings.periods):
        mid = q.year + (q.q - 1) * 0.25 + 0.125
        assert e.speedup(t) == pytest.approx(math.exp(r * 1.5 * (1 - math.exp(-(mid - t0) / 1.5))))
    assert list(e.speedup_by_quarter) == sorted(e.speedup_by_quarter)
    assert e.speedup(3) < math.exp(r * 1.5)
    off = dataclasses.replace(inp, settings=dataclasses.replace(inp.settings, software_maturity=False))
    assert plan_estimates(off)[0][("chat", "H100 SXM")].speedup_by_quarter == ()
    zero = dataclasses.replace(inp, chips=tuple(dataclasses.replace(o, software_gain_per_year=0.0)
                                                for o in inp.chips))
    assert set(plan_estimates(zero)[0][("chat", "H100 SXM")].speedup_by_quarter) == {1.0}


def test_serving_stack_of_the_workload_wins_over_the_chips():
    inp = make_input()
    tuned = dataclasses.replace(inp, chips=tuple(dataclasses.replace(o, serving_stack="mlperf")
                                                 for o in inp.chips))
    base = plan_estimates(inp)[0][("chat", "MI300X")]
    chip_tuned = plan_estimates(tuned)[0][("chat", "MI300X")]
    assert base.stack == "vllm" and chip_tuned.stack == "mlperf"
    assert chip_tuned.output_tokens_per_s_per_chip > 1.5 * base.output_tokens_per_s_per_chip
    back = dataclasses.replace(tuned, workloads=tuple(dataclasses.replace(w, serving_stack="vllm")
                                                      for w in tuned.workloads))
    assert plan_estimates(back)[0][("chat", "MI300X")] == base


def test_measured_throughput_overrides_model_when_shape_matches():
    m = MeasuredThroughput("h100", "llama2-70b", "FP8", 1234.0, 280, 320, "lab")
    tp, _ = plan_estimates(make_input(measured=[m]))
    e = tp[("chat", "H100 SXM")]
    assert e.source == "measured" and e.output_tokens_per_s_per_chip == 1234.0 and e.feasible
    assert tp[("chat", "MI300X")].source == "modelled"
    assert tp[("batch", "H100 SXM")].source == "modelled"


def test_measured_with_other_shape_is_ignored():
    m = MeasuredThroughput("H100", "llama-2-70b", "fp8", 1234.0, 1000, 300)
    tp, _ = plan_estimates(make_input(measured=[m]))
    assert tp[("chat", "H100 SXM")].source == "modelled"
    m2 = MeasuredThroughput("H100", "llama-2-70b", "bf16", 1234.0)
    tp, _ = plan_estimates(make_input(measured=[m2]))
    assert tp[("chat", "H100 SXM")].source == "modelled"


def test_measured_without_shape_applies():
    m = MeasuredThroughput("H100 SXM", "llama-2-70b", "fp8", 999.0)
    tp, _ = plan_estimates(make_input(measured=[m]))
    assert tp[("chat", "H100 SXM")].output_tokens_per_s_per_chip == 999.0


def test_training_gang_is_smallest_multiple_that_finishes():
    run = TrainingRun("pretrain", "llama-3.1-70b", 15e12, Quarter(2026, 1), Quarter(2026, 2))
    _, tr = plan_estimates(make_input(training=[run]))
    e = tr[("pretrain", "H100 SXM")]
    window = 2 * Settings(start_quarter=Quarter(2026, 1)).hours_per_quarter
    assert e.feasible and e.chips % 8 == 0 and e.hours <= window
    from planner.perf.training import estimate_training
    smaller = estimate_training(load_chips()["H100 SXM"], load_models()["llama-3.1-70b"], 15e12,
                                e.chips - 8)
    assert smaller.hours > window


def test_max_gang_chips_offers_one_bigger_gang_per_whole_quarter_saved():
    """A 70B run with a four-quarter window: the smallest gang takes more than three
    quarters; with max_gang_chips the performance core adds, for q = 3, 2, 1 quarters, the
    smallest multiple of 8 H100 that finishes within q quarters (8 fewer would not), each
    with more chip-hours than the smallest gang (MFU falls as the gang grows)."""
    from planner.perf.training import estimate_training
    run = TrainingRun("pretrain", "llama-3.1-70b", 15e12, Quarter(2026, 1), Quarter(2026, 4))
    H = Settings(start_quarter=Quarter(2026, 1)).hours_per_quarter
    plain = plan_estimates(make_input(training=[run]))[1][("pretrain", "H100 SXM")]
    capped = dataclasses.replace(run, max_gang_chips=100_000)
    e = plan_estimates(make_input(training=[capped]))[1][("pretrain", "H100 SXM")]
    assert plain.gang_options == () and (e.chips, e.hours) == (plain.chips, plain.hours)
    assert math.ceil(e.hours / H) == 4
    assert [math.ceil(h / H) for _, h in e.gang_options] == [3, 2, 1]
    for q, (chips, hours) in zip((3, 2, 1), e.gang_options):
        smaller = estimate_training(load_chips()["H100 SXM"], load_models()["llama-3.1-70b"],
                                    15e12, chips - 8)
        assert chips % 8 == 0 and hours <= q * H < smaller.hours
        assert chips * hours > e.chips * e.hours
    few = dataclasses.replace(run, max_gang_chips=e.gang_options[1][0])
    e_few = plan_estimates(make_input(training=[few]))[1][("pretrain", "H100 SXM")]
    assert e_few.gang_options == e.gang_options[:2]  # the cap stops at 2 quarters


def test_lora_run_gets_a_smaller_gang_than_full_training():
    # Llama 2 70B on 1e9 tokens: full training needs 18 H100 for its state, so a gang of
    # 24; LoRA's ~276 GB fits one server of 8 and finishes within the quarter.
    full = TrainingRun("ft", "llama-2-70b", 1e9, Quarter(2026, 1), Quarter(2026, 1))
    lora = TrainingRun("ft", "llama-2-70b", 1e9, Quarter(2026, 1), Quarter(2026, 1), method="lora")
    e_full = plan_estimates(make_input(training=[full]))[1][("ft", "H100 SXM")]
    e_lora = plan_estimates(make_input(training=[lora]))[1][("ft", "H100 SXM")]
    assert e_full.feasible and e_full.chips == 24 and e_full.method == "full"
    assert e_lora.feasible and e_lora.chips == 8 and e_lora.method == "lora"


def test_training_uses_run_mfu_and_reports_impossible_windows():
    run = TrainingRun("huge", "llama-3.1-405b", 1e17, Quarter(2026, 1), Quarter(2026, 1), mfu=0.5)
    _, tr = plan_estimates(make_input(training=[run]))
    e = tr[("huge", "H100 SXM")]
    assert not e.feasible
    assert "100000 chips need" in e.reason and e.mfu == 0.5
    ok = TrainingRun("small", "llama-3.1-8b", 1e12, Quarter(2026, 1), Quarter(2026, 4), mfu=0.5)
    _, tr = plan_estimates(make_input(training=[ok]))
    assert tr[("small", "MI300X")].mfu == 0.5 and tr[("small", "MI300X")].feasible


def test_non_modelable_offer_is_infeasible_not_an_error():
    run = TrainingRun("t", "llama-3.1-8b", 1e12, Quarter(2026, 1), Quarter(2026, 4))
    tp, tr = plan_estimates(make_input(chips=("Groq LPU",), training=[run]))
    assert not tp[("chat", "Groq LPU")].feasible and not tr[("t", "Groq LPU")].feasible


def test_unknown_model_is_planner_error():
    wl = (InferenceWorkload("x", "no-such-model", "fp8", 100, 100, None, None, (1.0,)),)
    inp = make_input(workloads=wl)
    with pytest.raises(PlannerError, match="no-such-model"):
        plan_estimates(inp)


def test_workload_speculation_and_replica_cap_reach_the_estimate():
    base = make_input()
    w = base.workloads[0]
    spec = dataclasses.replace(w, draft_tokens=1, draft_acceptance=0.85, max_replica_chips=2)
    tp, _ = plan_estimates(dataclasses.replace(base, workloads=(spec,)))
    e = tp[(w.name, "H100 SXM")]
    direct = estimate_throughput(load_chips()["H100 SXM"], load_models()[w.model], w.precision,
                                 w.prompt_tokens, w.output_tokens, w.ttft_ms, w.tpot_ms,
                                 draft_tokens=1, acceptance=0.85, max_replica_chips=2)
    assert dataclasses.replace(e, speedup_by_quarter=()) == direct and e.chips_per_replica <= 2


def test_identical_shapes_are_estimated_once_per_chip(monkeypatch):
    """Issue 18 case 8: 2,000 same-shape workloads took 81 s, one estimate each.  Now
    300 copies of one workload cost one estimate per chip offer, shared by every copy."""
    import dataclasses

    from workbooks import EXAMPLE

    from planner.api import load_workbook
    from planner.perf import plan as plan_module

    inp = load_workbook(EXAMPLE)
    copies = tuple(dataclasses.replace(inp.workloads[0], name=f"copy-{i}") for i in range(300))
    calls = []
    real = plan_module.estimate_throughput

    def counted(*args, **kwargs):
        calls.append(args[0].name)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan_module, "estimate_throughput", counted)
    throughput, _ = plan_module.plan_estimates(
        dataclasses.replace(inp, workloads=copies, measured=()))
    assert len(calls) == len(inp.chips)
    for offer in inp.chips:
        first = throughput[("copy-0", offer.chip)]
        assert all(throughput[(f"copy-{i}", offer.chip)] == first for i in range(300))


def test_a_stop_ends_the_estimation_before_the_next_chip():
    """Three chips; ``stop`` answers no, no, yes before each: the first two chips are
    estimated for both workloads, the third is not and is listed as skipped."""
    from planner.perf.plan import estimate

    answers = iter([False, False, True])
    inp = make_input(chips=("H100 SXM", "MI300X", "H200 SXM"))
    est = estimate(inp, stop=lambda: next(answers))
    assert {c for _w, c in est.throughput} == {"H100 SXM", "MI300X"}
    assert est.skipped_chips == ("H200 SXM",)
    assert estimate(inp).skipped_chips == ()
