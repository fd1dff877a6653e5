"""Solvers that run past their time limit are stopped from outside.

CBC is a child process that does not look at the clock in every phase (its initial LP,
preprocessing): on 200 chips a 10 s limit ran 63 s.  :func:`watch` starts a timer with the
solve: at the limit plus a short grace the solver children get SIGINT (CBC stops and
writes its best solution, as on Ctrl-C), and if they are still running a little later,
SIGTERM (the solve then ends with no plan, said so).  Children are found through Linux's
``/proc`` (elsewhere nothing is found and the timer does nothing).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def children() -> list[int]:
    """Process ids whose parent is this process."""
    me, found = os.getpid(), []
    with suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with suppress(OSError, ValueError, IndexError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                    found.append(int(entry))
    return found


def signal_children(sig: int = signal.SIGTERM) -> None:
    for pid in children():
        with suppress(OSError):
            os.kill(pid, sig)


def _guard(stop: threading.Event, limit_s: float, grace_s: float) -> None:
    """From ``limit_s + grace_s`` on, SIGINT every solver child (one started late, after
    writing its model file, included); from ``grace_s`` later on, SIGTERM them."""
    if stop.wait(limit_s + grace_s):
        return
    warned: set[int] = set()
    overdue = time.monotonic() + grace_s
    while not stop.wait(0.25):
        for pid in children():
            sig = signal.SIGINT if pid not in warned else signal.SIGTERM
            if sig == signal.SIGTERM and time.monotonic() < overdue:
                continue
            with suppress(OSError):
                os.kill(pid, sig)
            if pid not in warned:
                warned.add(pid)
                overdue = max(overdue, time.monotonic() + grace_s)


@contextmanager
def watch(limit_s: float, grace_s: float) -> Iterator[None]:
    """Within the block, solver children still running ``limit_s + grace_s`` seconds after
    it started get SIGINT, and SIGTERM ``grace_s`` seconds after that."""
    stop = threading.Event()
    guard = threading.Thread(target=_guard, args=(stop, limit_s, grace_s), daemon=True)
    guard.start()
    try:
        yield
    finally:
        stop.set()
        guard.join(timeout=1.0)
