"""The throughput-latency frontier: monotone, and every TPOT-bound estimate lies on it."""

from __future__ import annotations

import itertools

import pytest

from planner.domain import PlannerError
from planner.perf.catalog import get_chip, get_model
from planner.perf.frontier import latency_frontier, tpot_targets
from planner.perf.inference import estimate_throughput

CASES = [("H100", "llama-3.1-70b", {}), ("H200", "deepseek-r1", {"max_replica_chips": 8}),
         ("MI300X", "qwen3-235b-a22b", {})]


@pytest.mark.parametrize("chip,model,kw", CASES)
def test_frontier_is_monotone(chip, model, kw):
    curve = latency_frontier(get_chip(chip), get_model(model), "fp8", 1000, 250, points=8, **kw)
    assert len(curve) >= 4
    for a, b in itertools.pairwise(curve):
        # More per-user speed, less per-chip throughput.
        assert a.tokens_per_s_per_user > b.tokens_per_s_per_user
        assert a.output_tokens_per_s_per_chip < b.output_tokens_per_s_per_chip
    assert curve[-1].tpot_target_ms is None  # the unconstrained best closes the curve


@pytest.mark.parametrize("chip,model,kw", CASES[:2])
def test_every_tpot_bound_estimate_lies_on_the_curve(chip, model, kw):
    c, m = get_chip(chip), get_model(model)
    curve = latency_frontier(c, m, "fp8", 1000, 250, points=8, **kw)
    for point in curve[:-1]:
        est = estimate_throughput(c, m, "fp8", 1000, 250, tpot_ms=point.tpot_target_ms, **kw)
        assert est == point.estimate
    # Between two targets the estimate is the frontier's step: no better than the next
    # point (which it could not reach) and no worse than the previous (which it can).
    for a, b in itertools.pairwise(curve[:-1]):
        mid = (a.tpot_target_ms * b.tpot_target_ms) ** 0.5
        est = estimate_throughput(c, m, "fp8", 1000, 250, tpot_ms=mid, **kw)
        assert est.tpot_ms <= mid
        assert a.output_tokens_per_s_per_chip <= est.output_tokens_per_s_per_chip
        assert est.output_tokens_per_s_per_chip <= b.output_tokens_per_s_per_chip


def test_targets_are_geometric():
    # 10 to 1000 ms in 3 points: 10, 100, 1000.
    assert tpot_targets(10, 1000, 3) == pytest.approx([10, 100, 1000])
    assert tpot_targets(10, 10, 5) == [10]


def test_unservable_model_gives_an_empty_curve_and_bad_points_raise():
    assert latency_frontier(get_chip("L40S"), get_model("llama-3.1-405b"), "bf16", 1000, 250,
                            max_replica_chips=1) == []
    with pytest.raises(PlannerError):
        latency_frontier(get_chip("H100"), get_model("llama-3.1-8b"), "fp8", 1000, 250, points=1)
