"""Request-size mixes: a workload's traffic split into size slices (the RequestMix sheet).

Cost per token depends on request size differently on each chip (Mélange, Griggs et al.
2024): a short-prompt slice may be cheapest on a small card and a long one on a big one.
A workload with a :class:`RequestMix` is planned as one internal workload per
:class:`SizeSlice` (:func:`planner.domain.slicing.expand`), each with its own throughput
per chip, so the optimizer serves each slice wherever it is cheapest; the report folds
the slices back into their workload and lists them on the Slices sheet.

Requests and tokens are tied by the mix alone: a request of slice i carries
``prompt_tokens_i + output_tokens_i`` tokens, so a workload carries on average
``tokens_per_request = sum_i share_i x (prompt_tokens_i + output_tokens_i)`` tokens per
request, and slice i's tokens per day are
``demand_tokens_per_day x share_i x (prompt_i + output_i) / tokens_per_request``.
"""

from __future__ import annotations

from dataclasses import dataclass


def _n(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,.1f}"


@dataclass(frozen=True)
class SizeSlice:
    """One bucket of a workload's request sizes.

    Requests with a prompt in (``prompt_tokens_min``, ``prompt_tokens_max``] and an output
    in (``output_tokens_min``, ``output_tokens_max``] tokens; ``share`` of the workload's
    requests (shares of a mix add to 1).  ``prompt_tokens`` and ``output_tokens`` are the
    representative request its throughput is estimated at and its tokens are counted with:
    the bucket's upper edges (as published profiles measure a bucket, e.g. Mélange's) unless
    the mean lengths of the requests in it are known (binned logs, or typed).
    """

    prompt_tokens_max: float
    output_tokens_max: float
    share: float
    prompt_tokens: float
    output_tokens: float
    prompt_tokens_min: float = 0.0
    output_tokens_min: float = 0.0

    @property
    def tokens_per_request(self) -> float:
        """Prompt plus output tokens of the slice's representative request."""
        return self.prompt_tokens + self.output_tokens

    @property
    def label(self) -> str:
        """'prompt 100-250, output 25-100' (tokens; lower edge excluded)."""
        return (f"prompt {_n(self.prompt_tokens_min)}-{_n(self.prompt_tokens_max)}, "
                f"output {_n(self.output_tokens_min)}-{_n(self.output_tokens_max)}")

    def contains(self, prompt_tokens: float, output_tokens: float) -> bool:
        """Whether a request (or a measurement) of this shape falls in the bucket."""
        return (self.prompt_tokens_min < prompt_tokens <= self.prompt_tokens_max
                and self.output_tokens_min < output_tokens <= self.output_tokens_max)


@dataclass(frozen=True)
class RequestMix:
    """A workload's request-size histogram: its slices (shares adding to 1) and where it
    came from (RequestMix sheet rows, or a CSV of request lengths and how many it held)."""

    slices: tuple[SizeSlice, ...]
    source: str = ""

    @property
    def tokens_per_request(self) -> float:
        """Mean prompt plus output tokens per request: sum of share x tokens per request."""
        return sum(s.share * s.tokens_per_request for s in self.slices)

    @property
    def mean_prompt_tokens(self) -> float:
        return sum(s.share * s.prompt_tokens for s in self.slices)

    @property
    def mean_output_tokens(self) -> float:
        return sum(s.share * s.output_tokens for s in self.slices)

    def token_share(self, s: SizeSlice) -> float:
        """Share of the workload's tokens (prompt plus output) in slice ``s``."""
        return s.share * s.tokens_per_request / self.tokens_per_request


def slice_name(workload: str, s: SizeSlice) -> str:
    """The internal workload name of slice ``s`` of ``workload``: 'chat [prompt 0-25, output 0-25]'."""
    return f"{workload} [{s.label}]"


#: Units demand may be given in on the Demand sheet; the reader converts to tokens per
#: day with the workload's tokens per request (its mix's, else prompt + output).
SECONDS_PER_DAY = 86_400.0
DEMAND_UNITS = ("tokens_per_day", "requests_per_s", "requests_per_day")


def tokens_per_day(value: float, unit: str, tokens_per_request: float) -> float:
    """``value`` in ``unit`` (one of :data:`DEMAND_UNITS`) as tokens per day.

    >>> tokens_per_day(2.0, "requests_per_s", 500.0)
    86400000.0
    """
    if unit == "tokens_per_day":
        return value
    if unit == "requests_per_s":
        return value * SECONDS_PER_DAY * tokens_per_request
    if unit == "requests_per_day":
        return value * tokens_per_request
    raise ValueError(f"unknown demand unit {unit!r}; known: {', '.join(DEMAND_UNITS)}")
