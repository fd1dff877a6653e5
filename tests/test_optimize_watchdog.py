"""A solver child that outlives its time limit is stopped from outside (issue 18 case 8):
SIGINT at the limit plus a grace (CBC then writes its best solution), SIGTERM a grace
later if it ignores that; a child started late (after a long model write) is caught too."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from planner.optimize.watchdog import watch

IGNORES_SIGINT = ("import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                  "time.sleep(60)")


def test_a_late_overrunning_child_gets_sigint():
    start = time.monotonic()
    with watch(0.2, 0.3):
        time.sleep(0.8)  # the limit has passed before the child even starts
        child = subprocess.Popen(["sleep", "60"])
        child.wait(timeout=20)
    assert child.returncode == -signal.SIGINT
    assert time.monotonic() - start < 10


def test_a_child_ignoring_sigint_gets_sigterm():
    with watch(0.2, 0.3):
        child = subprocess.Popen([sys.executable, "-c", IGNORES_SIGINT])
        child.wait(timeout=20)
    assert child.returncode == -signal.SIGTERM


def test_a_child_within_its_limit_is_left_alone():
    with watch(30, 1):
        child = subprocess.run(["sleep", "0.2"], check=False)
    assert child.returncode == 0
