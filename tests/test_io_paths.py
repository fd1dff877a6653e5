"""Output paths are checked before any work, and files are written like normal files
(issue 18 case 5 and 10, issue 14 Files): the report gets ``0o666 & ~umask``; folders,
devices, inputs, paths under a file and foreign workbooks are refused with exit 2 before
the workbook is even read; a temporary file left by a killed process is swept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import openpyxl
import pytest
from workbooks import EXAMPLE

from planner.cli import main
from planner.common.atomic import atomic_path, sweep_stale_temps
from planner.domain import PlannerError
from planner.io.paths import check_output_dir, check_output_file, written_by_planner
from planner.io.template import write_template


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o077, 0o600),
                                                 (0o002, 0o664)])
def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask, expected):
    """0o666 & ~0o022 = 0o644; & ~0o077 = 0o600; & ~0o002 = 0o664."""
    old = os.umask(umask)
    try:
        with atomic_path(tmp_path / "a.txt") as tmp:
            tmp.write_text("x")
        path = write_template(tmp_path / "t.xlsx")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.txt") == expected
    assert _mode(path) == expected


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert _mode(target) == 0o640


def test_nothing_is_written_through_a_special_file(tmp_path):
    for target in (Path("/dev/null"), tmp_path):
        with pytest.raises(PlannerError, match="folder|not a regular file"), atomic_path(target):
            pytest.fail("the block must not run")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_temp_file_of_a_dead_process_is_swept_and_a_live_ones_kept(tmp_path):
    dead = tmp_path / ".r.xlsx.999999999.abc.tmp"   # no such pid (above pid_max)
    live = tmp_path / f".r.xlsx.{os.getpid()}.abc.tmp"
    other = tmp_path / ".q.xlsx.999999999.abc.tmp"
    for p in (dead, live, other):
        p.write_text("partial")
    sweep_stale_temps(tmp_path, "r.xlsx")
    assert not dead.exists() and live.exists() and other.exists()


def test_a_failed_write_leaves_no_temp_file(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "r.xlsx") as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_output_file_checks(tmp_path):
    (tmp_path / "afile").write_text("x")
    foreign = tmp_path / "input.xlsx"
    openpyxl.Workbook().save(foreign)
    cases = {"": "empty", str(tmp_path): "folder", "/dev/null": "not a regular file",
             str(tmp_path / "afile" / "r.xlsx"): "is a file, not a folder",
             str(foreign): "did not write"}
    for path, message in cases.items():
        with pytest.raises(PlannerError, match=message):
            check_output_file(path)
    with pytest.raises(PlannerError, match="refusing to overwrite the input file"):
        check_output_file(foreign, inputs=(foreign,), force=True)
    assert check_output_file(foreign, force=True) == foreign
    assert check_output_file(tmp_path / "new" / "deeper" / "r.xlsx") is not None
    with pytest.raises(PlannerError, match="not a folder"):
        check_output_dir(tmp_path / "afile")


def test_only_workbooks_the_planner_wrote_are_replaced_without_force(tmp_path):
    out = tmp_path / "r.xlsx"
    assert main(["plan", str(EXAMPLE), "--out", str(out), "--no-ledger", "--quiet",
                 "--time-limit", "20"]) == 0
    assert written_by_planner(out)
    assert not written_by_planner(EXAMPLE)
    assert check_output_file(out) == out


@pytest.mark.parametrize("bad", ["dir", "empty", "under-file", "device", "input",
                                 "csv-file", "foreign"])
def test_plan_refuses_a_bad_output_before_reading(tmp_path, capsys, bad):
    (tmp_path / "afile").write_text("x")
    foreign = tmp_path / "foreign.xlsx"
    openpyxl.Workbook().save(foreign)
    out = {"dir": str(tmp_path), "empty": "", "under-file": str(tmp_path / "afile" / "r.xlsx"),
           "device": "/dev/null", "input": str(EXAMPLE), "foreign": str(foreign)}.get(
               bad, str(tmp_path / "r.xlsx"))
    extra = ["--csv", str(tmp_path / "afile")] if bad == "csv-file" else []
    code = main(["plan", str(EXAMPLE), "--out", out, "--no-ledger", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "reading" not in err  # refused before the workbook
    assert "error:" in err


def test_template_never_replaces_a_workbook_without_force(tmp_path, capsys):
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(EXAMPLE.read_bytes())
    assert main(["template", str(filled)]) == 2
    assert filled.read_bytes() == EXAMPLE.read_bytes()
    assert main(["template", str(tmp_path)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert main(["template", str(filled), "--force"]) == 0
    assert filled.read_bytes() != EXAMPLE.read_bytes()


@pytest.mark.parametrize("command", [["whatif"], ["sweep", "--param", "demand", "--values", "1,2"],
                                     ["forecast"], ["plan", "--hedge"]])
def test_every_command_checks_its_output_before_reading(tmp_path, capsys, command):
    code = main([command[0], str(EXAMPLE), *command[1:], "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "is a folder" in err
    assert "reading" not in err and "Traceback" not in err
