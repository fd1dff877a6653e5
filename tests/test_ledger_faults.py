"""Ledger faults are user errors (issue 18 case 6): a damaged, foreign, future or
unversioned database, a missing table, a read-only file, a lock held too long and an
absurd run id each end in a PlannerError (exit 2) saying what to do, never a traceback;
a foreign database is refused and left byte for byte as it was; ``planner plan`` checks
the ledger before the workbook is read, so a bad ledger costs no solve and no report."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from workbooks import EXAMPLE

from planner.cli import main
from planner.domain import PlannerError
from planner.ledger import check_ledger, list_runs, load_run
from planner.ledger.schema import ENV_TIMEOUT, connect, ledger_error


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _new_ledger(tmp_path: Path) -> Path:
    path = tmp_path / "plans.sqlite"
    check_ledger(path)
    with closing(sqlite3.connect(path)) as conn:  # leave it as one file (no WAL)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    return path


def test_a_foreign_database_is_refused_and_not_altered(tmp_path):
    path = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER, amount REAL)")
        conn.commit()
    before = _digest(path)
    for action in (check_ledger, list_runs):
        with pytest.raises(PlannerError, match="not a plan ledger.*invoices.*untouched"):
            action(path)
    assert _digest(path) == before


@pytest.mark.parametrize(("version", "message"), [("v1.0", "'v1.0'"), ("", "none"),
                                                  ("99", "schema version 99")])
def test_an_unknown_schema_version_is_refused(tmp_path, version, message):
    path = _new_ledger(tmp_path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
        conn.commit()
    with pytest.raises(PlannerError, match=message):
        list_runs(path)


def test_a_dropped_table_is_named(tmp_path):
    path = _new_ledger(tmp_path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP TABLE rentals")
        conn.commit()
    with pytest.raises(PlannerError, match="damaged: the table.*rentals"):
        check_ledger(path)


def test_overwritten_pages_are_a_damaged_ledger_with_recovery_advice(tmp_path):
    path = _new_ledger(tmp_path)
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # every page after the header page
        data[offset:offset + 64] = b"\x07" * 64
    path.write_bytes(bytes(data))
    for action in (check_ledger, list_runs, lambda p: load_run(p, 1)):
        with pytest.raises(PlannerError, match=r"damaged.*\.recover"):
            action(path)


def test_a_held_lock_times_out_with_advice(tmp_path, monkeypatch):
    path = _new_ledger(tmp_path)
    monkeypatch.setenv(ENV_TIMEOUT, "0.2")
    with closing(connect(path)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(PlannerError, match="locked by another planner run.*0.2 s"):
            check_ledger(path)
        holder.execute("ROLLBACK")
    check_ledger(path)


def test_a_read_only_ledger_says_so(tmp_path):
    path = _new_ledger(tmp_path)
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn, \
            pytest.raises(sqlite3.OperationalError) as exc:
        conn.execute("INSERT INTO meta VALUES ('x', 'y')")
    assert "read-only" in str(ledger_error(path, exc.value))


@pytest.mark.parametrize("run_id", ["99999999999999999999999", "0", "-3"])
def test_an_absurd_run_id_is_exit_2(tmp_path, capsys, run_id):
    path = _new_ledger(tmp_path)
    assert main(["show", run_id, "--ledger", str(path)]) == 2
    err = capsys.readouterr().err
    assert "no run" in err and "Traceback" not in err


@pytest.mark.parametrize("fault", ["foreign", "folder", "device"])
def test_plan_checks_the_ledger_before_the_solve(tmp_path, capsys, fault):
    if fault == "foreign":
        ledger = tmp_path / "other.sqlite"
        with closing(sqlite3.connect(ledger)) as conn:
            conn.execute("CREATE TABLE t (x)")
            conn.commit()
    else:
        ledger = tmp_path if fault == "folder" else Path("/dev/null")
    out = tmp_path / "r.xlsx"
    assert main(["plan", str(EXAMPLE), "--out", str(out), "--ledger", str(ledger)]) == 2
    err = capsys.readouterr().err
    assert "estimating" not in err and "Traceback" not in err
    assert not out.exists()
