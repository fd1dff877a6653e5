"""``--time-limit`` and ``--gap`` are checked like the Settings sheet's time_limit_s
(> 0) and mip_gap ([0, 1)): a bad flag is exit 2 naming it, before anything is read."""

from __future__ import annotations

import pytest
from workbooks import EXAMPLE

from planner.cli import main
from planner.cli_checks import gap, time_limit


@pytest.mark.parametrize(("flag", "value"), [
    ("--time-limit", "0"), ("--time-limit", "-1"), ("--time-limit", "nan"),
    ("--time-limit", "inf"), ("--time-limit", "1e400"), ("--time-limit", "abc"),
    ("--gap", "-1"), ("--gap", "nan"), ("--gap", "inf"), ("--gap", "2"), ("--gap", "1"),
])
@pytest.mark.parametrize("command", [["plan", str(EXAMPLE), "--no-ledger"],
                                     ["replan", str(EXAMPLE), "--as-of", "2027Q2"],
                                     ["whatif", str(EXAMPLE)]])
def test_a_bad_flag_is_exit_2_naming_it(capsys, command, flag, value):
    with pytest.raises(SystemExit) as exc:
        main([*command, f"{flag}={value}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flag}" in err and "Traceback" not in err


def test_good_values_pass_through():
    assert time_limit("30") == 30.0
    assert gap("0") == 0.0
    assert gap("0.5%") == pytest.approx(0.005)
