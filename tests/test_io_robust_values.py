"""Tolerant cell values: quarters in several spellings and as dates, numbers stored as
text, percentages; ambiguous numbers are problems that name the cell and say why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from workbooks import both, mutate, problems, read, set_cell, set_setting, write_minimal

from planner.domain.periods import Quarter


@pytest.fixture
def plain(tmp_path: Path):
    return read(write_minimal(tmp_path, "plain.xlsx"))


def test_quarters_in_every_spelling_and_as_dates(tmp_path: Path, plain) -> None:
    # Demand rows 2-5 are chat's 2027Q1-Q4.
    change = both(set_cell("Demand", 2, "quarter", dt.datetime(2027, 1, 1)),
                  set_cell("Demand", 3, "quarter", "2027-Q2"),
                  set_cell("Demand", 4, "quarter", "Q3 2027"),
                  set_cell("Demand", 5, "quarter", dt.date(2027, 11, 30)),
                  set_cell("Training", 2, "earliest_quarter", "q2-2027"),
                  set_setting("start_quarter", dt.datetime(2027, 2, 15)))
    inp = read(mutate(tmp_path, "quarters.xlsx", change))
    assert inp.settings.start_quarter == Quarter(2027, 1)
    assert inp.workloads == plain.workloads
    assert inp.training == plain.training


def test_numbers_stored_as_text(tmp_path: Path, plain) -> None:
    change = both(set_cell("Chips", 2, "purchase_usd_per_chip", "27,500"),
                  set_cell("Chips", 2, "rent_usd_per_chip_hour", "$2.50"),
                  set_cell("Sites", 2, "power_cap_kw", "1 000"),
                  set_cell("Sites", 2, "electricity_usd_per_kwh", "USD 0.08"),
                  set_cell("Demand", 2, "tokens_per_day", "1e9"),
                  set_cell("Demand", 3, "tokens_per_day", "1,100,000,000"),
                  set_cell("Demand", 4, "tokens_per_day", "1\u00a0200\u00a0000\u00a0000"),
                  set_cell("Training", 2, "tokens", "1.0E+12"))
    inp = read(mutate(tmp_path, "text-numbers.xlsx", change))
    assert inp.chips == plain.chips
    assert inp.sites == plain.sites
    assert inp.workloads == plain.workloads
    assert inp.training == plain.training


@pytest.mark.parametrize(("text", "says"), [
    ("1.200,5", "write 1200.5"),
    ("1,2", "decimal comma (1.2)"),
    ("0,08", "decimal comma (0.08)"),
    ("1.200.000", "'.' is used as a thousands separator"),
    ("1,20,000", "does not separate groups of three digits"),
])
def test_ambiguous_numbers_name_the_cell_and_say_why(tmp_path: Path, text: str,
                                                     says: str) -> None:
    path = mutate(tmp_path, "ambiguous.xlsx",
                  set_cell("Sites", 2, "electricity_usd_per_kwh", text))
    (p,) = problems(path)
    assert (p.sheet, p.row, p.column) == ("Sites", 2, "electricity_usd_per_kwh")
    assert p.message.startswith(f"expected a number >= 0, got '{text}': ambiguous")
    assert says in p.message


@pytest.mark.parametrize(("text", "says"), [
    ("80 GB", "write the number alone"),
    ("€25,000", "US dollars"),
    ("#DIV/0!", "expected a number >= 0, got '#DIV/0!'"),
])
def test_other_text_that_is_not_a_number(tmp_path: Path, text: str, says: str) -> None:
    (p,) = problems(mutate(tmp_path, "nan.xlsx",
                           set_cell("Chips", 2, "purchase_usd_per_chip", text)))
    assert (p.sheet, p.row, p.column) == ("Chips", 2, "purchase_usd_per_chip")
    assert says in p.message


@pytest.mark.parametrize("mfu", [0.4, "40%", " 40 % ", "0.4"])
def test_fractions_as_numbers_or_percentages(tmp_path: Path, mfu: object) -> None:
    change = both(set_cell("Training", 2, "mfu", mfu), set_setting("target_utilisation", "70%"))
    inp = read(mutate(tmp_path, "pct.xlsx", change))
    assert inp.training[0].mfu == pytest.approx(0.4)
    assert inp.settings.target_utilisation == pytest.approx(0.7)


def test_a_percentage_formatted_cell_is_its_fraction(tmp_path: Path) -> None:
    def change(wb) -> None:
        ws = wb["Training"]
        cell = next(c for c in ws[2] if ws.cell(1, c.column).value == "mfu")
        cell.value, cell.number_format = 0.4, "0%"
    assert read(mutate(tmp_path, "fmt.xlsx", change)).training[0].mfu == pytest.approx(0.4)


def test_a_whole_percent_number_in_a_fraction_column_says_how_to_write_it(
        tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "forty.xlsx", set_cell("Training", 2, "mfu", 40)))
    assert (p.sheet, p.row, p.column) == ("Training", 2, "mfu")
    assert "write 40% or 0.4" in p.message


def test_a_percentage_in_a_price_column_is_a_problem(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "pp.xlsx",
                           set_cell("Chips", 2, "purchase_usd_per_chip", "5%")))
    assert "a percentage fits only a fraction column" in p.message
