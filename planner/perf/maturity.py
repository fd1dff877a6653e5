"""Software maturity: how the same silicon gets faster as its serving software improves.

The calibration (:mod:`planner.perf.calibrate`) fits, per chip family, a rate ``r``
(log-throughput gained per year right after the reference date) on top of a shared
saturation time ``TAU_YEARS``.  The log-speed-up between the reference date ``t0`` and
a date ``t`` is

    g(t) = r · tau · (1 - exp(-(t - t0) / tau))

so gains slow down with age and never exceed ``exp(r · tau)`` (the cap); before ``t0``
the same curve runs backwards (older software was slower).  Dates are decimal years.
"""

from __future__ import annotations

import datetime as dt
import math

#: Saturation time of software gains, years.  A judgement, not fitted: the calibration
#: data span 25 months, too short to tell a slowing trend from a straight one.  1.5 years
#: means a year's gain is about half the year before's, and the total gain after the
#: reference date is capped at exp(1.5 r) (about +45 % for r = 0.25 per year).
TAU_YEARS = 1.5
#: Largest yearly rate the fit may report (guards a family with one data point per date).
MAX_RATE_PER_YEAR = 0.6


def decimal_year(date: dt.date | str) -> float:
    """2025-07-02 -> 2025.5 (day of year over the year's length)."""
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    start = dt.date(date.year, 1, 1)
    days = (dt.date(date.year + 1, 1, 1) - start).days
    return date.year + (date - start).days / days


def saturating_years(t: float, t0: float, tau: float = TAU_YEARS) -> float:
    """tau · (1 - exp(-(t - t0) / tau)): the 'effective years' of gain from t0 to t."""
    return tau * (1.0 - math.exp(-(t - t0) / tau))


def log_gain(rate_per_year: float, t: float, t0: float, tau: float = TAU_YEARS) -> float:
    """g(t) above: log of the throughput factor at date ``t`` relative to ``t0``."""
    return rate_per_year * saturating_years(t, t0, tau)


def factor(rate_per_year: float, t: float, t0: float, tau: float = TAU_YEARS) -> float:
    """exp(g(t)): throughput at ``t`` over throughput at ``t0``."""
    return math.exp(log_gain(rate_per_year, t, t0, tau))


def quarter_midpoint(year: int, quarter: int) -> float:
    """Decimal year of the middle of a calendar quarter (2026 Q1 -> 2026.125)."""
    return year + (quarter - 1) * 0.25 + 0.125
