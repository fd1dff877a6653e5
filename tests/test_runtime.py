"""Every exit a process can see leaves nothing behind, and time limits bound the whole
run (issue 18 cases 8 and 11): solver files live in a private temporary folder removed at
exit (and swept when a killed process left one); SIGTERM mid-solve exits 143 with no
half-written report, no temp folder and no orphaned solver; Ctrl-C mid-solve keeps the
best plan and says so; an unschedulable training run is a warning on stderr and in JSON;
``planner plan --time-limit T`` ends within T + 10% + 10 s."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from workbooks import EXAMPLE, mutate, set_cell

from planner.cli import main
from planner.runtime import private_tempdir, sweep_private_tempdirs

REPO = Path(__file__).resolve().parents[1]


def _spawn(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "planner", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen, text: str, timeout: float = 120) -> str:
    seen = ""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stderr.readline()
        seen += line
        if text in line:
            return seen
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"never saw {text!r}: {seen}")


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie is reaped by init once its parent is gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_private_temp_folder_is_used_then_removed():
    before = tempfile.gettempdir()
    with private_tempdir() as folder:
        assert tempfile.gettempdir() == str(folder) == os.environ["TMPDIR"]
        (folder / "x.mps").write_text("model")
    assert not folder.exists()
    assert tempfile.gettempdir() == before


def test_a_dead_processs_temp_folder_is_swept(tmp_path):
    dead = tmp_path / "planner-999999999-abc"
    live = tmp_path / f"planner-{os.getppid()}-abc"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "model.mps").write_text("x")
    sweep_private_tempdirs(tmp_path)
    assert not dead.exists() and live.exists()


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_sigterm_mid_solve_leaves_nothing_behind(tmp_path, solver):
    """HiGHS swallows an exception raised in its callback: the signal interrupts the
    solve and the exit is raised once it has returned (within seconds, not the 120 s)."""
    start = time.monotonic()
    proc = _spawn(tmp_path, "plan", str(EXAMPLE), "--out", "r.xlsx", "--no-ledger",
                  "--gap", "0", "--time-limit", "120", "--solver", solver)
    _wait_for(proc, "solving with")
    time.sleep(0.5)
    children = _children_of(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert time.monotonic() - start < 60
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert not (tmp_path / "r.xlsx").exists()
    end = time.monotonic() + 10
    while [c for c in children if _running(c)] and time.monotonic() < end:
        time.sleep(0.2)
    assert not [c for c in children if _running(c)]


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_ctrl_c_mid_solve_keeps_the_best_plan_and_says_so(tmp_path, solver):
    """CBC is a child process stopped by SIGINT; HiGHS runs in-process and stops at its
    interrupt callback (the example's branch-and-bound with gap 0 runs for minutes)."""
    proc = _spawn(tmp_path, "plan", str(EXAMPLE), "--out", "r.xlsx", "--no-ledger",
                  "--gap", "0", "--time-limit", "120", "--json", "--solver", solver)
    _wait_for(proc, "solving with")
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    summary = json.loads(stdout)
    assert "interrupted (Ctrl-C)" in summary["message"]
    assert (tmp_path / "r.xlsx").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_unschedulable_training_run_is_a_warning(tmp_path, capsys):
    """1e17 tokens of training in three quarters: no fleet the workbook allows can do it."""
    path = mutate(tmp_path, "train.xlsx", set_cell("Training", 2, "tokens", 1e17))
    code = main(["plan", str(path), "--out", str(tmp_path / "r.xlsx"), "--no-ledger",
                 "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "warning: training run 'pretrain' is not scheduled" in err
    assert json.loads(out)["training_warnings"] == [
        "training run 'pretrain' is not scheduled; see the Training sheet"]


def test_a_time_limit_bounds_the_whole_run(tmp_path):
    """T = 3 s on the example: reading, estimating, solving, diagnostics and the report
    end within 3 x 1.1 + 10 = 13.3 s of the process starting (Python start-up included)."""
    start = time.monotonic()
    proc = _spawn(tmp_path, "plan", str(EXAMPLE), "--out", "r.xlsx", "--no-ledger",
                  "--time-limit", "3", "--gap", "0", "--quiet")
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert time.monotonic() - start <= 3 * 1.1 + 10
