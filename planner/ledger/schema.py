"""The ledger's SQLite schema, its version, and how a connection is opened.

Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``) in WAL mode, so a run
killed mid-write leaves the ledger as it was.  The ``meta`` table holds the schema
version; a ledger written by a newer planner is refused rather than misread.
"""

from __future__ import annotations

import dataclasses
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


def _version(conn: sqlite3.Connection) -> int | None:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
                    ).fetchone() is None:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    if _version(conn) is None:
        with transaction(conn):
            if _version(conn) is None:  # another process may have just created it
                for statement in _ddl():
                    conn.execute(statement)
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))
    version = _version(conn)
    if version != SCHEMA_VERSION:
        raise PlannerError(f"plan ledger {path} has schema version {version}; this planner "
                           f"reads version {SCHEMA_VERSION} (use a matching planner or "
                           "another --ledger)")


def connect(path: str | Path, *, create: bool = True) -> sqlite3.Connection:
    """An open connection to the ledger at ``path`` (created when missing if ``create``).

    Raises PlannerError when the file is missing (``create=False``), is not a SQLite
    database, or has another schema version.
    """
    path = Path(path)
    if not path.exists() and not create:
        raise PlannerError(f"no plan ledger at {path}: `planner plan` records one there "
                           "(or choose another with --ledger)")
    if path.is_dir():
        raise PlannerError(f"{path} is a folder, not a plan ledger (.sqlite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _ensure_schema(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise PlannerError(f"{path} is not a readable plan ledger: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return conn
