"""The throughput-latency frontier: output tokens/s per chip against tokens/s per user.

Serving benchmarks publish a curve, not a point: as the batch grows each chip makes more
tokens per second and each user gets them more slowly.  :func:`latency_frontier` traces
it with :func:`planner.perf.inference.estimate_throughput` itself, at TPOT targets spaced
geometrically from the fastest TPOT any replica layout reaches (smallest batch) to the
TPOT of the unconstrained best, so every TPOT-bound estimate is a point of this curve:
the frontier at a target t is the best any layout and batch does with TPOT <= t, which is
exactly what ``estimate_throughput(..., tpot_ms=t)`` returns.  A tighter target never
raises throughput (the feasible set shrinks), so the curve is monotone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.domain.errors import PlannerError
from planner.domain.estimates import ThroughputEstimate
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.perf.inference import estimate_throughput

#: A TPOT target below any achievable one: asking for it returns the best achievable.
_UNREACHABLE_MS = 1e-9


@dataclass(frozen=True)
class FrontierPoint:
    """One point: the best estimate at ``tpot_target_ms`` (None: no target)."""

    tpot_target_ms: float | None
    estimate: ThroughputEstimate

    @property
    def tokens_per_s_per_user(self) -> float:
        """Output tokens per second one sequence receives while decoding: 1000 / TPOT."""
        return 1000.0 / self.estimate.tpot_ms if self.estimate.tpot_ms > 0 else 0.0

    @property
    def output_tokens_per_s_per_chip(self) -> float:
        return self.estimate.output_tokens_per_s_per_chip


def tpot_targets(fastest_ms: float, loosest_ms: float, points: int) -> list[float]:
    """``points`` targets from ``fastest_ms`` to ``loosest_ms``, equal ratios apart."""
    if points < 2 or loosest_ms <= fastest_ms:
        return [loosest_ms]
    ratio = (loosest_ms / fastest_ms) ** (1.0 / (points - 1))
    return [fastest_ms * ratio ** i for i in range(points)]


def latency_frontier(chip: ChipSpec, model: ModelSpec, precision: str, prompt_tokens: float,
                     output_tokens: float, ttft_ms: float | None = None, *, points: int = 12,
                     **kwargs: object) -> list[FrontierPoint]:
    """The frontier from the fastest TPOT to the highest throughput, slowest users last.

    ``kwargs`` go to :func:`estimate_throughput` (speculation, replica cap...).  Empty
    when the model cannot be served at all (or not within ``ttft_ms``).  Consecutive
    targets that land on the same operating point are reported once.
    """
    if points < 2:
        raise PlannerError(f"a frontier needs at least 2 points, got {points}")

    def at(target: float | None) -> ThroughputEstimate:
        return estimate_throughput(chip, model, precision, prompt_tokens, output_tokens, ttft_ms,
                                   target, **kwargs)  # type: ignore[arg-type]

    loosest = at(None)
    if not loosest.feasible:
        return []
    fastest = at(_UNREACHABLE_MS).best_tpot_ms or loosest.tpot_ms
    targets = tpot_targets(fastest * (1.0 + 1e-9), loosest.tpot_ms, points)
    curve: list[FrontierPoint] = []
    for target in targets[:-1]:
        est = at(target)
        if est.feasible and not (curve and _same(curve[-1].estimate, est)):
            curve.append(FrontierPoint(target, est))
    if not (curve and _same(curve[-1].estimate, loosest)):
        curve.append(FrontierPoint(None, loosest))
    return curve


def _same(a: ThroughputEstimate, b: ThroughputEstimate) -> bool:
    return math.isclose(a.output_tokens_per_s_per_chip, b.output_tokens_per_s_per_chip,
                        rel_tol=1e-12) and a.tpot_ms == b.tpot_ms
