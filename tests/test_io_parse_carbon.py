"""The Carbon sheet, the carbon columns of Chips and APIs, and the carbon Settings rows
(issue 20): read into per-quarter tuples and (year, value) pairs, bad cells named."""

from __future__ import annotations

import pytest
from workbooks import append_row, both, mutate, problems, read, set_cell, set_setting


def carbon_row(**values):
    return append_row("Carbon", {"site": "us-east", **values})


def test_a_blank_quarter_row_covers_every_quarter_and_a_quarter_row_overrides_it(tmp_path):
    """400 g/kWh for the plan, 300 in 2027Q3; a 25% clean share gives market 300 (225)."""
    path = mutate(tmp_path, "c.xlsx", both(
        carbon_row(grid_gco2e_per_kwh=400, clean_energy_share=0.25),
        carbon_row(quarter="2027Q3", grid_gco2e_per_kwh=300, market_gco2e_per_kwh=10),
        set_cell("Chips", 2, "embodied_kgco2e_per_chip", 318),
        set_cell("Chips", 3, "rent_kgco2e_per_chip_hour", 0.2),
        set_setting("carbon_price_usd_per_tco2e", "2027: 50; 2028: 80"),
        set_setting("emissions_cap_tco2e", 1000)))
    inp = read(path)
    site = inp.sites[0]
    assert site.grid_gco2e_per_kwh_by_quarter == (400, 400, 300, 400)
    assert site.market_gco2e_per_kwh_by_quarter == (300, 300, 10, 300)
    assert inp.chips[0].embodied_kgco2e_per_chip == 318
    assert inp.chips[1].rent_kgco2e_per_chip_hour == 0.2
    assert inp.settings.carbon_price_usd_per_tco2e == ((2027, 50.0), (2028, 80.0))
    assert inp.settings.emissions_cap_tco2e == ((0, 1000.0),)


def test_no_carbon_input_leaves_everything_none(tmp_path):
    inp = read(mutate(tmp_path, "plain.xlsx", lambda wb: None))
    assert inp.sites[0].grid_gco2e_per_kwh_by_quarter is None
    assert inp.settings.carbon_price_usd_per_tco2e == () and inp.settings.emissions_cap_tco2e == ()


@pytest.mark.parametrize(("change", "where", "says"), [
    (carbon_row(grid_gco2e_per_kwh=400, market_gco2e_per_kwh=100, clean_energy_share=0.5),
     ("Carbon", 2, "clean_energy_share"), "not both"),
    (carbon_row(quarter="2027Q2", grid_gco2e_per_kwh=400),
     ("Carbon", None, "site"), "no grid intensity for 2027Q1 and 2 more"),
    (both(carbon_row(grid_gco2e_per_kwh=400), carbon_row(grid_gco2e_per_kwh=300)),
     ("Carbon", 3, "site"), "listed twice"),
    (append_row("Carbon", {"site": "mars", "grid_gco2e_per_kwh": 1}),
     ("Carbon", 2, "site"), "unknown site 'mars'"),
    (carbon_row(grid_gco2e_per_kwh=1e6), ("Carbon", 2, "grid_gco2e_per_kwh"), "at most 10,000"),
    (carbon_row(quarter="2031Q1", grid_gco2e_per_kwh=400), ("Carbon", 2, "quarter"),
     "outside the plan"),
    (set_setting("carbon_price_usd_per_tco2e", 50), ("Settings", None, "value"),
     "Carbon sheet is missing or empty"),
    (set_setting("carbon_price_usd_per_tco2e", "2027 = 50"), ("Settings", None, "value"),
     "or year: number pairs"),
    (set_setting("carbon_price_usd_per_tco2e", "2027: 50, 20x8: 60"), ("Settings", None, "value"),
     "'20x8: 60' is not year: number"),
    (set_setting("emissions_cap_tco2e", "2027: 5, 2027: 6"), ("Settings", None, "value"),
     "2027 is given twice"),
    (set_setting("carbon_price_usd_per_tco2e", "2027: 1e9"), ("Settings", None, "value"),
     "at most 100,000"),
    (set_cell("APIs", 2, "gco2e_per_million_tokens", -1), ("APIs", 2, "gco2e_per_million_tokens"),
     "a number >= 0"),
    (append_row("Scenarios", {"scenario": "tight", "parameter": "emissions_cap",
                              "operation": "multiply", "value": 0.5}),
     ("Scenarios", 2, "operation"), "sets no emissions_cap_tco2e to multiply"),
])
def test_bad_carbon_input_names_sheet_row_and_column(tmp_path, change, where, says):
    if where[0] == "APIs":
        change = both(append_row("APIs", {"offering": "x", "model": "llama-3.1-8b",
                                          "usd_per_million_tokens": 0.2}), change)
    found = problems(mutate(tmp_path, "bad.xlsx", change))
    hits = [p for p in found if (p.sheet, p.column) == (where[0], where[2])
            and (where[1] is None or p.row == where[1] or where[0] == "Settings")]
    assert hits and says in hits[0].message, found
