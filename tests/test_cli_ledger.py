"""The ledger on the command line: plan records a run, history and show read it back,
replan is idempotent per quarter and refuses stale inputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_ledger_workbooks import served, tiny

REPO = Path(__file__).absolute().parents[1]



@pytest.fixture()
def planned(tmp_path, cli):
    """fleet.xlsx planned once into tmp_path/plans.sqlite (run 1)."""
    ledger = tmp_path / "plans.sqlite"
    code, out, _err = cli(["plan", tiny(tmp_path), "--out", tmp_path / "p.xlsx",
                               "--ledger", ledger, "--json", "--quiet"])
    assert code == 0 and json.loads(out)["run_id"] == 1
    return ledger


def test_plan_prints_the_run_id_and_no_ledger_records_nothing(tmp_path, cli, planned):
    code, out, _err = cli(["plan", tiny(tmp_path, "b.xlsx"), "--out", tmp_path / "b-plan.xlsx",
                               "--ledger", planned, "--quiet"])
    assert code == 0 and f"recorded as run 2 in {planned}" in out
    other = tmp_path / "none.sqlite"
    code, out, _err = cli(["plan", tiny(tmp_path, "c.xlsx"), "--out", tmp_path / "c-plan.xlsx",
                               "--ledger", other, "--no-ledger", "--json", "--quiet"])
    assert code == 0 and json.loads(out)["run_id"] is None and not other.exists()


def test_history_and_show(tmp_path, cli, planned):
    code, out, _err = cli(["history", "--ledger", planned])
    assert code == 0
    header, row = out.strip().splitlines()
    assert header.split()[:4] == ["run", "created_at", "command", "input_file"]
    assert row.split()[0] == "1" and "fleet.xlsx" in row and "optimal" in row
    code, out, _err = cli(["history", "--ledger", planned, "--json"])
    [run] = json.loads(out)
    assert run["run_id"] == 1 and run["predecessor"] is None and len(run["input_sha256"]) == 64
    code, out, _err = cli(["show", "1", "--ledger", planned])
    assert code == 0 and "run 1: plan of fleet.xlsx" in out and "purchases (" in out
    code, out, _err = cli(["show", "1", "--ledger", planned, "--json"])
    shown = json.loads(out)
    assert shown["purchases"] and shown["purchases"][0]["chip"] == "H100 SXM"
    assert shown["settings"]["mip_gap"] == 0


def test_show_or_history_of_what_is_not_there_exits_2(tmp_path, cli, planned):
    code, _out, err = cli(["show", "9", "--ledger", planned])
    assert code == 2 and "no run 9" in err
    code, _out, err = cli(["history", "--ledger", tmp_path / "nope.sqlite"])
    assert code == 2 and "no plan ledger" in err and "Traceback" not in err


def test_replan_twice_for_a_quarter_records_one_run(tmp_path, cli, planned):
    path = tiny(tmp_path, "fleet-2027Q2.xlsx", actuals=[served("2027Q1", 3.1e10)])
    args = ["replan", path, "--as-of", "2027Q2", "--ledger", planned, "--out", tmp_path / "r.xlsx",
            "--quiet"]
    code, out, _err = cli(args + ["--json"])
    first = json.loads(out)
    assert code == 0 and first["run_id"] == 2 and first["previous_run_id"] == 1
    assert not first["skipped"] and first["changes"] == 0
    code, out, _err = cli(args)
    assert code == 0 and "already re-planned as of 2027Q2: run 2" in out
    code, out, _err = cli(["history", "--ledger", planned, "--json"])
    assert [(r["run_id"], r["command"], r["as_of"]) for r in json.loads(out)] == [
        (1, "plan", None), (2, "replan", "2027Q2")]


def test_stale_inputs_exit_2_naming_the_quarter(tmp_path, cli, planned):
    path = tiny(tmp_path, "fleet-2027Q3.xlsx", actuals=[served("2027Q1", 3e10)])
    code, _out, err = cli(["replan", path, "--as-of", "2027Q3", "--ledger", planned,
                               "--quiet"])
    assert code == 2 and "stale" in err and "2027Q2" in err and "Traceback" not in err


def test_replan_takes_the_newest_workbook_of_an_inputs_dir(tmp_path, cli, planned):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old = tiny(inbox, "fleet-2027Q1.xlsx")
    new = tiny(inbox, "fleet-2027Q2.xlsx", actuals=[served("2027Q1", 3e10)])
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_800_000_000, 1_800_000_000))
    (inbox / "~$fleet-2027Q3.xlsx").write_bytes(b"excel lock file")
    code, out, err = cli(["replan", "--inputs-dir", inbox, "--as-of", "2027Q2", "--ledger",
                              planned, "--out", tmp_path / "r.xlsx", "--json", "--quiet"])
    assert code == 0, err
    code, out, _err = cli(["show", "2", "--ledger", planned, "--json"])
    assert json.loads(out)["input_file"] == "fleet-2027Q2.xlsx"


@pytest.mark.parametrize("args, words", [
    (["--as-of", "2027Q5"], "--as-of"),
    (["--as-of", "2027Q2"], "give a workbook or --inputs-dir"),
    (["--as-of", "2027Q2", "--inputs-dir", "missing-folder"], "is not a folder"),
])
def test_replan_usage_mistakes_exit_2(tmp_path, cli, planned, args, words):
    code, _out, err = cli(["replan", *args, "--ledger", planned, "--quiet"])
    assert code == 2 and words in err


def _ordered_in(run: dict, quarter: str) -> list[tuple]:
    return [(p["chip"], p["site"], p["quantity"]) for p in run["purchases"]
            if p["quarter_ordered"] == quarter]


def test_example_walkthrough_plan_replan_history(tmp_path, cli):
    """README's walk-through on the shipped examples, at gap 1% to stay fast."""
    ledger, gap = tmp_path / "plans.sqlite", ["--gap", "0.01", "--quiet", "--json"]
    code, out, _err = cli(["plan", REPO / "inputs" / "example.xlsx", "--out",
                               tmp_path / "example-plan.xlsx", "--ledger", ledger, *gap])
    assert code == 0 and json.loads(out)["run_id"] == 1
    code, out, err = cli(["replan", REPO / "inputs" / "example-2027Q2.xlsx", "--as-of",
                              "2027Q2", "--out", tmp_path / "replan.xlsx", "--ledger", ledger,
                              *gap])
    assert code == 0, err
    summary = json.loads(out)
    assert summary["previous_run_id"] == 1 and summary["run_id"] == 2
    assert any("chat-assistant changed by +8.0%" in d for d in summary["drivers"])
    code, out, _err = cli(["show", "2", "--ledger", ledger, "--json"])
    replanned = json.loads(out)
    code, out, _err = cli(["show", "1", "--ledger", ledger, "--json"])
    first = json.loads(out)
    assert _ordered_in(replanned, "2027Q1") == _ordered_in(first, "2027Q1") != []
    code, out, _err = cli(["history", "--ledger", ledger])
    assert "example-2027Q2.xlsx  2027Q2  1" in out
