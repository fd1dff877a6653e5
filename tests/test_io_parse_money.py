"""The APIs and Budgets sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import append_row, both, catalogs, mutate, problems, read, set_cell, set_setting

from planner.domain import InputError
from planner.io.reader import read_workbook


def api(name: object, model: object = "llama-3.1-8b", price: object = 0.6, cap: object = None):
    return append_row("APIs", {"offering": name, "model": model, "usd_per_million_tokens": price,
                               "max_tokens_per_day": cap})


def budget(year: object, capex: object = None, opex: object = None):
    return append_row("Budgets", {"year": year, "capex_usd": capex, "opex_usd": opex})


def test_apis_round_trip_with_canonical_models(tmp_path: Path) -> None:
    change = both(api("groq-70b", "Llama 3.1 70B", 0.79, 2e9), api("cerebras-8b", price="0.1"))
    groq, cerebras = read(mutate(tmp_path, "a.xlsx", change)).apis
    assert (groq.name, groq.model, groq.usd_per_million_tokens, groq.max_tokens_per_day) == \
        ("groq-70b", "llama-3.1-70b", 0.79, 2e9)
    assert (cerebras.model, cerebras.usd_per_million_tokens, cerebras.max_tokens_per_day) == \
        ("llama-3.1-8b", 0.1, None)


def test_api_may_serve_a_model_of_the_models_sheet(tmp_path: Path) -> None:
    model = append_row("Models", {"model": "acme-13b", "params_b": 13, "layers": 40,
                                  "hidden_size": 5120, "attention_heads": 40})
    plan = read(mutate(tmp_path, "m.xlsx", both(model, api("x", "ACME 13B"))))
    assert plan.apis[0].model == "acme-13b"


def test_api_problems_are_each_named(tmp_path: Path) -> None:
    change = both(api("a", "llama-3.1-8c"), api("b", price=0), api("c", cap=-5), api("A"),
                  api(None))
    found = problems(mutate(tmp_path, "a.xlsx", change))
    text = {(p.row, p.column): p.message for p in found}
    assert set(text) == {(2, "model"), (3, "usd_per_million_tokens"),
                         (4, "max_tokens_per_day"), (5, "offering"), (6, "offering")}
    assert "unknown model 'llama-3.1-8c' (closest: llama-3.1-8b" in text[2, "model"]
    assert "a number > 0, got 0" in text[3, "usd_per_million_tokens"]
    assert "offering 'A' is listed twice (also on row 2)" in text[5, "offering"]
    assert "is empty" in text[6, "offering"]


def test_budgets_round_trip(tmp_path: Path) -> None:
    (b,) = read(mutate(tmp_path, "b.xlsx", budget("2027", 8e6, "1500000"))).budgets
    assert (b.year, b.capex_usd, b.opex_usd) == (2027, 8e6, 1.5e6)
    assert isinstance(b.year, int)
    (b,) = read(mutate(tmp_path, "c.xlsx", budget(2027.0, capex=5e6))).budgets
    assert (b.year, b.capex_usd, b.opex_usd) == (2027, 5e6, None)


def test_budget_problems_are_each_named(tmp_path: Path) -> None:
    change = both(budget(2027.5, 1e6), budget("FY27", 1e6), budget(2027, 1e6),
                  budget(2027, opex=1e6), budget(2028, 1e6), budget(2027, None, None),
                  budget(2026, -1))
    found = problems(mutate(tmp_path, "b.xlsx", change))
    text = {(p.row, p.column): p.message for p in found}
    assert set(text) == {(2, "year"), (3, "year"), (5, "year"), (6, "year"), (7, "capex_usd"),
                         (7, "year"), (8, "capex_usd"), (8, "year")}
    assert text[2, "year"] == "expected a year like 2027, got 2027.5"
    assert "got 'FY27'" in text[3, "year"]
    assert "year '2027' is listed twice (also on row 4)" in text[5, "year"]
    assert "2028 is not a year of the plan (2027)" in text[6, "year"]
    assert "capex_usd, opex_usd, tax_rate and bonus_depreciation_share are all blank" in \
        text[7, "capex_usd"]
    assert "a number >= 0, got -1" in text[8, "capex_usd"]


def test_budget_years_follow_the_plan(tmp_path: Path) -> None:
    """Eight quarters reach 2028 (the Demand rows are then short, and only they)."""
    change = both(set_setting("quarters", 8), budget(2028, 1e6))
    found = problems(mutate(tmp_path, "y.xlsx", change))
    assert {p.sheet for p in found} == {"Demand"}


def test_tax_settings_budget_years_and_financing_round_trip(tmp_path: Path) -> None:
    """After-tax inputs (issue 21) written to a workbook and read back: a tax rate, a
    custom schedule as percentages, a 100% bonus share, a Budgets row holding only a
    year's tax rate, and a chip's financing offer."""
    change = both(set_setting("tax_rate", "25%"),
                  set_setting("depreciation_schedule", "50%, 30%, 20%"),
                  set_setting("bonus_depreciation_share", 1),
                  append_row("Budgets", {"year": 2027, "tax_rate": 0.3,
                                         "bonus_depreciation_share": 0.6}),
                  set_cell("Chips", 2, "financed_share", "80%"),
                  set_cell("Chips", 2, "loan_rate_per_year", 0.07),
                  set_cell("Chips", 2, "loan_term_years", 2),
                  set_cell("Chips", 2, "loan_repayment", "Linear"))
    plan = read(mutate(tmp_path, "t.xlsx", change))
    s = plan.settings
    assert (s.tax_rate, s.depreciation_schedule, s.bonus_depreciation_share) == \
        (0.25, (0.5, 0.3, 0.2), 1.0)
    assert [(b.year, b.capex_usd, b.tax_rate, b.bonus_depreciation_share)
            for b in plan.budgets] == [(2027, None, 0.3, 0.6)]
    chip = plan.chips[0]
    assert (chip.financed_share, chip.loan_rate_per_year, chip.loan_term_years,
            chip.loan_repayment) == (0.8, 0.07, 2.0, "linear")


def test_tax_input_problems_are_named(tmp_path: Path) -> None:
    """A schedule that does not add up to 1 and a tax rate of 100% are problems naming
    the setting."""
    change = both(set_setting("tax_rate", 1), set_setting("depreciation_schedule", "50%, 30%"))
    text = " ".join(p.message for p in problems(mutate(tmp_path, "p.xlsx", change)))
    assert "tax_rate: expected a fraction in [0, 1)" in text
    assert "they add up to 0.8" in text


def offer_row(name: object, catalog: object, **cells):
    return append_row("APIs", {"offering": name, "catalog_offer": catalog, **cells})


def read_with_offers(path: Path):
    from planner.perf.token_offers import load_token_offers

    return read_workbook(path, *catalogs(), token_offers=load_token_offers())


def test_an_apis_row_naming_a_catalog_offer_takes_its_model_prices_and_speed(tmp_path):
    """cerebras/llama3.1-70b: $0.60 in / $0.60 out, 450 output tokens/s per user; the
    second row overrides the output price and the speed, the third sets one flat price."""
    change = both(offer_row("cb", "Cerebras/llama3.1-70b"),
                  offer_row("groq", "groqcloud/llama-3.1-70b-versatile",
                            usd_per_million_output_tokens=0.5, output_tokens_per_s_per_user=300),
                  offer_row("flat", "groqcloud/llama-3.1-8b-instant", usd_per_million_tokens=0.07))
    cb, groq, flat = read_with_offers(mutate(tmp_path, "o.xlsx", change)).apis
    assert (cb.model, cb.usd_per_million_input_tokens, cb.usd_per_million_output_tokens,
            cb.output_tokens_per_s_per_user, cb.catalog_offer) == \
        ("llama-3.1-70b", 0.6, 0.6, 450, "cerebras/llama3.1-70b")
    assert (groq.usd_per_million_input_tokens, groq.usd_per_million_output_tokens,
            groq.output_tokens_per_s_per_user) == (0.59, 0.5, 300)
    # 300 prompt / 100 output tokens: (0.59 x 300 + 0.5 x 100) / 400 = 0.5675
    assert groq.usd_per_million_tokens_for(300, 100) == pytest.approx(0.5675)
    assert (flat.model, flat.usd_per_million_tokens, flat.usd_per_million_input_tokens) == \
        ("llama-3.1-8b", 0.07, None)
    assert flat.usd_per_million_tokens_for(300, 100) == 0.07


def test_catalog_offer_problems_are_named(tmp_path):
    """An unknown offer, a model that is not the offer's, an offer with no published
    price and no price on the row, and a flat price given beside input/output prices."""
    change = both(offer_row("a", "cerebras/llama9"),
                  offer_row("b", "cerebras/llama3.1-70b", model="llama-3.1-8b"),
                  offer_row("c", "sambanova/Meta-Llama-3.1-70B-Instruct"),
                  offer_row("d", None, model="llama-3.1-8b", usd_per_million_tokens=1,
                            usd_per_million_input_tokens=1))
    with pytest.raises(InputError) as info:
        read_with_offers(mutate(tmp_path, "p.xlsx", change))
    text = {(p.row, p.column): p.message for p in info.value.problems}
    assert "unknown catalog offer 'cerebras/llama9'" in text[2, "catalog_offer"]
    assert "is not the model catalog offer cerebras/llama3.1-70b serves" in text[3, "model"]
    assert "no price" in text[4, "usd_per_million_tokens"]
    assert "not found" in text[4, "usd_per_million_tokens"]
    assert "not both" in text[5, "usd_per_million_tokens"]
