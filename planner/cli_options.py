"""Options several ``planner`` commands share, defined once: the solver flags, ``--json``
and ``--quiet``, and the progress printer ``--quiet`` silences."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from planner.cli_checks import gap as checked_gap
from planner.cli_checks import time_limit as checked_time_limit
from planner.pipeline import SolveOptions


def progress_printer(args: argparse.Namespace) -> Callable[[str], None]:
    """Progress lines on stderr (``planner: ...``), or nothing with ``--quiet``."""
    if getattr(args, "quiet", False):
        return lambda _msg: None
    return lambda msg: print(f"planner: {msg}", file=sys.stderr, flush=True)


def add_solver_flags(p: argparse.ArgumentParser, each: bool = False) -> None:
    """``--solver``, ``--time-limit`` and ``--gap`` (``each``: they apply to every solve)."""
    limit, gap = (("time limit per solve", "relative optimality gap at which each solve stops")
                  if each else ("solver time limit", "relative optimality gap at which to stop"))
    p.add_argument("--solver", choices=["cbc", "highs"], help="MIP solver (default: workbook setting)")
    p.add_argument("--time-limit", type=checked_time_limit, metavar="SECONDS",
                   help=f"{limit}, seconds > 0")
    p.add_argument("--gap", type=checked_gap, help=f"{gap}, in [0, 1)")


def add_output_flags(p: argparse.ArgumentParser, quiet: bool = True) -> None:
    """``--json`` (one JSON object on stdout) and, for long commands, ``--quiet``."""
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    if quiet:
        p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def solve_options(args: argparse.Namespace) -> SolveOptions:
    """The solver flags as pipeline options (None keeps the workbook's setting)."""
    return SolveOptions(args.solver, args.time_limit, args.gap)
