"""The ledger's SQLite schema, its version, and how a connection is opened.

Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``) in WAL mode, so a run
killed mid-write leaves the ledger as it was.  The ``meta`` table holds the schema
version; a ledger written by a newer planner is refused rather than misread.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.domain import (
    Actual,
    ExpansionRow,
    PlannerError,
    PurchaseRow,
    RentalRow,
    RetirementRow,
)
from planner.ledger.records import ChipPrice, Cohort, DemandPoint, SitePower

SCHEMA_VERSION = 1
DEFAULT_LEDGER = Path("outputs") / "plans.sqlite"
ENV_TIMEOUT = "PLANNER_LEDGER_TIMEOUT_S"

#: Decision and input tables: name -> the record class each row holds.  The columns
#: (after ``run_id``) are the class's fields, in order, typed from their annotations, as
#: sqlite-utils derives a table from its rows: a field added to a record is a column.
RECORDS: dict[str, type] = {
    "purchases": PurchaseRow, "rentals": RentalRow, "retirements": RetirementRow,
    "expansions": ExpansionRow, "demand": DemandPoint, "chip_prices": ChipPrice,
    "site_power": SitePower, "existing": Cohort, "actuals": Actual,
}


def _sql_type(hint) -> str:
    """INTEGER, REAL or TEXT for a field's annotation (``X | None`` as ``X``; a Quarter is
    stored as its text, e.g. 2027Q2)."""
    kinds = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    return {int: "INTEGER", float: "REAL"}.get(kinds[0], "TEXT")


def record_columns(cls: type) -> tuple[str, ...]:
    """``name TYPE`` for each field of the record class ``cls``."""
    hints = typing.get_type_hints(cls)
    return tuple(f"{f.name} {_sql_type(hints[f.name])}" for f in dataclasses.fields(cls))


TABLES: dict[str, tuple[str, ...]] = {t: record_columns(cls) for t, cls in RECORDS.items()}

RUN_COLUMNS = (
    "id INTEGER PRIMARY KEY AUTOINCREMENT", "created_at TEXT NOT NULL",
    "command TEXT NOT NULL", "plan_name TEXT NOT NULL", "input_file TEXT NOT NULL",
    "input_sha256 TEXT NOT NULL", "settings_json TEXT NOT NULL",
    "start_quarter TEXT NOT NULL", "quarters INTEGER NOT NULL", "solver TEXT NOT NULL",
    "status TEXT NOT NULL", "termination TEXT NOT NULL", "objective_usd REAL",
    "total_cost_usd REAL", "best_bound_usd REAL", "gap REAL",
    "predecessor INTEGER REFERENCES runs(id)", "as_of TEXT", "report TEXT NOT NULL",
    "planner_version TEXT NOT NULL", "note TEXT NOT NULL",
)


def column_names(table: str) -> list[str]:
    columns = RUN_COLUMNS if table == "runs" else TABLES[table]
    return [c.split()[0] for c in columns]


def _ddl() -> list[str]:
    statements = ["CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                  f"CREATE TABLE runs ({', '.join(RUN_COLUMNS)})",
                  "CREATE INDEX runs_by_plan ON runs (plan_name, as_of)"]
    for table, columns in TABLES.items():
        statements.append(f"CREATE TABLE {table} (run_id INTEGER NOT NULL REFERENCES "
                          f"runs(id), {', '.join(columns)})")
        statements.append(f"CREATE INDEX {table}_by_run ON {table} (run_id)")
    return statements


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed if the block finishes, rolled back otherwise."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


def _version(conn: sqlite3.Connection, path: Path) -> int | None:
    """The ledger's schema version; None for an empty database (a new ledger).

    PlannerError for a database that holds other tables (a foreign database: refused,
    never altered) or a version that is not a whole number."""
    tables = _tables(conn)
    if "meta" not in tables:
        if tables:
            listed = ", ".join(sorted(tables)[:5]) + (" ..." if len(tables) > 5 else "")
            raise PlannerError(f"{path} is a SQLite database but not a plan ledger (it holds "
                               f"the tables {listed}); it was left untouched: choose "
                               "another --ledger")
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    text = str(row[0]).strip() if row else ""
    if not text.isdigit() or len(text) > 6:
        raise PlannerError(f"plan ledger {path} has the schema version {text or 'none'!r}, "
                           f"not a version this planner knows (it reads {SCHEMA_VERSION}); "
                           "it was left untouched: use another --ledger, or restore a backup")
    return int(text)


def _check_tables(conn: sqlite3.Connection, path: Path) -> None:
    missing = sorted({"runs", *TABLES} - _tables(conn))
    if missing:
        raise PlannerError(f"plan ledger {path} is damaged: the table(s) {', '.join(missing)} "
                           "are missing; restore it from a backup, or move it aside to start "
                           "a new ledger")


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    if _version(conn, path) is None:
        with transaction(conn):
            if _version(conn, path) is None:  # another process may have just created it
                for statement in _ddl():
                    conn.execute(statement)
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))
    version = _version(conn, path)
    if version != SCHEMA_VERSION:
        raise PlannerError(f"plan ledger {path} has schema version {version}; this planner "
                           f"reads version {SCHEMA_VERSION} (use a matching planner or "
                           "another --ledger)")
    _check_tables(conn, path)


def lock_timeout_s() -> float:
    """How long a writer waits for another run's lock: ``PLANNER_LEDGER_TIMEOUT_S`` seconds
    (default 30)."""
    try:
        value = float(os.environ.get(ENV_TIMEOUT, "30"))
    except ValueError:
        value = 30.0
    return value if 0 < value < 86400 else 30.0


def ledger_error(path: str | Path, exc: sqlite3.Error) -> PlannerError:
    """A SQLite error on the ledger as what a user can do about it."""
    text = str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        why = (f"it is locked by another planner run (or a program holding it open) for over "
               f"{lock_timeout_s():g} s; wait for that run to finish and retry (the "
               f"environment variable {ENV_TIMEOUT} sets how long to wait)")
    elif "readonly" in low or "read-only" in low or "permission" in low:
        why = ("it is read-only; make the file and its folder writable, or record into "
               "another --ledger (or --no-ledger)")
    elif "not a database" in low or "encrypted" in low:
        return PlannerError(f"{path} is not a readable plan ledger: it is not a SQLite "
                            "database (or it is encrypted); choose another --ledger, or move "
                            "this file aside")
    elif "malformed" in low or "corrupt" in low:
        why = (f"the file is damaged ({text}); keep a copy, then recover what is left with "
               f"`sqlite3 {path} .recover | sqlite3 recovered.sqlite`, or restore a backup, "
               "or record into another --ledger")
    elif "no such table" in low or "no such column" in low:
        why = (f"its tables are not those of a plan ledger ({text}); restore a backup or "
               "use another --ledger")
    else:
        why = f"{type(exc).__name__}: {text}; use another --ledger or restore a backup"
    return PlannerError(f"plan ledger {path} cannot be used: {why}")


@contextmanager
def ledger_errors(path: str | Path) -> Iterator[None]:
    """Turn any SQLite error inside the block into a :func:`ledger_error`, and content a
    plan ledger never holds (a quarter or number that does not parse) into the same
    advice as a damaged file."""
    try:
        yield
    except sqlite3.Error as exc:
        raise ledger_error(path, exc) from None
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ledger_error(path, sqlite3.DatabaseError(
            f"corrupt content: {type(exc).__name__}: {exc}")) from None


def _check_file(path: Path, create: bool) -> None:
    if not path.exists() and not create:
        raise PlannerError(f"no plan ledger at {path}: `planner plan` records one there "
                           "(or choose another with --ledger)")
    if path.is_dir():
        raise PlannerError(f"{path} is a folder, not a plan ledger (.sqlite)")
    if path.exists() and not path.is_file():
        raise PlannerError(f"{path} is not a regular file (a device, pipe or socket), so "
                           "not a plan ledger: choose another --ledger")


def connect(path: str | Path, *, create: bool = True, check: bool = False) -> sqlite3.Connection:
    """An open connection to the ledger at ``path`` (created when missing if ``create``).

    Raises PlannerError when the file is missing (``create=False``), is not a SQLite
    database, is another program's database, has another schema version, is damaged
    (``check`` runs SQLite's quick integrity check too) or cannot be locked.
    """
    path = Path(path)
    _check_file(path, create)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlannerError(f"cannot create the plan ledger {path}: {exc.strerror or exc}") from None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=lock_timeout_s())
    except sqlite3.Error as exc:
        raise ledger_error(path, exc) from None
    conn.row_factory = sqlite3.Row
    try:
        with ledger_errors(path):
            _version(conn, path)  # a foreign database is refused before anything is set
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            _ensure_schema(conn, path)
            if check:
                found = conn.execute("PRAGMA quick_check(5)").fetchall()
                if [r[0] for r in found] != ["ok"]:
                    raise sqlite3.DatabaseError("database disk image is malformed: "
                                                + "; ".join(str(r[0]) for r in found))
    except BaseException:
        conn.close()
        raise
    return conn


def check_ledger(path: str | Path) -> None:
    """Before a run's work: the ledger at ``path`` can be opened (created if new), is a plan
    ledger of this version, passes SQLite's quick check, and can be locked for writing
    (PlannerError saying what to do otherwise)."""
    conn = connect(path, check=True)
    try:
        with ledger_errors(path):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
    finally:
        conn.close()
