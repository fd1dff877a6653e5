"""Demand from drivers: users x requests per user x tokens per request.

Each driver starts at its value in the plan's first quarter and compounds its own growth
per quarter:  x_t = x_0 (1 + g_x)^t,  t = 0, 1, ...  Tokens per day in quarter t are

    D_t = U_t * R_t * (P + O * M_t)

with U active users, R requests per user per day, P and O the prompt and output tokens per
request (Workloads sheet) and M the reasoning multiplier, which lengthens outputs only.

The performance core sizes chips for one request shape per workload, so a drivers
workload is served with output length O * mean_t(M_t): the reasoning multiplier averaged
over the plan's quarters (see docs/forecast.md).

>>> d = Drivers(1000, 0.0, 2.0, 0.0, 3.0)
>>> demand_path(d, 100, 50, 2).tokens_per_day
(500000.0, 500000.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Drivers:
    """One row of the Drivers sheet (values in the plan's first quarter)."""

    active_users: float
    users_growth_per_quarter: float
    requests_per_user_per_day: float
    requests_growth_per_quarter: float
    reasoning_multiplier: float = 1.0
    reasoning_growth_per_quarter: float = 0.0


@dataclass(frozen=True)
class DriverPath:
    """The drivers and the demand they give, per quarter of the plan."""

    active_users: tuple[float, ...]
    requests_per_user_per_day: tuple[float, ...]
    reasoning_multiplier: tuple[float, ...]
    tokens_per_request: tuple[float, ...]
    tokens_per_day: tuple[float, ...]


def compound(start: float, growth: float, quarters: int) -> tuple[float, ...]:
    """start, start (1 + g), start (1 + g)^2, ... (``quarters`` values); a value past
    the largest float is ``inf`` (left for the reader's plausible-range check to name)."""
    return tuple(_times_power(start, 1.0 + growth, t) for t in range(quarters))


def _times_power(start: float, base: float, t: int) -> float:
    try:
        return start * base ** t
    except OverflowError:
        return math.inf


def demand_path(d: Drivers, prompt_tokens: float, output_tokens: float,
                quarters: int) -> DriverPath:
    """Users, requests, multiplier, tokens per request and tokens per day per quarter."""
    users = compound(d.active_users, d.users_growth_per_quarter, quarters)
    requests = compound(d.requests_per_user_per_day, d.requests_growth_per_quarter, quarters)
    mult = compound(d.reasoning_multiplier, d.reasoning_growth_per_quarter, quarters)
    per_request = tuple(prompt_tokens + output_tokens * m for m in mult)
    per_day = tuple(u * r * k for u, r, k in zip(users, requests, per_request))
    return DriverPath(users, requests, mult, per_request, per_day)


def mean_multiplier(d: Drivers, quarters: int) -> float:
    """The reasoning multiplier averaged over the plan's quarters."""
    path = compound(d.reasoning_multiplier, d.reasoning_growth_per_quarter, quarters)
    return sum(path) / len(path)


def served_output_tokens(d: Drivers, output_tokens: float, quarters: int) -> float:
    """Output tokens per request the performance core sizes chips for: O * mean(M)."""
    return output_tokens * mean_multiplier(d, quarters)
