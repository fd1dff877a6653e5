"""One time budget for a whole run (issue 18 case 8), on a fake clock: the solver gets
what is left after the earlier stages less a 5% reserve, the diagnostics re-solve what is
left after the solve, a stage with under 0.5 s is skipped, Ctrl-C spends the budget."""

from __future__ import annotations

import math

import pytest

from planner.domain.deadline import DIAGNOSTICS_SHARE, MIN_STAGE_S, Deadline, activate, current


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_stages_share_one_budget():
    """T = 60 s; reading, estimating and building took 12 s: the solver may take
    60 - 12 - 0.05 x 60 = 45 s.  If it takes all 45 s, the diagnostics get the 3 s left
    (capped at the solver's limit); at 59.8 s they are skipped (0.2 s < 0.5 s)."""
    clock = Clock()
    d = Deadline(60, clock=clock)
    clock.now += 12
    assert d.for_solve() == pytest.approx(60 - 12 - DIAGNOSTICS_SHARE * 60)
    clock.now += 45
    assert d.for_diagnostics(cap=45) == pytest.approx(3)
    assert d.for_diagnostics(cap=1) == pytest.approx(1)
    clock.now += 2.8
    assert d.for_diagnostics(cap=45) == 0.0 and not d.expired
    clock.now += 1
    assert d.expired and d.remaining() == 0.0


def test_a_plan_is_always_attempted_and_no_limit_means_none():
    clock = Clock()
    d = Deadline(10, clock=clock)
    clock.now += 30  # already past the limit: the solver still gets a moment
    assert d.for_solve() == MIN_STAGE_S
    unlimited = Deadline(None, clock=clock)
    assert math.isinf(unlimited.remaining()) and unlimited.for_diagnostics(cap=7) == 7
    unlimited.set_limit(5)
    assert unlimited.remaining() == 5


def test_an_interrupt_spends_the_budget_and_current_tracks_the_run():
    d = Deadline(600)
    previous = activate(d)
    try:
        assert current() is d
        d.interrupt()
        assert d.expired and d.for_diagnostics(cap=100) == 0.0
    finally:
        activate(previous)
    assert current() is previous
