"""The plan ledger: every run recorded in SQLite, and quarterly re-plans built on it.

``planner plan`` records each run (:func:`record_plan`): when, on which workbook (name and
SHA-256), with which settings, how the solver ended, every decision, and the inputs the
decisions rest on (demand forecast, chip prices, site power, owned chips, actuals).
``planner replan`` (:mod:`planner.ledger.replan`) fixes the previous run's past decisions,
re-optimises the rest, and explains the differences (:mod:`planner.ledger.changes`).
``planner history`` and ``planner show`` read it back.

Modules: :mod:`~planner.ledger.schema` (tables, version, transactions),
:mod:`~planner.ledger.records` (what a run holds), :mod:`~planner.ledger.store`
(write and read), :mod:`~planner.ledger.capture` (a plan as a run),
:mod:`~planner.ledger.carry` (a previous run's past as fixed decisions),
:mod:`~planner.ledger.drivers` and :mod:`~planner.ledger.changes` (what changed and why),
:mod:`~planner.ledger.replan` (the re-plan), :mod:`~planner.ledger.render` (text output).
"""

from planner.ledger.capture import record_plan
from planner.ledger.records import LedgerRun, RunHeader, plan_name
from planner.ledger.schema import DEFAULT_LEDGER, SCHEMA_VERSION, check_ledger
from planner.ledger.store import find_runs, list_runs, load_run

__all__ = ["DEFAULT_LEDGER", "SCHEMA_VERSION", "LedgerRun", "RunHeader", "check_ledger", "find_runs",
           "list_runs", "load_run", "plan_name", "record_plan"]
