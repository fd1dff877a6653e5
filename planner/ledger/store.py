"""Writing runs to the ledger and reading them back.

:func:`record_run` writes a run, its decisions and its inputs in one transaction; the
readers never write (beyond creating the schema of a new, empty ledger).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import typing
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from planner.domain import PlannerError, Quarter
from planner.domain.status import Status
from planner.ledger.records import Decisions, DemandPoint, InputSnapshot, LedgerRun, RunHeader
from planner.ledger.schema import RECORDS, column_names, connect, ledger_errors, transaction

#: Decision tables (their rows are the domain's, see schema.RECORDS).
DECISION_ROWS = ("purchases", "rentals", "retirements", "expansions")


def _stored(value):
    return str(value) if isinstance(value, Quarter) else value


def _insert(conn: sqlite3.Connection, table: str, run_id: int, records) -> None:
    """Rows of ``records`` (instances of the table's record class) by column name."""
    names = column_names(table)
    sql = (f"INSERT INTO {table} (run_id, {', '.join(names)}) "
           f"VALUES ({', '.join('?' * (len(names) + 1))})")
    conn.executemany(sql, [(run_id, *(_stored(getattr(r, n)) for n in names)) for r in records])


def _insert_inputs(conn: sqlite3.Connection, run_id: int, inputs: InputSnapshot) -> None:
    _insert(conn, "demand", run_id, [DemandPoint(w, q, x)
                                     for (w, q), x in sorted(inputs.demand.items())])
    _insert(conn, "chip_prices", run_id, inputs.prices)
    _insert(conn, "site_power", run_id, inputs.sites)
    _insert(conn, "existing", run_id, inputs.existing)
    _insert(conn, "actuals", run_id, inputs.actuals)


def _header_values(header: RunHeader) -> dict:
    values = {n: getattr(header, n) for n in column_names("runs")
              if n not in ("id", "settings_json")}
    values["settings_json"] = json.dumps(header.settings, sort_keys=True)
    return values


class AlreadyRecorded(PlannerError):
    """A re-plan of the same plan and as-of quarter was recorded first (``run_id``)."""

    def __init__(self, run_id: int, as_of: str) -> None:
        super().__init__(f"already re-planned as of {as_of}: run {run_id}")
        self.run_id = run_id


def _check(conn: sqlite3.Connection, path, header: RunHeader, once: bool) -> None:
    if header.predecessor is not None and conn.execute(
            "SELECT 1 FROM runs WHERE id = ?", (header.predecessor,)).fetchone() is None:
        raise PlannerError(f"run {header.predecessor} is not in the ledger {path}")
    if once:
        done = conn.execute("SELECT max(id) FROM runs WHERE command = 'replan' AND "
                            "plan_name = ? AND as_of = ? AND status != ?",
                            (header.plan_name, header.as_of, Status.ERROR)).fetchone()[0]
        if done is not None:
            raise AlreadyRecorded(int(done), str(header.as_of))


def record_run(path: str | Path, header: RunHeader, decisions: Decisions,
               inputs: InputSnapshot, *, once: bool = False,
               claim: Callable[[sqlite3.Connection, int], object] | None = None) -> int:
    """Append a run (``header.id`` is ignored) and return its new id.

    ``once``: raise :class:`AlreadyRecorded` instead if a re-plan of the same plan as of
    the same quarter is there already (checked inside the write transaction, so two
    re-plans racing for a quarter record one run).  ``claim(conn, run_id)`` runs inside
    the transaction before the commit (it keeps the run's report; if it raises, nothing
    is recorded)."""
    values = _header_values(header)
    sql = (f"INSERT INTO runs ({', '.join(values)}) "
           f"VALUES ({', '.join('?' * len(values))})")
    with ledger_errors(path), closing(connect(path)) as conn, transaction(conn):
        _check(conn, path, header, once)
        run_id = int(conn.execute(sql, list(values.values())).lastrowid)
        for table in DECISION_ROWS:
            _insert(conn, table, run_id, getattr(decisions, table))
        _insert_inputs(conn, run_id, inputs)
        if claim is not None:
            claim(conn, run_id)
    return run_id


#: SQLite's largest integer key.
MAX_RUN_ID = 2**63 - 1


def _header(row: sqlite3.Row) -> RunHeader:
    values = {k: row[k] for k in row.keys() if k != "settings_json"}  # noqa: SIM118 (sqlite3.Row)
    try:
        settings = json.loads(row["settings_json"])
    except (TypeError, ValueError):
        raise sqlite3.DatabaseError(f"run {row['id']} has unreadable settings (corrupt "
                                    "database)") from None
    return RunHeader(settings=settings, **values)


def _select(conn: sqlite3.Connection, where: str = "", args: tuple = ()) -> list[RunHeader]:
    rows = conn.execute(f"SELECT * FROM runs {where} ORDER BY id", args).fetchall()
    return [_header(r) for r in rows]


def list_runs(path: str | Path) -> list[RunHeader]:
    """Every run, oldest first."""
    with ledger_errors(path), closing(connect(path, create=False)) as conn:
        return _select(conn)


def find_runs(path: str | Path, plan: str) -> list[RunHeader]:
    """The runs of plan ``plan`` (see :func:`planner.ledger.records.plan_name`), oldest
    first; none when the ledger does not exist yet."""
    if not Path(path).exists():
        return []
    with ledger_errors(path), closing(connect(path)) as conn:
        return _select(conn, "WHERE plan_name = ?", (plan,))


def _rows(conn: sqlite3.Connection, table: str, run_id: int) -> tuple:
    """The table's rows of run ``run_id`` as its record class (a Quarter field parsed)."""
    cls, names = RECORDS[table], column_names(table)
    quarters = {n for n, hint in typing.get_type_hints(cls).items() if hint is Quarter}
    found = conn.execute(f"SELECT {', '.join(names)} FROM {table} WHERE run_id = ? "
                         "ORDER BY rowid", (run_id,)).fetchall()
    return tuple(cls(**{n: Quarter.parse(r[n]) if n in quarters else r[n] for n in names})
                 for r in found)


def load_run(path: str | Path, run_id: int) -> LedgerRun:
    """One run with its decisions and inputs; PlannerError if there is no such run."""
    if not 0 < int(run_id) <= MAX_RUN_ID:
        raise PlannerError(f"no run {run_id} in the plan ledger {path}: run ids are whole "
                           "numbers from 1 (`planner history` lists the runs)")
    with ledger_errors(path), closing(connect(path, create=False)) as conn:
        headers = _select(conn, "WHERE id = ?", (int(run_id),))
        if not headers:
            raise PlannerError(f"no run {run_id} in the plan ledger {path} "
                               "(`planner history` lists the runs)")
        decisions = Decisions(**{t: _rows(conn, t, run_id) for t in DECISION_ROWS})
        demand = {(d.workload, d.quarter): d.tokens_per_day
                  for d in _rows(conn, "demand", run_id)}
        inputs = InputSnapshot(demand=demand, prices=_rows(conn, "chip_prices", run_id),
                               sites=_rows(conn, "site_power", run_id),
                               existing=_rows(conn, "existing", run_id),
                               actuals=_rows(conn, "actuals", run_id))
    return LedgerRun(headers[0], decisions, inputs)


def as_dict(record) -> dict:
    """A record (header, row) as a JSON-ready dict."""
    return {k: (str(v) if isinstance(v, Quarter) else v)
            for k, v in dataclasses.asdict(record).items()}
