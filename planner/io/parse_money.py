"""The APIs and Budgets sheets: tokens bought by the million, and yearly spending limits."""

from __future__ import annotations

from collections.abc import Mapping

from planner.domain.errors import Problem
from planner.domain.hardware import ModelSpec
from planner.domain.inputs import ApiOffer, Budget, Settings
from planner.io.parse_hardware import MODEL_HINT, resolve
from planner.io.sheets import Table, is_duplicate, rows


def parse_apis(table: Table | None, models: Mapping[str, ModelSpec],
               problems: list[Problem]) -> list[ApiOffer]:
    """API offerings, their models resolved to canonical names; names are unique."""
    offers: list[ApiOffer] = []
    seen: dict[object, int] = {}
    for reader in rows(table, problems):
        name = reader.get("offering")
        model = resolve(reader, "model", "model", models, MODEL_HINT)
        price = reader.get("usd_per_million_tokens")
        cap = reader.get("max_tokens_per_day")
        carbon = reader.get("gco2e_per_million_tokens")
        if name is None or is_duplicate(reader, "offering", "offering", name, seen):
            continue
        if reader.ok:
            offers.append(ApiOffer(str(name), model, float(price),  # type: ignore[arg-type]
                                   None if cap is None else float(cap),  # type: ignore[arg-type]
                                   None if carbon is None else float(carbon)))  # type: ignore[arg-type]
    return offers


_BUDGET_VALUES = ("capex_usd", "opex_usd", "tax_rate", "bonus_depreciation_share")


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _years(settings: Settings | None) -> list[int] | None:
    if settings is None:
        return None
    return sorted({q.year for q in settings.periods})


def parse_budgets(table: Table | None, settings: Settings | None,
                  problems: list[Problem]) -> list[Budget]:
    """One Budget per calendar year of the plan; a row must limit spending or give the
    year's tax rate or bonus share."""
    years = _years(settings)
    budgets: list[Budget] = []
    seen: dict[object, int] = {}
    for reader in rows(table, problems):
        year = reader.get("year")
        capex, opex = reader.get("capex_usd"), reader.get("opex_usd")
        tax, bonus = reader.get("tax_rate"), reader.get("bonus_depreciation_share")
        if not any(reader.has(c) for c in _BUDGET_VALUES):
            reader.problem("capex_usd", "capex_usd, opex_usd, tax_rate and "
                                        "bonus_depreciation_share are all blank: fill at least "
                                        "one, or delete the row")
        if year is None or is_duplicate(reader, "year", "year", year, seen, year):
            continue
        if years is not None and year not in years:
            reader.problem("year", f"{year} is not a year of the plan "
                                   f"({', '.join(str(y) for y in years)})")
        if reader.ok:
            budgets.append(Budget(year, _float(capex), _float(opex), _float(tax), _float(bonus)))
    return budgets
