"""Each recorded run keeps its own report, and the report on disk is the recorded run's.

A run's report is written first to a staging file (``staging_path``) and is claimed inside
the transaction that records the run (:func:`claim`): moved to a name no other run can
have, ``runs/run-<id>-<report name>`` beside the ledger, and that path stored as the run's
report.  Only after the commit is it published (:func:`publish`) at the path the user
asked for (``--out`` or the default), as a hard link (or a copy) put in place atomically.
So a re-plan that loses the race for its quarter never writes at ``--out``, two runs of
the same workbook leave two reports ``planner show`` can each open, and a later run
replacing ``--out`` never changes an earlier run's report.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import suppress
from pathlib import Path

from planner.common.atomic import atomic_path, sweep_stale_temps
from planner.domain import PlannerError


def staging_path(out: Path) -> Path:
    """Where a run's report is written before the run is recorded: a hidden file beside
    ``out`` named with this process's id (swept by the next write there once the process
    is gone, see :mod:`planner.common.atomic`)."""
    sweep_stale_temps(out.parent, out.name)
    return out.parent / f".{out.name}.{os.getpid()}.run.staged.xlsx"


def run_report_path(ledger: str | Path, run_id: int, out: Path) -> Path:
    """``runs/run-000012-<out name>`` in the ledger's folder."""
    return Path(ledger).parent / "runs" / f"run-{run_id:06d}-{out.name}"


def _move(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
    except OSError:  # another file system: copy, then drop the staged file
        shutil.copyfile(src, dst)
        src.unlink()


def claim(conn: sqlite3.Connection, ledger: str | Path, run_id: int, staged: Path,
          out: Path) -> Path:
    """Inside the recording transaction: move ``staged`` to the run's own report path and
    store that path in ``runs.report``; the path."""
    target = run_report_path(ledger, run_id, out)
    try:
        _move(staged, target)
    except OSError as exc:
        raise PlannerError(f"cannot keep the report of run {run_id} at {target}: "
                           f"{exc.strerror or exc}") from None
    conn.execute("UPDATE runs SET report = ? WHERE id = ?", (str(target), run_id))
    return target


def publish(kept: Path, out: Path) -> Path:
    """Put the run's report ``kept`` at ``out`` atomically (a hard link where the file
    system allows, else a copy); ``out``."""
    with atomic_path(out) as tmp:
        tmp.unlink()
        try:
            os.link(kept, tmp)
        except OSError:
            shutil.copyfile(kept, tmp)
    return out


def discard(staged: Path) -> None:
    """Remove a staged report whose run was not recorded."""
    with suppress(OSError):
        staged.unlink()
