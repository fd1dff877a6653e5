"""The Settings sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import mutate, problems, read, set_setting


@pytest.mark.parametrize(("name", "value", "attr", "expected"), [
    ("solver", "HiGHS", "solver", "highs"),
    ("allow_early_retirement", "no", "allow_early_retirement", False),
    ("target_utilisation", 1, "target_utilisation", 1.0),
    ("hours_per_quarter", None, "hours_per_quarter", 8766.0 / 4),
    ("single_type_comparison", "Yes", "single_type_comparison", "yes"),
    ("single_type_comparison", None, "single_type_comparison", "auto"),
])
def test_setting_values(tmp_path: Path, name: str, value: object, attr: str, expected) -> None:
    plan = read(mutate(tmp_path, "s.xlsx", set_setting(name, value)))
    assert getattr(plan.settings, attr) == expected


@pytest.mark.parametrize(("name", "value", "says"), [
    ("pue", 0.9, ">= 1"),
    ("target_utilisation", 0, "(0, 1]"),
    ("power_draw_fraction", 1.2, "(0, 1]"),
    ("quarters", 0, "whole number >= 1"),
    ("solver", "gurobi", "one of cbc, highs"),
    ("mip_gap", -0.1, "[0, 1)"),
    ("time_limit_s", "fast", "'fast'"),
    ("allow_early_retirement", "perhaps", "yes or no"),
    ("single_type_comparison", "sometimes", "one of auto, yes, no"),
])
def test_setting_out_of_range(tmp_path: Path, name: str, value: object, says: str) -> None:
    (p,) = problems(mutate(tmp_path, "s.xlsx", set_setting(name, value)))
    assert p.sheet == "Settings" and p.column == "value"
    assert p.message.startswith(f"{name}: ") and says in p.message


def test_setting_keys_match_loosely(tmp_path: Path) -> None:
    def rename(wb) -> None:
        for row in wb["Settings"].iter_rows(min_row=2):
            if row[0].value == "time_limit_s":
                row[0].value, row[1].value = "Time Limit S", 10
    plan = read(mutate(tmp_path, "s.xlsx", rename))
    assert plan.settings.time_limit_s == 10
