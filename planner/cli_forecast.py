"""``planner forecast WORKBOOK``: each workload's demand by method, the history forecasts'
P10/P50/P90 bands and growth, optional backtests, written to a workbook with charts.

``planner/cli.py`` calls :func:`register`; a :class:`planner.domain.PlannerError` (a bad
workbook, a bad option) exits 2.
"""

from __future__ import annotations

import argparse
import json

from planner.api_commands import forecast_workbook
from planner.cli_options import add_output_flags, progress_printer
from planner.domain import PlannerError
from planner.forecast.analysis import summary


def cmd_forecast(args: argparse.Namespace) -> int:
    if args.backtest is not None and args.backtest < 1:
        raise PlannerError("--backtest: hold out at least 1 month")
    forecasts, sentences, out = forecast_workbook(args.workbook, args.out, backtest=args.backtest,
                                                  force=args.force,
                                                  progress=progress_printer(args))
    if args.json:
        print(json.dumps(summary(forecasts, str(out)), indent=2))
    else:
        for sentence in sentences:
            print(sentence)
        print(f"forecast written to {out}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("forecast", help="forecast each workload's demand (direct, drivers or "
                                        "history) with P10/P50/P90 bands and write a workbook")
    p.add_argument("workbook", help="input workbook (.xlsx)")
    p.add_argument("--out", help="forecast workbook (default outputs/<input-name>-forecast.xlsx)")
    p.add_argument("--force", action="store_true",
                   help="let --out replace an existing workbook the planner did not write")
    p.add_argument("--backtest", type=int, metavar="K",
                   help="hold out the last K months of each history, refit, report the MAPE")
    add_output_flags(p)
    p.set_defaults(func=cmd_forecast)
