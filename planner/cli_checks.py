"""Command-line flags checked like the Settings sheet checks the same values.

``--time-limit`` must be a finite number of seconds > 0 (at most :data:`MAX_TIME_LIMIT_S`)
and ``--gap`` a fraction in [0, 1), as ``time_limit_s`` and ``mip_gap`` must be on the
Settings sheet.  argparse turns the error into exit 2 with the flag named.
"""

from __future__ import annotations

import argparse
import math

#: A week: longer than any plan is worth waiting for, short enough to be a real limit.
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; {what}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number; {what}")
    return value


def time_limit(text: str) -> float:
    """``--time-limit``: seconds, 0 < value <= a week."""
    what = f"give seconds > 0 and at most {MAX_TIME_LIMIT_S:g} (a week), like 60"
    value = _number(text, what)
    if not 0 < value <= MAX_TIME_LIMIT_S:
        raise argparse.ArgumentTypeError(f"{text} is out of range; {what}")
    return value


def gap(text: str) -> float:
    """``--gap``: a relative gap, 0 <= value < 1 (0.01 is 1%)."""
    what = "give a fraction in [0, 1), like 0.01 for 1%"
    value = _number(text.strip().rstrip("%"), what)
    if text.strip().endswith("%"):
        value /= 100
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} is out of range; {what}")
    return value

