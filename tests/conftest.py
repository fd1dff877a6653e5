"""Fixtures shared by the test modules: the repository's paths and the CLI runner.

Helpers that build inputs stay in their own modules (``workbooks``, ``optimize_fixtures``,
``report_fixtures``), imported by name where they are used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from planner.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inputs" / "example.xlsx"


@pytest.fixture()
def example() -> Path:
    """inputs/example.xlsx (read only: copy it before changing it)."""
    return EXAMPLE


@pytest.fixture()
def cli(capsys) -> Callable[[list], tuple[int, str, str]]:
    """Run ``planner ARGS`` in this process: (exit code, stdout, stderr)."""

    def run(args: list) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
