"""Sheet and header lookup, missing columns, name suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import catalogs, mutate

from planner.domain import InputError
from planner.io.reader import read_workbook
from planner.io.sheets import suggest


def problems(path: Path) -> list:
    with pytest.raises(InputError) as info:
        read_workbook(path, *catalogs())
    return info.value.problems


def test_sheet_names_match_ignoring_case_and_spaces(tmp_path: Path) -> None:
    def rename(wb) -> None:
        wb["Workloads"].title = " work loads"
        wb["Chips"].title = " CHIPS"  # (openpyxl renames "CHIPS" to "CHIPS1": same as "Chips")
    plan = read_workbook(mutate(tmp_path, "n.xlsx", rename), *catalogs())
    assert len(plan.workloads) == 2 and len(plan.chips) == 2


def test_misspelt_header_is_pointed_at(tmp_path: Path) -> None:
    def misspell(wb) -> None:
        wb["Sites"]["B1"] = "power_cap_kW_facility"
        wb["Sites"]["C1"] = "electricty_usd_per_kwh"
    found = problems(mutate(tmp_path, "h.xlsx", misspell))
    by_column = {p.column: p.message for p in found}
    assert set(by_column) == {"power_cap_kw", "electricity_usd_per_kwh"}
    assert "is 'electricty_usd_per_kwh' meant to be it?" in by_column["electricity_usd_per_kwh"]
    assert all(p.row is None and p.sheet == "Sites" for p in found)


def test_optional_sheets_may_be_absent(tmp_path: Path) -> None:
    def drop(wb) -> None:
        for name in ("Training", "Models", "Measured"):
            wb.remove(wb[name])
    plan = read_workbook(mutate(tmp_path, "o.xlsx", drop), *catalogs())
    assert plan.training == () and plan.measured == ()


def test_empty_sheet_without_header(tmp_path: Path) -> None:
    def clear(wb) -> None:
        wb.remove(wb["Sites"])
        wb.create_sheet("Sites")
    (p,) = problems(mutate(tmp_path, "e.xlsx", clear))
    assert (p.sheet, p.row, p.column) == ("Sites", None, None)
    assert "is empty: row 1 must hold the column names site, power_cap_kw, " in p.message


def test_empty_optional_sheet_is_ignored(tmp_path: Path) -> None:
    def clear(wb) -> None:
        wb.remove(wb["Training"])
        wb.create_sheet("Training")
    assert read_workbook(mutate(tmp_path, "e.xlsx", clear), *catalogs()).training == ()


def test_suggest_uses_names_and_aliases() -> None:
    chips, models = catalogs()
    assert suggest("H10", chips)[0] == "H100 SXM"
    assert suggest("llama3.1-70", models)[0] == "llama-3.1-70b"
    assert suggest("zzzz", chips) == []


@pytest.mark.parametrize("stale", ["Chips ", "Chips_", "chips.", "Ｃｈｉｐｓ",
                                   "Chips\u200b"])
def test_two_sheets_read_as_one_are_an_error_naming_both(tmp_path: Path, stale: str) -> None:
    """A stale copy of a sheet (issue 18 case 3: "Chips " with $1 prices placed before
    "Chips") must not silently win: both names are in the error, whichever comes first."""
    from planner.domain import PlannerError

    def change(wb) -> None:
        copy = wb.copy_worksheet(wb["Chips"])
        copy.title = stale
        wb.move_sheet(copy, offset=-(len(wb.sheetnames) - 1))

    path = mutate(tmp_path, "stale.xlsx", change)
    with pytest.raises(PlannerError) as exc:
        read_workbook(path, *catalogs())
    assert f"'{stale}'" in str(exc.value) and "'Chips'" in str(exc.value)
