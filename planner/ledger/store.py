"""Writing runs to the ledger and reading them back.

:func:`record_run` writes a run, its decisions and its inputs in one transaction; the
readers never write (beyond creating the schema of a new, empty ledger).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from planner.domain import (
    Actual,
    ExpansionRow,
    PlannerError,
    PurchaseRow,
    Quarter,
    RentalRow,
    RetirementRow,
)
from planner.domain.status import Status
from planner.ledger.records import (
    ChipPrice,
    Cohort,
    Decisions,
    InputSnapshot,
    LedgerRun,
    RunHeader,
    SitePower,
)
from planner.ledger.schema import column_names, connect, transaction

#: Decision tables and the domain rows they hold.
DECISION_ROWS = {"purchases": PurchaseRow, "rentals": RentalRow,
                 "retirements": RetirementRow, "expansions": ExpansionRow}


def _insert(conn: sqlite3.Connection, table: str, run_id: int, records) -> None:
    names = column_names(table)
    sql = (f"INSERT INTO {table} (run_id, {', '.join(names)}) "
           f"VALUES ({', '.join('?' * (len(names) + 1))})")
    conn.executemany(sql, [(run_id, *(getattr(r, n) for n in names)) for r in records])


def _actual_rows(actuals) -> list[tuple]:
    return [(a.kind, str(a.quarter), a.chip, a.site, a.workload, a.quantity, a.tokens_per_day)
            for a in actuals]


def _insert_inputs(conn: sqlite3.Connection, run_id: int, inputs: InputSnapshot) -> None:
    conn.executemany("INSERT INTO demand VALUES (?, ?, ?, ?)",
                     [(run_id, w, q, x) for (w, q), x in sorted(inputs.demand.items())])
    _insert(conn, "chip_prices", run_id, inputs.prices)
    _insert(conn, "site_power", run_id, inputs.sites)
    _insert(conn, "existing", run_id, inputs.existing)
    conn.executemany("INSERT INTO actuals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(run_id, *row) for row in _actual_rows(inputs.actuals)])


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
               inputs: InputSnapshot, *, once: bool = False) -> int:
    """Append a run (``header.id`` is ignored) and return its new id.

    ``once``: raise :class:`AlreadyRecorded` instead if a re-plan of the same plan as of
    the same quarter is there already (checked inside the write transaction, so two
    re-plans racing for a quarter record one run)."""
    values = _header_values(header)
    sql = (f"INSERT INTO runs ({', '.join(values)}) "
           f"VALUES ({', '.join('?' * len(values))})")
    with closing(connect(path)) as conn, transaction(conn):
        _check(conn, path, header, once)
        run_id = int(conn.execute(sql, list(values.values())).lastrowid)
        for table in DECISION_ROWS:
            _insert(conn, table, run_id, getattr(decisions, table))
        _insert_inputs(conn, run_id, inputs)
    return run_id


def _header(row: sqlite3.Row) -> RunHeader:
    values = {k: row[k] for k in row.keys() if k != "settings_json"}  # noqa: SIM118 (sqlite3.Row)
    return RunHeader(settings=json.loads(row["settings_json"]), **values)


def _select(conn: sqlite3.Connection, where: str = "", args: tuple = ()) -> list[RunHeader]:
    rows = conn.execute(f"SELECT * FROM runs {where} ORDER BY id", args).fetchall()
    return [_header(r) for r in rows]


def list_runs(path: str | Path) -> list[RunHeader]:
    """Every run, oldest first."""
    with closing(connect(path, create=False)) as conn:
        return _select(conn)


def find_runs(path: str | Path, plan: str) -> list[RunHeader]:
    """The runs of plan ``plan`` (see :func:`planner.ledger.records.plan_name`), oldest
    first; none when the ledger does not exist yet."""
    if not Path(path).exists():
        return []
    with closing(connect(path)) as conn:
        return _select(conn, "WHERE plan_name = ?", (plan,))


def _rows(conn: sqlite3.Connection, table: str, run_id: int, cls) -> tuple:
    names = column_names(table)
    found = conn.execute(f"SELECT {', '.join(names)} FROM {table} WHERE run_id = ? "
                         "ORDER BY rowid", (run_id,)).fetchall()
    return tuple(cls(**{n: r[n] for n in names}) for r in found)


def _actuals(conn: sqlite3.Connection, run_id: int) -> tuple[Actual, ...]:
    found = conn.execute("SELECT * FROM actuals WHERE run_id = ? ORDER BY rowid", (run_id,))
    return tuple(Actual(r["kind"], Quarter.parse(r["quarter"]), r["chip"], r["site"],
                        r["workload"], r["quantity"], r["tokens_per_day"]) for r in found)


def load_run(path: str | Path, run_id: int) -> LedgerRun:
    """One run with its decisions and inputs; PlannerError if there is no such run."""
    with closing(connect(path, create=False)) as conn:
        headers = _select(conn, "WHERE id = ?", (int(run_id),))
        if not headers:
            raise PlannerError(f"no run {run_id} in the plan ledger {path} "
                               "(`planner history` lists the runs)")
        decisions = Decisions(**{t: _rows(conn, t, run_id, cls)
                                 for t, cls in DECISION_ROWS.items()})
        demand = {(r["workload"], r["quarter"]): r["tokens_per_day"] for r in conn.execute(
            "SELECT * FROM demand WHERE run_id = ? ORDER BY rowid", (run_id,))}
        inputs = InputSnapshot(demand=demand,
                               prices=_rows(conn, "chip_prices", run_id, ChipPrice),
                               sites=_rows(conn, "site_power", run_id, SitePower),
                               existing=_rows(conn, "existing", run_id, Cohort),
                               actuals=_actuals(conn, run_id))
    return LedgerRun(headers[0], decisions, inputs)


def as_dict(record) -> dict:
    """A record (header, row) as a JSON-ready dict."""
    return {k: (str(v) if isinstance(v, Quarter) else v)
            for k, v in dataclasses.asdict(record).items()}
