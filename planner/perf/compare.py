"""Side-by-side economics of chips serving one model: the plan's Throughput sheet rows."""

from __future__ import annotations

from planner.domain import units
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.domain.inputs import HOURS_PER_QUARTER
from planner.perf.inference import estimate_throughput
from planner.perf.token_offers import offers_on_chip

HOURS_PER_YEAR = HOURS_PER_QUARTER * 4
#: Catalog comparisons' defaults where no workbook gives them: market.md Depreciation
#: ('Default: 5 years straight-line') and market.md Power and facility ('electricity
#: $0.08/kWh US industrial').
DEFAULT_LIFETIME_YEARS = 5.0
DEFAULT_ELECTRICITY = 0.08
OUTPUT_TPS = units.tokens_per_s_column(units.OUTPUT_ONLY, "chip")

_SALE_NOTES = {
    "api-only": "sold as API tokens only, not as hardware",
    "internal": "built for its maker's own use: not for sale",
    "edge-device": "an edge device, not a data-centre part",
    "cloud-only": "rent only (one cloud)",
}


def plannable_hint(chip: ChipSpec) -> str:
    """What makes a chip the core does not model plannable ('' for a modelled chip):
    a measured throughput (Measured sheet) and a price (Chips sheet), and the catalog
    token offers selling its output, if any."""
    if chip.modelable:
        return ""
    tokens = offers_on_chip(chip.name)
    sold = f"; or buy its tokens ({len(tokens)} catalog token offers)" if tokens else ""
    if chip.purchasable in ("api-only", "internal", "edge-device"):
        return (f"not sold as hardware: plannable only as a new workbook chip with a quoted "
                f"price and a Measured row{sold}")
    return f"plannable with a Measured row (tokens/s per chip) and a system price{sold}"


def it_power_kw(chip: ChipSpec, server_power_overhead: float) -> float | None:
    """IT power per chip including its share of the server, kW (None if TDP unknown)."""
    return chip.tdp_w * server_power_overhead / 1000.0 if chip.tdp_w else None


def owned_usd_per_hour(chip: ChipSpec, lifetime_years: float, power_kw: float | None, pue: float,
                       electricity_usd_per_kwh: float,
                       power_draw_fraction: float = 1.0) -> float | None:
    """Straight-line purchase amortisation plus facility electricity (rated IT power x the
    share of it drawn on average x PUE x price, as the optimizer charges it), per
    chip-hour."""
    if chip.purchase_usd_approx is None or lifetime_years <= 0:
        return None
    energy = (power_kw or 0.0) * power_draw_fraction * pue * electricity_usd_per_kwh
    return chip.purchase_usd_approx / (lifetime_years * HOURS_PER_YEAR) + energy


def _ratio(value: float, per: float | None, scale: float = 1.0) -> float | None:
    return value / (per / scale) if per and value > 0 else None


def unit_figures(tps_output: float, prompt_tokens: float, output_tokens: float, *,
                 kw: float | None, purchase_usd: float | None, rent_usd_per_hour: float | None,
                 owned_usd_per_hour: float | None, utilisation: float) -> dict:
    """Tokens/s per chip, per kW and per k$, and $ per million tokens rented and owned, in
    both token bases (:mod:`planner.domain.units`), keyed by their unit's column name."""
    out: dict = {}
    for basis in units.BASES:
        tps = units.tokens_per_s(tps_output, basis, prompt_tokens, output_tokens) \
            if tps_output > 0 else 0.0
        out[units.tokens_per_s_column(basis, "chip")] = tps
        out[units.tokens_per_s_column(basis, "kw")] = _ratio(tps, kw)
        out[units.tokens_per_s_column(basis, "kusd_purchase")] = _ratio(tps, purchase_usd, 1000.0)
        out[units.usd_per_mtok_column(basis, "rented")] = units.usd_per_mtok_hourly(
            rent_usd_per_hour, tps, utilisation)
        out[units.usd_per_mtok_column(basis, "owned")] = units.usd_per_mtok_hourly(
            owned_usd_per_hour, tps, utilisation)
    return out


def compare_row(chip: ChipSpec, model: ModelSpec, precision: str, prompt_tokens: float,
                output_tokens: float, ttft_ms: float | None, tpot_ms: float | None, *,
                lifetime_years: float, server_power_overhead: float, pue: float,
                electricity_usd_per_kwh: float, utilisation: float,
                estimate_kwargs: dict | None = None, power_draw_fraction: float = 1.0) -> dict:
    est = estimate_throughput(chip, model, precision, prompt_tokens, output_tokens, ttft_ms, tpot_ms,
                              **(estimate_kwargs or {}))
    tps = est.output_tokens_per_s_per_chip if est.feasible else 0.0
    kw = it_power_kw(chip, server_power_overhead)
    owned = owned_usd_per_hour(chip, lifetime_years, kw, pue, electricity_usd_per_kwh,
                               power_draw_fraction)
    notes = [n for n in (plannable_hint(chip), est.reason, _SALE_NOTES.get(chip.purchasable, ""))
             if n]
    return {
        "chip": chip.name,
        "vendor": chip.vendor,
        "purchasable": chip.purchasable,
        "feasible": est.feasible,
        "precision_used": est.precision_used,
        "prompt_tokens": prompt_tokens,
        "output_tokens": output_tokens,
        "chips_per_replica": est.chips_per_replica,
        "tensor_parallel": est.tensor_parallel,
        "pipeline_parallel": est.pipeline_parallel,
        "data_parallel": est.data_parallel,
        "batch_size": est.batch_size,
        "ttft_ms": est.ttft_ms if est.feasible else None,
        "tpot_ms": est.tpot_ms if est.feasible else None,
        "bound": est.bound,
        "it_power_kw_per_chip": kw,
        "purchase_usd_per_chip": chip.purchase_usd_approx,
        "rent_usd_per_chip_hour": chip.rent_usd_per_hour_approx,
        "owned_usd_per_chip_hour": owned,
        "utilisation": utilisation,
        **unit_figures(tps, prompt_tokens, output_tokens, kw=kw,
                       purchase_usd=chip.purchase_usd_approx,
                       rent_usd_per_hour=chip.rent_usd_per_hour_approx,
                       owned_usd_per_hour=owned, utilisation=utilisation),
        "confidence": chip.confidence,
        "note": "; ".join(notes),
    }


def _sort_key(row: dict) -> tuple:
    return (not row["feasible"], -row[OUTPUT_TPS], row["chip"])


def compare_chips(model: ModelSpec, chips: dict[str, ChipSpec], precision: str, prompt_tokens: float,
                  output_tokens: float, ttft_ms: float | None = None, tpot_ms: float | None = None, *,
                  lifetime_years: float = DEFAULT_LIFETIME_YEARS, server_power_overhead: float = 1.35,
                  pue: float = 1.3, electricity_usd_per_kwh: float = DEFAULT_ELECTRICITY,
                  utilisation: float = 1.0, estimate_kwargs: dict | None = None,
                  power_draw_fraction: float = 1.0) -> list[dict]:
    """One row per chip: tokens/s per chip, per kW, per k$ and $ per million tokens, each
    in both token bases (prompt+output and output only; :mod:`planner.domain.units`).

    Rented cost is the hourly rent over the tokens made in that hour; owned cost is the
    purchase spread straight-line over ``lifetime_years`` plus IT power (TDP x
    ``server_power_overhead``) x ``power_draw_fraction`` x ``pue`` x electricity.  Both
    divide by ``utilisation``.  Rows are ordered by throughput per chip, chips that cannot
    serve the model last.  ``estimate_kwargs`` go to :func:`estimate_throughput`
    (speculation, replica cap).
    """
    rows = [compare_row(chip, model, precision, prompt_tokens, output_tokens, ttft_ms, tpot_ms,
                        lifetime_years=lifetime_years, server_power_overhead=server_power_overhead,
                        pue=pue, electricity_usd_per_kwh=electricity_usd_per_kwh,
                        utilisation=utilisation, estimate_kwargs=estimate_kwargs,
                        power_draw_fraction=power_draw_fraction)
            for chip in chips.values()]
    return sorted(rows, key=_sort_key)
