"""One clock for a whole run (issue 18 case 8, issue 17 "each stage gets a budget from one
clock"), on a fake clock: stage budgets are shares of what is left and never outlast the
run; a limit may be set once known; Ctrl-C spends the run's budget and every stage budget
drawn from it; :func:`current` tracks the run in progress."""

from __future__ import annotations

import math

import pytest

from planner.optimize.clock import Deadline, activate, current


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_stage_budgets_are_shares_of_what_is_left():
    """T = 60 s; reading, estimating and building took 12 s, so 48 s are left.  A stage
    given 90% after a 2 s reserve ends (48 - 2) x 0.9 = 41.4 s from now; a stage of that
    stage given half ends 20.7 s from now; 45 s later the run has 3 s left and the first
    stage has none."""
    clock = Clock()
    run = Deadline(60, clock=clock)
    clock.now += 12
    assert run.left() == pytest.approx(48)
    solve = run.budget(0.9, reserve=2.0)
    assert solve.left() == pytest.approx(41.4)
    half = solve.budget(0.5)
    assert half.left() == pytest.approx(20.7)
    clock.now += 45
    assert run.left() == pytest.approx(3) and not run.expired()
    assert solve.expired() and half.expired()
    clock.now += 3
    assert run.expired()


def test_a_stage_never_outlasts_the_run_and_earliest_wins():
    """A share above 1 is still capped at the run's end; of a 10 s and a 30 s deadline
    the joined one ends at 10 s."""
    clock = Clock()
    run = Deadline(10, clock=clock)
    assert run.budget(5.0).left() == pytest.approx(10)
    other = Deadline(30, clock=clock)
    assert other.earliest(run).left() == pytest.approx(10)
    assert run.earliest(other).left() == pytest.approx(10)
    assert run.earliest(None) is run


def test_a_limit_set_later_counts_from_the_start_and_none_means_no_limit():
    """The workbook's time_limit_s is known only after reading: a run started at t=100
    with the limit set to 5 s at t=103 has 2 s left."""
    clock = Clock()
    run = Deadline(clock=clock)
    assert math.isinf(run.left())
    assert math.isinf(run.budget(0.5).left())
    clock.now += 3
    run.set_limit(5)
    assert run.left() == pytest.approx(2)
    assert run.seconds == 5


def test_an_interrupt_spends_the_run_and_every_stage_drawn_from_it():
    clock = Clock()
    run = Deadline(600, clock=clock)
    stage = run.budget(0.5)
    joined = Deadline(1000, clock=clock).earliest(stage)
    previous = activate(run)
    try:
        assert current() is run
        run.interrupt()
        assert run.expired() and stage.expired() and joined.expired()
        assert stage.interrupted and joined.interrupted
    finally:
        activate(previous)
    assert current() is previous


def test_the_work_after_the_solve_is_kept_back_by_model_size():
    """10,000 variables: reading the plan out takes 3e-5 x 10,000 = 0.3 s; with a report
    to write, 0.3 + 0.7 + 1.5e-4 x 10,000 = 2.5 s are kept back from the solve."""
    from planner.optimize.clock import after_solve_s

    assert after_solve_s(10_000, report=False) == pytest.approx(0.3)
    assert after_solve_s(10_000, report=True) == pytest.approx(2.5)
    clock = Clock()
    run = Deadline(30, clock=clock)
    clock.now += 4  # read, estimated, built
    assert run.budget(1.0, reserve=after_solve_s(10_000, report=True)).left() == pytest.approx(23.5)
