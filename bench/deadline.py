"""Time is a contract (issue 18): a whole run -- solve, diagnostics re-solve, report --
ends within T + 10% + 10 s for any time limit T.

``python -m bench.deadline --size M-T8 --solver highs --time-limit 20`` runs one instance
through the same stages as ``planner plan`` (a :class:`~planner.optimize.clock.Deadline`
made when the process starts, ``solve_plan`` under it with the report's time kept back,
the Excel report written) and prints one JSON line: wall seconds since the process
started, when the solve returned, the contract's bound and the solver's status.  The
instances are the benchmark's (``bench/generate.py``, e.g. ``M-T8``: size M with 8
competing training runs) plus ``C200`` (size M with 200 chips).

``python -m bench.deadline --workbook X.xlsx --time-limit 20`` times the command itself,
``planner plan X.xlsx --time-limit 20`` in a child process (reading, estimating, solving,
diagnostics and the report), from before the child starts to its exit
(``python -m bench.workbooks`` writes a 200-chip and an 8-run workbook).

``python -m bench.deadline --all`` runs each size (``--sizes``), workbook
(``--workbooks``), solver and limit in its own process and prints one JSON line each,
then a Markdown table.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_PROCESS_START = time.perf_counter()  # the run's clock starts with the process

STRESS = {"C200": ("M", {"chips": 200})}


def _instance(size: str):
    gen = importlib.import_module("bench.generate")

    if size in STRESS:
        base, changes = STRESS[size]
        gen.SIZES.setdefault(size, dataclasses.replace(gen.SIZES[base], **changes))
    return gen.generate(size)


def run_one(size: str, solver: str, limit: float) -> dict:
    from planner.optimize import solve_plan
    from planner.optimize.clock import Deadline, activate
    from planner.report import write_report

    deadline = Deadline(limit, start=_PROCESS_START)  # the process's own start, imports included
    activate(deadline)
    inp, throughput, training = _instance(size)
    result = solve_plan(inp, throughput, training, solver=solver, time_limit_s=limit,
                        deadline=deadline, report_follows=True)
    solved = time.perf_counter() - _PROCESS_START
    with tempfile.TemporaryDirectory() as folder:
        write_report(result, inp, Path(folder) / "report.xlsx")
    wall = time.perf_counter() - _PROCESS_START
    s = result.solver
    return {"size": size, "solver": solver, "time_limit_s": limit, "wall_s": round(wall, 1),
            "bound_s": round(limit * 1.1 + 10, 1), "within": wall <= limit * 1.1 + 10,
            "status": s.status, "termination": s.termination, "gap": s.gap,
            "solve_s": round(s.solve_seconds, 1), "solved_at_s": round(solved, 1),
            "report_s": round(wall - solved, 1), "has_plan": bool(result.cashflow)}


def run_workbook(workbook: str, solver: str, limit: float) -> dict:
    """``planner plan workbook --time-limit limit`` in a child process, timed from outside."""
    with tempfile.TemporaryDirectory() as folder:
        cmd = [sys.executable, "-m", "planner", "plan", workbook, "--out",
               str(Path(folder) / "report.xlsx"), "--no-ledger", "--solver", solver,
               "--time-limit", str(limit), "--json", "--quiet"]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                              timeout=limit * 3 + 120)
        wall = time.perf_counter() - start
    row = {"size": Path(workbook).name, "solver": solver, "time_limit_s": limit,
           "wall_s": round(wall, 1), "bound_s": round(limit * 1.1 + 10, 1),
           "within": wall <= limit * 1.1 + 10, "exit": done.returncode}
    if done.returncode == 0:
        summary = json.loads(done.stdout)
        row.update(status=summary["status"], termination=summary["termination"],
                   gap=summary["gap"], solve_s=round(summary["solve_seconds"], 1),
                   has_plan=summary["status"] != "error", message=summary.get("message", ""))
    else:
        row["error"] = done.stderr[-300:]
    return row


def run_all(sizes, solvers, limits, workbooks=()) -> list[dict]:
    rows = []
    for workbook in workbooks:
        for solver in solvers:
            for limit in limits:
                row = run_workbook(workbook, solver, limit)
                print(json.dumps(row), flush=True)
                rows.append(row)
    for size in sizes:
        for solver in solvers:
            for limit in limits:
                cmd = [sys.executable, "-m", "bench.deadline", "--size", size, "--solver",
                       solver, "--time-limit", str(limit)]
                start = time.monotonic()
                done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                                      timeout=limit * 3 + 120)
                outer = time.monotonic() - start
                row = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 \
                    else {"size": size, "solver": solver, "time_limit_s": limit,
                          "error": done.stderr[-300:]}
                row["process_wall_s"] = round(outer, 1)
                row["within"] = outer <= limit * 1.1 + 10  # the child's whole life counts
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table: process wall against T + 10% + 10 s, and (bench
    sizes) when the solve returned against the limit."""
    lines = [("| instance | solver | T (s) | process wall (s) | T x 1.1 + 10 (s) | within | "
              "solve returned at (s) | status / termination | gap |"),
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        gap = r.get("gap")
        lines.append(
            f"| {r['size']} | {r['solver']} | {r['time_limit_s']:g} | "
            f"{r.get('process_wall_s', r.get('wall_s'))} | {r.get('bound_s', '')} | "
            f"{'yes' if r.get('within') else 'NO'} | {r.get('solved_at_s', '-')} | "
            f"{r.get('status', 'error')} / {r.get('termination', r.get('error', '')[:40])} | "
            f"{'-' if gap is None else f'{gap:.2%}'} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.deadline")
    p.add_argument("--size", default="M-T8")
    p.add_argument("--solver", default="highs")
    p.add_argument("--time-limit", type=float, default=20.0)
    p.add_argument("--all", action="store_true")
    p.add_argument("--workbook", help="time `planner plan WORKBOOK` instead of a bench size")
    p.add_argument("--workbooks", default="", help="workbooks for --all, comma-separated")
    p.add_argument("--sizes", default="M-T8,C200")
    p.add_argument("--solvers", default="highs,cbc")
    p.add_argument("--limits", default="5,20")
    args = p.parse_args(argv)
    if args.all:
        rows = run_all([s for s in args.sizes.split(",") if s], args.solvers.split(","),
                       [float(x) for x in args.limits.split(",")],
                       [w for w in args.workbooks.split(",") if w])
        print(table(rows))
        return 0
    if args.workbook:
        print(json.dumps(run_workbook(args.workbook, args.solver, args.time_limit)))
        return 0
    print(json.dumps(run_one(args.size, args.solver, args.time_limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
