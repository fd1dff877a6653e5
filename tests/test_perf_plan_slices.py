"""Measured throughputs for request-size slices: matched by bucket, given in requests/s,
and complete sets (a size not measured is one the chip cannot serve)."""

import dataclasses

import pytest

from planner.domain import (
    ChipOffer,
    InferenceWorkload,
    MeasuredThroughput,
    PlanInput,
    Quarter,
    Settings,
    Site,
)
from planner.domain.inputs import CompleteMeasuredSet
from planner.domain.mixes import RequestMix, SizeSlice
from planner.domain.slicing import expand
from planner.perf.catalog import load_chips, load_models
from planner.perf.plan import find_measured, phase_estimates, plan_estimates

SHORT = SizeSlice(100, 100, 0.5, 100, 100)                      # prompt 0-100, output 0-100
LONG = SizeSlice(1000, 100, 0.5, 1000, 100, prompt_tokens_min=100)  # prompt 100-1000
MIX = RequestMix((SHORT, LONG), "test")
CHAT = "llama-2-70b"


def make_input(measured=(), complete=(), workloads=None, chips=("H100 SXM", "MI300X")):
    specs = load_chips()
    wl = workloads or (InferenceWorkload("chat", CHAT, "fp8", 550, 100, None, None, (1e12,) * 2,
                                         mix=MIX),)
    return expand(PlanInput(
        settings=Settings(start_quarter=Quarter(2026, 1), quarters=2),
        chips=tuple(ChipOffer(c, 25000, 2.0) for c in chips),
        sites=(Site("dc", 10000, 0.08),), workloads=wl, measured=tuple(measured),
        complete_measured=tuple(complete),
        chip_specs={c: specs[c] for c in chips}, model_specs=load_models()))


def slice_of(inp, s):
    return next(w for w in inp.workloads if w.size_slice == s)


def row(rate, prompt=None, output=None, chip="H100", rps=None, source="lab"):
    return MeasuredThroughput(chip, CHAT, "fp8", rate, prompt, output, source,
                              requests_per_s_per_chip=rps)


def test_a_measurement_matches_the_slice_whose_bucket_holds_it():
    """prompt 80 / output 90 lies in (0, 100] x (0, 100]: the short slice's; prompt 150 in
    the long slice's (100, 1000]; the edge 100 belongs to the short slice (upper edge
    included, lower excluded), although 25% tolerance would not match 150 to 1000."""
    inp = make_input()
    chip, model = load_chips()["H100 SXM"], load_models()[CHAT]
    short, long_ = slice_of(inp, SHORT), slice_of(inp, LONG)
    a, b, edge = row(500.0, 80, 90), row(300.0, 150, 90), row(400.0, 100, 100)
    assert find_measured((a, b), chip, model, short) is a
    assert find_measured((a, b), chip, model, long_) is b
    assert find_measured((edge,), chip, model, short) is edge
    assert find_measured((edge,), chip, model, long_) is None
    assert find_measured((row(1.0, 1200, 90),), chip, model, long_) is None  # beyond the bucket


def test_among_several_the_closest_to_the_representative_request_wins_and_blank_matches_any():
    """Long slice's representative request is prompt 1000, output 100: of rows at prompt
    200 and 900 the one at 900 wins (|log 0.9| < |log 0.2|); a row with blank lengths
    matches any slice but loses to a row measured in the bucket."""
    inp = make_input()
    chip, model = load_chips()["H100 SXM"], load_models()[CHAT]
    long_ = slice_of(inp, LONG)
    far, near, blank = row(1.0, 200, 100), row(2.0, 900, 100), row(3.0)
    assert find_measured((far, near), chip, model, long_) is near
    assert find_measured((blank,), chip, model, long_) is blank
    assert find_measured((blank, far), chip, model, long_) is far
    assert find_measured((row(4.0, None, 100),), chip, model, long_) is not None


def test_requests_per_second_become_output_tokens_per_second_at_the_slice_output_length():
    """2 requests/s per chip of the short slice (output 100 tokens) = 200 output tokens/s;
    the long slice (output 100 too) at 0.5 requests/s = 50 output tokens/s; tokens/s of
    all tokens = 50 x (1000 + 100) / 100 = 550."""
    tp, _ = plan_estimates(make_input([row(None, 100, 100, rps=2.0),
                                       row(None, 1000, 100, rps=0.5)]))
    short = tp[("chat [prompt 0-100, output 0-100]", "H100 SXM")]
    long_ = tp[("chat [prompt 100-1,000, output 0-100]", "H100 SXM")]
    assert short.source == "measured" and short.output_tokens_per_s_per_chip == 200.0
    assert long_.output_tokens_per_s_per_chip == 50.0
    assert long_.tokens_per_s_per_chip == pytest.approx(550.0)
    assert long_.requests_per_s_per_chip == pytest.approx(0.5)


def test_zero_measured_requests_per_second_is_infeasible_and_says_the_unit():
    tp, _ = plan_estimates(make_input([row(None, 100, 100, rps=0.0)]))
    e = tp[("chat [prompt 0-100, output 0-100]", "H100 SXM")]
    assert not e.feasible and e.source == "measured" and "requests/s per chip" in e.reason


def test_a_complete_set_makes_a_missing_size_infeasible_on_that_chip_only():
    """H100's set is declared complete for the model and holds only the short size: the
    long slice cannot be served on H100 (measured, infeasible, naming the set's source);
    MI300X, not declared, is modelled for both slices."""
    done = CompleteMeasuredSet("H100", CHAT, None, "profile.csv")
    tp, _ = plan_estimates(make_input([row(900.0, 100, 100)], [done]))
    long_ = tp[("chat [prompt 100-1,000, output 0-100]", "H100 SXM")]
    assert not long_.feasible and long_.source == "measured"
    assert "declared complete (profile.csv)" in long_.reason and "prompt 100-1,000" in long_.reason
    assert tp[("chat [prompt 0-100, output 0-100]", "H100 SXM")].output_tokens_per_s_per_chip == 900.0
    for name in ("chat [prompt 0-100, output 0-100]", "chat [prompt 100-1,000, output 0-100]"):
        assert tp[(name, "MI300X")].source == "modelled" and tp[(name, "MI300X")].feasible


def test_without_the_declaration_a_missing_size_falls_back_to_the_model():
    tp, _ = plan_estimates(make_input([row(900.0, 100, 100)]))
    long_ = tp[("chat [prompt 100-1,000, output 0-100]", "H100 SXM")]
    assert long_.source == "modelled" and long_.feasible


def test_a_declaration_applies_only_to_its_model_and_precision():
    other_model = CompleteMeasuredSet("H100", "llama-3.1-8b")
    other_precision = CompleteMeasuredSet("H100", None, "bf16")
    any_precision = CompleteMeasuredSet("h100 sxm", None, None)
    name = ("chat [prompt 100-1,000, output 0-100]", "H100 SXM")
    for declared, source in ((other_model, "modelled"), (other_precision, "modelled"),
                             (any_precision, "measured")):
        e = plan_estimates(make_input([], [declared]))[0][name]
        assert e.source == source and e.feasible == (source == "modelled")


def test_a_complete_set_also_rules_out_serving_the_size_disaggregated():
    """Phases are never measured, so a chip whose set is complete serves no phase."""
    w = InferenceWorkload("chat", CHAT, "fp8", 550, 100, None, None, (1e12,) * 2, mix=MIX,
                          disaggregated=True)
    inp = make_input([], [CompleteMeasuredSet("H100", CHAT)], workloads=(w,))
    ph = phase_estimates(inp)
    h100 = [e for (_w, c, _p), e in ph.items() if c == "H100 SXM"]
    mi = [e for (_w, c, _p), e in ph.items() if c == "MI300X"]
    assert len(h100) == 4 and not any(e.feasible for e in h100)
    assert {e.phase for e in h100} == {"prefill", "decode"}
    assert all(e.feasible for e in mi)


def test_same_shape_slices_of_different_workloads_share_one_estimate(monkeypatch):
    """Two workloads with one mix (different demand, demand unit and name) have two slices
    each; only the slice shape counts, so the model runs once per slice shape per chip."""
    from planner.perf import plan as plan_module
    a = InferenceWorkload("a", CHAT, "fp8", 550, 100, None, None, (1e12,) * 2, mix=MIX)
    b = dataclasses.replace(a, name="b", demand_tokens_per_day=(5.0, 6.0),
                            demand_unit="requests_per_s")
    calls = []
    real = plan_module.estimate_throughput
    monkeypatch.setattr(plan_module, "estimate_throughput",
                        lambda *args, **kw: calls.append(args[3:5]) or real(*args, **kw))
    tp, _ = plan_estimates(make_input(workloads=(a, b)))
    assert len(tp) == 8 and len(calls) == 4  # 2 slice shapes x 2 chips
    assert tp[("a [prompt 0-100, output 0-100]", "MI300X")] is tp[("b [prompt 0-100, output 0-100]", "MI300X")]


def test_non_slice_workloads_keep_the_tolerance_rule():
    """A plain workload of prompt 550 matches a row at 500 (within 25%) and not one at 100,
    however the buckets of some slice would read."""
    w = InferenceWorkload("plain", CHAT, "fp8", 550, 100, None, None, (1e12,) * 2)
    inp = make_input(workloads=(w,))
    chip, model = load_chips()["H100 SXM"], load_models()[CHAT]
    near, far = row(1.0, 500, 100), row(2.0, 100, 100)
    assert find_measured((far, near), chip, model, inp.workloads[0]) is near
    assert find_measured((far,), chip, model, inp.workloads[0]) is None
