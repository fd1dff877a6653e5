"""What a planner process sets up around a command: a private temporary folder and signal
handling, so that every exit a process can see leaves nothing behind.

- Temporary files (the solver's ``.mps``/``.sol``/``.log`` files, anything a library
  writes with :mod:`tempfile`) go into ``planner-<pid>-*`` in the system temporary folder
  (``TMPDIR`` is pointed there, which PuLP and CBC follow), removed when the process ends;
  folders left by processes killed outright (SIGKILL) are removed by the next run.
- SIGTERM and SIGHUP end the command like an exception (exit 143/129): ``finally`` blocks
  remove half-written outputs and solver children are terminated.
- The first Ctrl-C during a solve interrupts the run's :class:`~planner.optimize.clock.
  Deadline` (the solver stops with its best plan, which is reported); outside a solve, or
  the second time, it aborts (exit 130).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path

from planner.common.atomic import process_alive
from planner.optimize.clock import current
from planner.optimize.watchdog import signal_children

_PRIVATE = re.compile(r"^planner-(\d+)-\w+$")


def sweep_private_tempdirs(base: Path) -> None:
    """Remove ``planner-<pid>-*`` folders in ``base`` whose process is gone."""
    with suppress(OSError):
        for entry in base.iterdir():
            found = _PRIVATE.match(entry.name)
            if found and int(found.group(1)) != os.getpid() and not process_alive(int(found.group(1))):
                shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def private_tempdir():
    """A temporary folder for this process, the default for everything it runs while the
    block lasts; removed (and the previous default restored) when it ends."""
    base = Path(tempfile.gettempdir())
    sweep_private_tempdirs(base)
    folder = Path(tempfile.mkdtemp(prefix=f"planner-{os.getpid()}-", dir=base))
    saved_env, saved_default = os.environ.get("TMPDIR"), tempfile.tempdir

    def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)  # a SystemExit raised outside the block still cleans up
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        tempfile.tempdir = saved_default
        remove()
        atexit.unregister(remove)


def _on_terminate(signum, _frame) -> None:
    run = current()
    if run is not None:  # a solver running in-process stops at its next check
        run.interrupt(exit_code=128 + signum)
    signal_children()
    raise SystemExit(128 + signum)


def _on_interrupt(_signum, _frame) -> None:
    deadline = current()
    if deadline is not None and getattr(deadline, "solving", False) and not deadline.interrupted:
        deadline.interrupt()
        signal_children(signal.SIGINT)  # CBC stops on SIGINT and writes its best solution
        print("planner: interrupted: stopping the solver and keeping its best plan "
              "(Ctrl-C again to abort)", file=sys.stderr, flush=True)
        return
    if deadline is not None:
        deadline.interrupt(exit_code=130)
    signal_children()
    raise KeyboardInterrupt


@contextmanager
def command_runtime():
    """Around one CLI command: private temporary folder and signal handlers."""
    previous = {}
    for sig, handler in ((signal.SIGTERM, _on_terminate), (signal.SIGHUP, _on_terminate),
                         (signal.SIGINT, _on_interrupt)):
        with suppress(ValueError, OSError):  # not the main thread: leave signals alone
            previous[sig] = signal.signal(sig, handler)
    try:
        with private_tempdir() as folder:
            yield folder
    finally:
        for sig, handler in previous.items():
            with suppress(ValueError, OSError):
                signal.signal(sig, handler)
