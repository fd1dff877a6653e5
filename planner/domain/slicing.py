"""A plan input with each request-size mix split into one internal workload per slice.

The optimizer and the performance core know nothing of mixes: :func:`expand` hands them
one ordinary workload per size slice (named by :func:`planner.domain.mixes.slice_name`,
its shape the slice's representative request, its demand the slice's share of the
workload's tokens), and :mod:`planner.optimize.slices` folds a solved plan back into the
workloads of the input.
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain.inputs import InferenceWorkload, PlanInput
from planner.domain.mixes import slice_name


def _scaled(series: tuple[float, ...], factor: float) -> tuple[float, ...]:
    return tuple(x * factor for x in series)


def split(w: InferenceWorkload) -> tuple[InferenceWorkload, ...]:
    """``w`` itself without a mix; else one workload per slice of its mix, carrying the
    slice's share of ``w``'s tokens (demand and the forecast band alike).

    >>> from planner.domain.mixes import RequestMix, SizeSlice
    >>> mix = RequestMix((SizeSlice(100, 100, 0.5, 100, 100), SizeSlice(300, 100, 0.5, 300, 100)))
    >>> w = InferenceWorkload("chat", "m", "fp8", 200, 100, None, None, (600.0,), mix=mix)
    >>> [(s.name, s.demand_tokens_per_day) for s in split(w)]
    [('chat [prompt 0-100, output 0-100]', (200.0,)), ('chat [prompt 0-300, output 0-100]', (400.0,))]
    """
    if w.mix is None:
        return (w,)
    out = []
    for s in w.mix.slices:
        k = w.mix.token_share(s)
        out.append(replace(
            w, name=slice_name(w.name, s), prompt_tokens=s.prompt_tokens,
            output_tokens=s.output_tokens,
            demand_tokens_per_day=_scaled(w.demand_tokens_per_day, k),
            demand_p10_tokens_per_day=_scaled(w.demand_p10_tokens_per_day, k),
            demand_p90_tokens_per_day=_scaled(w.demand_p90_tokens_per_day, k),
            mix=None, parent=w.name, size_slice=s))
    return tuple(out)


def has_mixes(inp: PlanInput) -> bool:
    return any(w.mix is not None for w in inp.workloads)


def expand(inp: PlanInput) -> PlanInput:
    """``inp`` with every workload that has a request mix replaced by its slices (``inp``
    itself when none has one; expanding twice changes nothing)."""
    if not has_mixes(inp):
        return inp
    return replace(inp, workloads=tuple(s for w in inp.workloads for s in split(w)))
