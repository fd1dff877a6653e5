"""The APIs and Budgets sheets: tokens bought by the million, and yearly spending limits."""

from __future__ import annotations

from collections.abc import Mapping

from planner.domain.errors import Problem
from planner.domain.hardware import ModelSpec
from planner.domain.inputs import ApiOffer, Budget, Settings
from planner.domain.names import find_by_name
from planner.domain.offers import TokenOffer
from planner.io.parse_hardware import MODEL_HINT, resolve
from planner.io.sheets import RowReader, Table, is_duplicate, rows, unknown_name_message

_PRICES = ("usd_per_million_input_tokens", "usd_per_million_output_tokens")


def _catalog_offer(reader: RowReader, offers: Mapping[str, TokenOffer]) -> TokenOffer | None:
    name = reader.get("catalog_offer")
    if name is None:
        return None
    found = find_by_name(name, offers)
    if found is None:
        reader.problem("catalog_offer", unknown_name_message(
            "catalog offer", str(name), offers, "`planner catalog` lists the token offers"))
    return found


def _api_model(reader: RowReader, models: Mapping[str, ModelSpec],
               offer: TokenOffer | None) -> str | None:
    if not reader.has("model"):
        if offer is None:
            reader.problem("model", "is empty: name the model served, or a catalog_offer")
        elif offer.model not in models:
            reader.problem("catalog_offer", f"serves {offer.model}, which is not a model of "
                                            "the catalog or the Models sheet")
        return offer.model if offer is not None else None
    model = resolve(reader, "model", "model", models, MODEL_HINT)
    if offer is not None and model is not None and model != offer.model:
        reader.problem("model", f"{model} is not the model catalog offer {offer.name} serves "
                                f"({offer.model}): leave it blank or fix catalog_offer")
    return model


def _api_prices(reader: RowReader, offer: TokenOffer | None
                ) -> tuple[float | None, float | None, float | None]:
    """(flat, input, output) USD per million tokens: the row's, else the catalog's."""
    flat = reader.get("usd_per_million_tokens")
    given = [reader.get(c) for c in _PRICES]
    if not reader.ok:  # a price cell is already reported as wrong
        return None, None, None
    if flat is not None:
        if any(g is not None for g in given):
            reader.problem("usd_per_million_tokens", "give one price for all tokens or the "
                                                     "input and output prices, not both")
        return float(flat), None, None  # type: ignore[arg-type]
    catalog = (offer.usd_per_million_input_tokens, offer.usd_per_million_output_tokens) \
        if offer is not None else (None, None)
    p_in, p_out = (g if g is not None else c for g, c in zip(given, catalog))
    if p_in is None or p_out is None:
        why = f" (catalog offer {offer.name}: {offer.price_source})" if offer is not None else ""
        reader.problem("usd_per_million_tokens", "no price: give usd_per_million_tokens, or "
                                                 f"both input and output prices{why}")
        return None, None, None
    return None, float(p_in), float(p_out)  # type: ignore[arg-type]


def _api_offer(reader: RowReader, name: object, models: Mapping[str, ModelSpec],
               offers: Mapping[str, TokenOffer]) -> ApiOffer | None:
    offer = _catalog_offer(reader, offers)
    model = _api_model(reader, models, offer)
    flat, p_in, p_out = _api_prices(reader, offer)
    speed = reader.get("output_tokens_per_s_per_user")
    if speed is None and offer is not None:
        speed = offer.output_tokens_per_s_per_user
    cap = reader.get("max_tokens_per_day")
    carbon = reader.get("gco2e_per_million_tokens")
    if not reader.ok or model is None:
        return None
    price = flat if flat is not None else p_out  # single figure: the dearer token kind
    source = "" if offer is None else (f"catalog {offer.name}: prices {offer.price_date}, "
                                       f"speed {offer.speed_date or 'not published'}")
    return ApiOffer(
        str(name), model, float(price),  # type: ignore[arg-type]
        max_tokens_per_day=None if cap is None else float(cap),  # type: ignore[arg-type]
        gco2e_per_million_tokens=None if carbon is None else float(carbon),  # type: ignore[arg-type]
        usd_per_million_input_tokens=p_in, usd_per_million_output_tokens=p_out,
        output_tokens_per_s_per_user=None if speed is None else float(speed),  # type: ignore[arg-type]
        catalog_offer=offer.name if offer is not None else "", source=source)


def parse_apis(table: Table | None, models: Mapping[str, ModelSpec],
               problems: list[Problem],
               token_offers: Mapping[str, TokenOffer] | None = None) -> list[ApiOffer]:
    """API offerings, their models resolved to canonical names; names are unique.  A row
    naming a catalog token offer takes the offer's model, prices and per-user speed
    unless it gives its own."""
    offers: list[ApiOffer] = []
    seen: dict[object, int] = {}
    for reader in rows(table, problems):
        name = reader.get("offering")
        if name is None or is_duplicate(reader, "offering", "offering", name, seen):
            continue
        api = _api_offer(reader, name, models, token_offers or {})
        if api is not None:
            offers.append(api)
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
