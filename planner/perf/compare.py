"""Side-by-side economics of chips serving one model: the plan's Throughput sheet rows."""

from __future__ import annotations

from planner.domain.hardware import ChipSpec, ModelSpec
from planner.domain.inputs import HOURS_PER_QUARTER
from planner.perf.inference import estimate_throughput

HOURS_PER_YEAR = HOURS_PER_QUARTER * 4

_SALE_NOTES = {
    "api-only": "sold as API tokens only, not as hardware",
    "internal": "built for its maker's own use: not for sale",
    "edge-device": "an edge device, not a data-centre part",
    "cloud-only": "rent only (one cloud)",
}


def _per_million(usd_per_hour: float | None, tokens_per_s: float, utilisation: float) -> float | None:
    if usd_per_hour is None or tokens_per_s <= 0 or utilisation <= 0:
        return None
    return usd_per_hour / (tokens_per_s * 3600.0 * utilisation) * 1e6


def it_power_kw(chip: ChipSpec, server_power_overhead: float) -> float | None:
    """IT power per chip including its share of the server, kW (None if TDP unknown)."""
    return chip.tdp_w * server_power_overhead / 1000.0 if chip.tdp_w else None


def owned_usd_per_hour(chip: ChipSpec, lifetime_years: float, power_kw: float | None, pue: float,
                       electricity_usd_per_kwh: float) -> float | None:
    """Straight-line purchase amortisation plus facility electricity, per chip-hour."""
    if chip.purchase_usd_approx is None or lifetime_years <= 0:
        return None
    energy = (power_kw or 0.0) * pue * electricity_usd_per_kwh
    return chip.purchase_usd_approx / (lifetime_years * HOURS_PER_YEAR) + energy


def _ratio(value: float, per: float | None, scale: float = 1.0) -> float | None:
    return value / (per / scale) if per and value > 0 else None


def compare_row(chip: ChipSpec, model: ModelSpec, precision: str, prompt_tokens: float,
                output_tokens: float, ttft_ms: float | None, tpot_ms: float | None, *,
                lifetime_years: float, server_power_overhead: float, pue: float,
                electricity_usd_per_kwh: float, utilisation: float,
                estimate_kwargs: dict | None = None) -> dict:
    est = estimate_throughput(chip, model, precision, prompt_tokens, output_tokens, ttft_ms, tpot_ms,
                              **(estimate_kwargs or {}))
    tps = est.output_tokens_per_s_per_chip if est.feasible else 0.0
    kw = it_power_kw(chip, server_power_overhead)
    owned = owned_usd_per_hour(chip, lifetime_years, kw, pue, electricity_usd_per_kwh)
    notes = [n for n in (est.reason, _SALE_NOTES.get(chip.purchasable, "")) if n]
    return {
        "chip": chip.name,
        "vendor": chip.vendor,
        "purchasable": chip.purchasable,
        "feasible": est.feasible,
        "precision_used": est.precision_used,
        "output_tokens_per_s_per_chip": tps,
        "chips_per_replica": est.chips_per_replica,
        "tensor_parallel": est.tensor_parallel,
        "pipeline_parallel": est.pipeline_parallel,
        "data_parallel": est.data_parallel,
        "batch_size": est.batch_size,
        "ttft_ms": est.ttft_ms if est.feasible else None,
        "tpot_ms": est.tpot_ms if est.feasible else None,
        "bound": est.bound,
        "it_power_kw_per_chip": kw,
        "tokens_per_s_per_kw": _ratio(tps, kw),
        "tokens_per_s_per_kusd_purchase": _ratio(tps, chip.purchase_usd_approx, 1000.0),
        "purchase_usd_per_chip": chip.purchase_usd_approx,
        "rent_usd_per_chip_hour": chip.rent_usd_per_hour_approx,
        "usd_per_million_tokens_rented": _per_million(chip.rent_usd_per_hour_approx, tps, utilisation),
        "usd_per_million_tokens_owned": _per_million(owned, tps, utilisation),
        "confidence": chip.confidence,
        "note": "; ".join(notes),
    }


def _sort_key(row: dict) -> tuple:
    return (not row["feasible"], -row["output_tokens_per_s_per_chip"], row["chip"])


def compare_chips(model: ModelSpec, chips: dict[str, ChipSpec], precision: str, prompt_tokens: float,
                  output_tokens: float, ttft_ms: float | None = None, tpot_ms: float | None = None, *,
                  lifetime_years: float = 5, server_power_overhead: float = 1.35, pue: float = 1.3,
                  electricity_usd_per_kwh: float = 0.08, utilisation: float = 1.0,
                  estimate_kwargs: dict | None = None) -> list[dict]:
    """One row per chip: tokens/s per chip, per kW, per k$ and $ per million output tokens.

    Rented cost is the hourly rent over the tokens made in that hour; owned cost is the
    purchase spread straight-line over ``lifetime_years`` plus IT power (TDP x
    ``server_power_overhead``) x ``pue`` x electricity.  Both divide by ``utilisation``.
    Rows are ordered by throughput per chip, chips that cannot serve the model last.
    ``estimate_kwargs`` go to :func:`estimate_throughput` (speculation, replica cap).
    """
    rows = [compare_row(chip, model, precision, prompt_tokens, output_tokens, ttft_ms, tpot_ms,
                        lifetime_years=lifetime_years, server_power_overhead=server_power_overhead,
                        pue=pue, electricity_usd_per_kwh=electricity_usd_per_kwh,
                        utilisation=utilisation, estimate_kwargs=estimate_kwargs)
            for chip in chips.values()]
    return sorted(rows, key=_sort_key)
