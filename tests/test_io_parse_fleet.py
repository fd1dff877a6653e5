"""The Fleet sheet: owned cohorts, their chips and sites, and whether they fit."""

from __future__ import annotations

from pathlib import Path

from workbooks import append_row, both, mutate, problems, read, set_cell, set_setting

from planner.domain import Quarter


def owned(chip: str = "H100", site: str = "us-east", quantity: object = 64,
          bought: object = "2025Q3"):
    return append_row("Fleet", {"chip": chip, "site": site, "quantity": quantity,
                                "quarter_bought": bought})


def test_fleet_rows_reach_the_plan_with_canonical_names(tmp_path: Path) -> None:
    change = both(owned("h100-sxm", "US-East", 64, "2025Q3"), owned("L40S", "us-east", 8, "2027Q2"))
    plan = read(mutate(tmp_path, "f.xlsx", change))
    first, second = plan.existing
    assert (first.chip, first.site, first.quantity, first.bought) == \
        ("H100 SXM", "us-east", 64, Quarter(2025, 3))
    assert (second.chip, second.bought) == ("L40S", Quarter(2027, 2))


def test_an_owned_chip_may_have_no_prices(tmp_path: Path) -> None:
    change = both(append_row("Chips", {"chip": "A100", "lifetime_years": 6}),
                  owned("A100", bought="2024Q1"))
    plan = read(mutate(tmp_path, "f.xlsx", change))
    a100 = plan.chips[-1]
    assert (a100.chip, a100.purchase_usd_per_chip, a100.rent_usd_per_chip_hour) == \
        ("A100 80GB SXM", None, None)
    assert plan.existing[0].chip == "A100 80GB SXM"


def test_a_chip_with_no_prices_and_no_fleet_is_still_a_problem(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "f.xlsx", append_row("Chips", {"chip": "A100"})))
    assert (p.sheet, p.row, p.column) == ("Chips", 4, "purchase_usd_per_chip")
    assert "Fleet sheet" in p.message


def test_fleet_problems_are_each_named(tmp_path: Path) -> None:
    change = both(owned("A100"), owned(site="us-west"), owned(quantity=0),
                  owned(bought="2027Q5"), owned(bought="2028Q1"), owned(bought="2021Q1"),
                  owned(bought="2025Q3"))
    found = problems(mutate(tmp_path, "f.xlsx", change))
    text = {(p.row, p.column): p.message for p in found}
    assert set(text) == {(2, "chip"), (3, "site"), (4, "quantity"), (5, "quarter_bought"),
                         (6, "quarter_bought"), (7, "quarter_bought"), (8, "chip")}
    assert "list it on the Chips sheet first" in text[2, "chip"]
    assert "unknown site 'us-west'" in text[3, "site"]
    assert "whole number >= 1" in text[4, "quantity"]
    assert "'2027Q5'" in text[5, "quarter_bought"]
    assert "2028Q1 is after the plan ends (2027Q1 to 2027Q4)" in text[6, "quarter_bought"]
    assert "retire in 2026Q1, before the plan starts (2027Q1)" in text[7, "quarter_bought"]
    assert "cohort 'H100 SXM, us-east, 2025Q3' is listed twice (also on row 4)" in text[8, "chip"]


def test_cloud_only_chip_cannot_be_owned(tmp_path: Path) -> None:
    change = both(append_row("Chips", {"chip": "TPU v5e", "rent_usd_per_chip_hour": 1.2}),
                  owned("TPU v5e"))
    found = problems(mutate(tmp_path, "f.xlsx", change))
    assert {(p.sheet, p.row, p.column) for p in found} == {("Fleet", 2, "chip")}
    assert any("cloud-only: it can be rented, not owned" in p.message for p in found)


def test_owned_chip_needs_a_power_figure(tmp_path: Path) -> None:
    change = both(append_row("Chips", {"chip": "Ascend 910C", "rent_usd_per_chip_hour": 1}),
                  owned("Ascend 910C"))
    (p,) = problems(mutate(tmp_path, "f.xlsx", change))
    assert (p.sheet, p.row, p.column) == ("Fleet", 2, "chip")
    assert "no power figure: fill power_kw_per_chip" in p.message


def test_lifetime_comes_from_the_chips_sheet(tmp_path: Path) -> None:
    """Bought 2023Q1: a 4-year life ends at the plan's start, a 5-year one does not."""
    assert read(mutate(tmp_path, "a.xlsx", owned(bought="2023Q1"))).existing
    change = both(set_cell("Chips", 2, "lifetime_years", 4), owned(bought="2023Q1"))
    (p,) = problems(mutate(tmp_path, "b.xlsx", change))
    assert "lifetime of 4 years (Chips sheet)" in p.message


def test_owned_chips_beyond_the_power_cap_are_a_problem(tmp_path: Path) -> None:
    """600 H100 x 1.275 kW x PUE 1.3 = 995 kW fits 1000 kW; 700 do not, ever (the first
    anniversary at which any could be sold is after the plan)."""
    change = both(set_cell("Chips", 2, "power_kw_per_chip", 1.275), owned(quantity=600,
                                                                           bought="2027Q1"))
    assert read(mutate(tmp_path, "ok.xlsx", change)).existing[0].quantity == 600
    change = both(set_cell("Chips", 2, "power_kw_per_chip", 1.275),
                  owned(quantity=300, bought="2027Q1"), owned(quantity=400, bought="2027Q2"))
    (p,) = problems(mutate(tmp_path, "big.xlsx", change))
    assert (p.sheet, p.row, p.column) == ("Fleet", 2, "quantity")
    assert "(rows 2, 3) need 1,160 kW of facility power in 2027Q2" in p.message
    assert "more than the 1,000 kW the site can have then" in p.message


def test_power_check_counts_expansions_site_power_and_sales(tmp_path: Path) -> None:
    big = both(set_cell("Chips", 2, "power_kw_per_chip", 1.275), owned(quantity=700))
    expansion = append_row("Expansions", {"site": "us-east", "expansion": "x", "extra_kw": 200,
                                          "cost_usd": 1e6})
    assert read(mutate(tmp_path, "x.xlsx", both(big, expansion))).existing
    # Bought 2025Q3: the 2027Q3 anniversary lets chips be sold, but not before.
    cut = append_row("SitePower", {"site": "us-east", "quarter": "2027Q4", "power_cap_kw": 0})
    assert read(mutate(tmp_path, "s.xlsx", both(owned(quantity=64), cut))).existing
    change = both(owned(quantity=64), cut, set_setting("allow_early_retirement", "no"))
    (p,) = problems(mutate(tmp_path, "n.xlsx", change))
    assert "(row 2) need 79 kW of facility power in 2027Q4" in p.message  # 64 x 0.945 x 1.3
    assert "0 kW the site can have then" in p.message


def test_owned_chips_beyond_max_chips_are_a_problem(tmp_path: Path) -> None:
    change = both(set_cell("Sites", 2, "max_chips", 32), owned(quantity=64, bought="2027Q1"))
    (p,) = problems(mutate(tmp_path, "m.xlsx", change))
    assert (p.sheet, p.row, p.column) == ("Fleet", 2, "quantity")
    assert "are 64 chips in 2027Q1, more than the site's max_chips 32" in p.message


def test_a_bad_chips_or_sites_row_is_reported_once(tmp_path: Path) -> None:
    """Fleet, SitePower and Expansions rows naming a chip or site whose own row has a
    problem add no 'unknown' problem of their own."""
    change = both(set_cell("Chips", 2, "purchase_usd_per_chip", "abc"),
                  set_cell("Sites", 2, "power_cap_kw", -5), owned("h100-sxm"),
                  append_row("SitePower", {"site": "us-east", "quarter": "2027Q2",
                                           "power_cap_kw": 5}),
                  append_row("Expansions", {"site": "us-east", "expansion": "x",
                                            "extra_kw": 100, "cost_usd": 1}))
    found = problems(mutate(tmp_path, "b.xlsx", change))
    assert {(p.sheet, p.row, p.column) for p in found} == {
        ("Chips", 2, "purchase_usd_per_chip"), ("Sites", 2, "power_cap_kw")}
