"""Each ledger run keeps its own report, and the report on disk is the recorded run's
(issue 18 case 7, issue 14 Files): two runs of a workbook leave two reports ``planner
show`` can each open; a re-plan that loses the race for its quarter publishes nothing, so
the report at ``--out`` is always the winner's."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from test_ledger_replan import Q, ledger, planned  # noqa: F401 (fixtures)
from test_ledger_workbooks import served, tiny

from planner.api import plan_workbook
from planner.ledger import list_runs, load_run
from planner.ledger import replan as replan_module
from planner.ledger.replan import replan

REPO = Path(__file__).resolve().parents[1]


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_two_runs_of_a_workbook_keep_two_reports(tmp_path):
    workbook, out, led = tiny(tmp_path), tmp_path / "r.xlsx", tmp_path / "plans.sqlite"
    first = plan_workbook(workbook, out, ledger=led)
    kept_first = Path(load_run(led, first.run_id).header.report)
    before = _sha(kept_first)
    second = plan_workbook(workbook, out, ledger=led, mip_gap=0.5)
    kept_second = Path(load_run(led, second.run_id).header.report)
    assert kept_first != kept_second
    assert kept_first.name == f"run-{first.run_id:06d}-r.xlsx"
    assert _sha(kept_first) == before                 # the later run did not touch it
    assert _sha(out) == _sha(kept_second)             # --out holds the latest run
    for path in (kept_first, kept_second):
        assert "Summary" in openpyxl.load_workbook(path, read_only=True).sheetnames
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_replan_losing_its_quarter_publishes_nothing(tmp_path, ledger, monkeypatch):  # noqa: F811
    """B checked the ledger before A recorded (simulated by skipping the early check):
    A records and publishes; B's transaction finds the quarter taken and its report is
    discarded, so --out still holds A's report byte for byte."""
    path = tiny(tmp_path, "fleet-2027Q2.xlsx", actuals=[served("2027Q1", 3e10)])
    out = tmp_path / "replan.xlsx"
    first = replan(path, Q("2027Q2"), ledger=ledger, out=out)
    winner = _sha(out)
    assert winner == _sha(load_run(ledger, first.run_id).header.report)
    monkeypatch.setattr(replan_module, "already_done", lambda runs, as_of: None)
    second = replan(path, Q("2027Q2"), ledger=ledger, out=out, solver="highs")
    assert second.skipped and second.run_id == first.run_id
    assert _sha(out) == winner
    assert [p.name for p in tmp_path.iterdir() if "staged" in p.name] == []


def test_two_racing_replan_processes_leave_the_recorded_runs_report(tmp_path, ledger):  # noqa: F811
    """Two `planner replan` processes (one HiGHS, one CBC) start at once on the same
    quarter and --out: one run is recorded, and the report at --out is that run's."""
    path = tiny(tmp_path, "fleet-2027Q2.xlsx", actuals=[served("2027Q1", 3e10)])
    out = tmp_path / "raced.xlsx"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen(
        [sys.executable, "-m", "planner", "replan", str(path), "--as-of", "2027Q2",
         "--ledger", str(ledger), "--out", str(out), "--solver", solver, "--json", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
        for solver in ("highs", "cbc")]
    results = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=240)
        assert p.returncode == 0, stderr
        results.append(json.loads(stdout))
    replans = [r for r in list_runs(ledger) if r.command == "replan"]
    assert len(replans) == 1
    recorded = replans[0]
    assert {r["run_id"] for r in results} == {recorded.id}
    assert _sha(out) == _sha(recorded.report)
    assert sorted(r["skipped"] for r in results) == [False, True]


@pytest.mark.parametrize("umask", [0o022])
def test_a_recorded_report_is_mode_0644_under_umask_022(tmp_path, umask):
    old = os.umask(umask)
    try:
        run = plan_workbook(tiny(tmp_path), tmp_path / "r.xlsx", ledger=tmp_path / "l.sqlite")
    finally:
        os.umask(old)
    for path in (tmp_path / "r.xlsx", Path(load_run(tmp_path / "l.sqlite", run.run_id).header.report)):
        assert os.stat(path).st_mode & 0o777 == 0o644
