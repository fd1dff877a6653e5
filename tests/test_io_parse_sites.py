"""Sites, SitePower and Expansions sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import (
    append_row,
    both,
    mutate,
    problems,
    read,
    set_cell,
    set_setting,
    where,
)

from planner.domain import Quarter


def two_sites(wb) -> None:
    wb["Sites"].append(["eu-west", 800, 0.22, 1.58])


def test_site_pue_and_duplicates(tmp_path: Path) -> None:
    def change(wb) -> None:
        wb["Sites"].append(["US-East", 10, 0.1, 0.5])
    found = problems(mutate(tmp_path, "s.xlsx", change))
    assert {(p.row, p.column) for p in found} == {(3, "site"), (3, "pue")}


def test_site_pue_and_max_chips_are_optional(tmp_path: Path) -> None:
    plan = read(mutate(tmp_path, "s.xlsx", both(set_cell("Sites", 2, "pue", 1.1),
                                                set_cell("Sites", 2, "max_chips", 512))))
    assert (plan.sites[0].pue, plan.sites[0].max_chips) == (1.1, 512)
    assert read(mutate(tmp_path, "b.xlsx", lambda wb: None)).sites[0].max_chips is None


@pytest.mark.parametrize("value", [0, 2.5, "many"])
def test_max_chips_must_be_a_whole_number_above_zero(tmp_path: Path, value: object) -> None:
    (p,) = problems(mutate(tmp_path, "s.xlsx", set_cell("Sites", 2, "max_chips", value)))
    assert (p.sheet, p.row, p.column) == ("Sites", 2, "max_chips")
    assert "whole number >= 1" in p.message


def test_site_power_overrides_become_quarter_tuples(tmp_path: Path) -> None:
    change = both(two_sites,
                  append_row("SitePower", {"site": "US-EAST", "quarter": "2027Q3",
                                           "power_cap_kw": 1500}),
                  append_row("SitePower", {"site": "us-east", "quarter": "2027Q4",
                                           "power_cap_kw": 0, "electricity_usd_per_kwh": 0.1}))
    us, eu = read(mutate(tmp_path, "p.xlsx", change)).sites
    assert us.power_cap_kw_by_quarter == (1000, 1000, 1500, 0)
    assert us.electricity_usd_per_kwh_by_quarter == (0.08, 0.08, 0.08, 0.1)
    assert [us.cap_kw(t) for t in range(4)] == [1000, 1000, 1500, 0]
    assert eu.power_cap_kw_by_quarter is None and eu.electricity_usd_per_kwh_by_quarter is None


def test_site_power_price_only_leaves_the_cap_alone(tmp_path: Path) -> None:
    change = append_row("SitePower", {"site": "us-east", "quarter": "2027Q2",
                                      "electricity_usd_per_kwh": 0.12})
    (us,) = read(mutate(tmp_path, "p.xlsx", change)).sites
    assert us.power_cap_kw_by_quarter is None
    assert us.electricity_usd_per_kwh_by_quarter == (0.08, 0.12, 0.08, 0.08)


def test_site_power_problems_are_each_named(tmp_path: Path) -> None:
    change = both(
        append_row("SitePower", {"site": "us-west", "quarter": "2027Q2", "power_cap_kw": 5}),
        append_row("SitePower", {"site": "us-east", "quarter": "2026Q4", "power_cap_kw": 5}),
        append_row("SitePower", {"site": "us-east", "quarter": "2027Q2", "power_cap_kw": 5}),
        append_row("SitePower", {"site": "us-east", "quarter": "2027Q2",
                                 "electricity_usd_per_kwh": 0.1}),
        append_row("SitePower", {"site": "us-east", "quarter": "2027Q3"}),
        append_row("SitePower", {"site": "us-east", "quarter": "2027Q4", "power_cap_kw": -1}))
    found = problems(mutate(tmp_path, "p.xlsx", change))
    assert where(found) == {("SitePower", 2, "site"), ("SitePower", 3, "quarter"),
                            ("SitePower", 5, "quarter"), ("SitePower", 6, "power_cap_kw"),
                            ("SitePower", 7, "power_cap_kw")}
    text = {p.row: p.message for p in found}
    assert "unknown site 'us-west' (the Sites sheet has us-east)" in text[2]
    assert "2026Q4 is outside the plan (2027Q1 to 2027Q4)" in text[3]
    assert "'us-east, 2027Q2' is listed twice (also on row 4)" in text[5]
    assert "fill at least one" in text[6]
    assert "a number >= 0, got -1" in text[7]


def test_expansions_round_trip(tmp_path: Path) -> None:
    change = both(two_sites,
                  append_row("Expansions", {"site": "EU-West", "expansion": "hall-b",
                                            "extra_kw": 400, "cost_usd": 2e6,
                                            "lead_time_quarters": 2,
                                            "earliest_quarter": "2027Q2"}),
                  append_row("Expansions", {"site": "us-east", "expansion": "hall-b",
                                            "extra_kw": 250, "cost_usd": 0}))
    x, y = read(mutate(tmp_path, "x.xlsx", change)).expansions
    assert (x.site, x.name, x.extra_kw, x.cost_usd, x.lead_time_quarters, x.earliest) == \
        ("eu-west", "hall-b", 400, 2e6, 2, Quarter(2027, 2))
    assert (y.site, y.lead_time_quarters, y.earliest) == ("us-east", 0, None)


def test_expansion_problems_are_each_named(tmp_path: Path) -> None:
    base = {"site": "us-east", "extra_kw": 100, "cost_usd": 1e6}
    change = both(
        append_row("Expansions", {**base, "expansion": "a", "site": "mars"}),
        append_row("Expansions", {**base, "expansion": "b", "extra_kw": -100}),
        append_row("Expansions", {**base, "expansion": "B"}),
        append_row("Expansions", {**base, "expansion": "c", "earliest_quarter": "2028Q1"}),
        append_row("Expansions", {**base, "expansion": "d", "lead_time_quarters": 4}),
        append_row("Expansions", {**base, "expansion": "e", "cost_usd": None}))
    found = problems(mutate(tmp_path, "x.xlsx", change))
    assert where(found) == {("Expansions", 2, "site"), ("Expansions", 3, "extra_kw"),
                            ("Expansions", 4, "expansion"), ("Expansions", 5, "earliest_quarter"),
                            ("Expansions", 6, "lead_time_quarters"), ("Expansions", 7, "cost_usd")}
    text = {p.row: p.message for p in found}
    assert "us-east expansion 'B' is listed twice (also on row 3)" in text[4]
    assert "2028Q1 is after the plan ends" in text[5]
    assert "add power only in 2028Q1, after the plan ends" in text[6]
    assert "is empty" in text[7]


def test_site_sheets_check_quarters_against_a_longer_plan(tmp_path: Path) -> None:
    """With 8 quarters the same rows are inside the plan (Demand is then short)."""
    change = both(set_setting("quarters", 8),
                  append_row("SitePower", {"site": "us-east", "quarter": "2028Q3",
                                           "power_cap_kw": 5}))
    found = problems(mutate(tmp_path, "q.xlsx", change))
    assert {p.sheet for p in found} == {"Demand"}
