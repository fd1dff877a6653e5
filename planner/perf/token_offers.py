"""The catalog of token-sold offers (``planner/data/token_offers.csv``); see
:mod:`planner.domain.offers` and docs/perf.md, "Token-sold offers"."""

from __future__ import annotations

import csv
from functools import lru_cache

from planner.domain.offers import TokenOffer
from planner.perf.catalog import DATA_DIR


def _num(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _offer(row: dict[str, str]) -> TokenOffer:
    return TokenOffer(
        name=row["offer"], provider=row["provider"], chip=row["chip"], model=row["model"],
        provider_model_id=row["provider_model_id"],
        usd_per_million_input_tokens=_num(row["usd_per_million_input_tokens"]),
        usd_per_million_output_tokens=_num(row["usd_per_million_output_tokens"]),
        price_date=row["price_date"], price_source=row["price_source"],
        output_tokens_per_s_per_user=_num(row["output_tokens_per_s_per_user"]),
        speed_date=row["speed_date"], speed_source=row["speed_source"],
        limits=row["limits"], limits_tokens_per_day=_num(row["limits_tokens_per_day"]),
        limits_date=row["limits_date"], limits_source=row["limits_source"], note=row["note"])


@lru_cache(maxsize=1)
def _offers() -> tuple[TokenOffer, ...]:
    with open(DATA_DIR / "token_offers.csv", newline="", encoding="utf-8") as f:
        return tuple(_offer(r) for r in csv.DictReader(f))


def load_token_offers() -> dict[str, TokenOffer]:
    """Every catalog token offer, keyed by its name (a new dict on each call)."""
    return {o.name: o for o in _offers()}


def offers_for_model(model: str) -> list[TokenOffer]:
    """The catalog offers serving ``model`` (a canonical catalog model name)."""
    return [o for o in _offers() if o.model == model]


def offers_on_chip(chip: str) -> list[TokenOffer]:
    """The catalog offers sold from ``chip`` (a canonical catalog chip name)."""
    return [o for o in _offers() if o.chip == chip]


def offer_row(o: TokenOffer, prompt_tokens: float, output_tokens: float,
              tpot_ms: float | None) -> dict:
    """One offer as plain data at a request shape: published prices, their mix at the
    shape (USD per million prompt+output tokens), per-user speed (output tokens/s) and
    whether it meets ``tpot_ms`` (``None``: no published speed), each with its date."""
    return {"offer": o.name, "provider": o.provider, "chip": o.chip, "model": o.model,
            "provider_model_id": o.provider_model_id,
            "usd_per_million_input_tokens": o.usd_per_million_input_tokens,
            "usd_per_million_output_tokens": o.usd_per_million_output_tokens,
            "usd_per_million_prompt_output_tokens": o.usd_per_million_tokens_for(
                prompt_tokens, output_tokens),
            "prompt_tokens": prompt_tokens, "output_tokens": output_tokens,
            "price_date": o.price_date, "price_source": o.price_source,
            "output_tokens_per_s_per_user": o.output_tokens_per_s_per_user,
            "speed_date": o.speed_date, "speed_source": o.speed_source,
            "tpot_ms": tpot_ms, "meets_tpot": o.meets_tpot(tpot_ms),
            "limits": o.limits, "limits_tokens_per_day": o.limits_tokens_per_day,
            "limits_date": o.limits_date, "limits_source": o.limits_source, "note": o.note}
