"""The Chips and Models sheets: names resolved against the catalogs (the Measured sheet
is read by :mod:`planner.io.parse_measured`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path

from planner.domain.errors import PlannerError, Problem
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.domain.inputs import ChipOffer
from planner.domain.names import find_by_name, normalise
from planner.io.hfconfig import load_config
from planner.io.parse_stacks import canonical_stack, stack_names
from planner.io.schema import PEAK_COLUMNS
from planner.io.sheets import (
    RowReader,
    Table,
    require_rows,
    rows,
    suggest,
    unknown_name_message,
)

_SPEC_FIELDS = ("memory_gb", "memory_bw_tbs", "tdp_w", "scaleup_domain_chips",
                "scaleup_gbs_per_chip", "software_stack")
#: Chips-sheet columns that are ChipOffer fields of the same name.
_TERMS = ("purchase_usd_per_chip", "rent_usd_per_chip_hour", "lifetime_years",
          "power_kw_per_chip", "lead_time_quarters", "available_from", "available_until",
          "price_decline_per_quarter", "supply_cap_per_quarter", "resale_decline_per_year",
          "reserved_1y_discount", "reserved_3y_discount", "order_unit_chips",
          "rental_unit_chips", "serving_stack", "software_gain_per_year",
          "embodied_kgco2e_per_chip", "rent_kgco2e_per_chip_hour", "financed_share",
          "loan_rate_per_year", "loan_term_years", "loan_repayment")
_NOT_PROCURABLE = {
    "api-only": "sold as tokens through an API, not as hardware",
    "internal": "built by a company for its own use, not for sale",
    "edge-device": "an edge device, not a data-centre part",
}
_NEW_CHIP_HINT = ("to define a new chip fill memory_gb, memory_bw_tbs, tdp_w and at least "
                  "one *_tflops column")


def _filled(reader: RowReader, names: tuple[str, ...] | list[str]) -> dict[str, object]:
    """Parsed values of the filled cells among ``names`` (bad cells are left out)."""
    values = {n: reader.get(n) for n in names if reader.has(n)}
    return {n: v for n, v in values.items() if v is not None}


def _apply_spec(spec: ChipSpec, values: Mapping[str, object]) -> ChipSpec:
    """``spec`` with the workbook's filled spec columns applied."""
    peaks = {PEAK_COLUMNS[c]: float(v) for c, v in values.items() if c in PEAK_COLUMNS}  # type: ignore[arg-type]
    changes: dict[str, object] = {f: values[f] for f in _SPEC_FIELDS if f in values}
    if peaks:
        changes["peak_tflops"] = {**spec.peak_tflops, **peaks}
    return dataclasses.replace(spec, **changes) if changes else spec


def _new_chip(reader: RowReader, name: str, values: Mapping[str, object],
              catalog: Mapping[str, ChipSpec]) -> ChipSpec | None:
    """A ChipSpec for a chip the catalog lacks, or None with problems naming what is missing.

    Filling any spec column (not just power_kw_per_chip) says a new chip is meant; with
    none filled the name is taken for a misspelt catalog chip.
    """
    if not (set(PEAK_COLUMNS) | set(_SPEC_FIELDS)) & set(values):
        reader.problem("chip", unknown_name_message("chip", name, catalog, _NEW_CHIP_HINT))
        return None
    close = suggest(name, catalog)
    unknown = f"'{name}' is not in the chip catalog" + (
        f" (closest: {', '.join(close)})" if close else "")
    missing = [c for c in ("memory_gb", "memory_bw_tbs") if c not in values]
    if "tdp_w" not in values and "power_kw_per_chip" not in values:
        missing.append("tdp_w")
    for col in missing:
        reader.problem(col, f"{unknown}, so {col} is needed")
    if not set(PEAK_COLUMNS) & set(values):
        reader.problem("bf16_tflops", f"{unknown}, so at least one of "
                                      f"{', '.join(PEAK_COLUMNS)} is needed")
    if not reader.ok:
        return None
    return _apply_spec(ChipSpec(name=name, sources="input workbook"), values)


def _check_offer(reader: RowReader, spec: ChipSpec, purchase: object, rent: object,
                 power: object, owned: bool) -> None:
    """Problems with how the chip may be procured."""
    if spec.purchasable in _NOT_PROCURABLE:
        reader.problem("chip", f"{spec.name} is {spec.purchasable}: not procurable "
                               f"({_NOT_PROCURABLE[spec.purchasable]}); remove this row")
    elif spec.purchasable == "cloud-only" and purchase is not None:
        reader.problem("purchase_usd_per_chip", f"{spec.name} is cloud-only: can only be "
                                                f"rented, leave the purchase price blank")
    if purchase is None and rent is None and reader.ok and not owned:
        reader.problem("purchase_usd_per_chip", "both purchase_usd_per_chip and "
                       "rent_usd_per_chip_hour are blank: fill at least one (or list "
                       "chips already owned on the Fleet sheet)")
    buyable = spec.purchasable not in _NOT_PROCURABLE and spec.purchasable != "cloud-only"
    if buyable and purchase is not None and spec.tdp_w is None and power is None:
        reader.problem("power_kw_per_chip", f"{spec.name} has no published TDP: fill "
                                            f"power_kw_per_chip or tdp_w to buy it")


def _check_terms(reader: RowReader, terms: Mapping[str, object]) -> None:
    """Terms that need a price they qualify, and an availability window in order."""
    if terms["rent_usd_per_chip_hour"] is None and not reader.has("rent_usd_per_chip_hour"):
        for col in ("reserved_1y_discount", "reserved_3y_discount"):
            if terms[col] is not None:
                reader.problem(col, "a reservation discount needs rent_usd_per_chip_hour: "
                                    "fill the rent price or leave the discount blank")
    if terms["purchase_usd_per_chip"] is None and not reader.has("purchase_usd_per_chip"):
        if terms["supply_cap_per_quarter"] is not None:
            reader.problem("supply_cap_per_quarter", "a supply cap limits purchases, but "
                           "purchase_usd_per_chip is blank: fill it or leave the cap blank")
        if terms["financed_share"]:
            reader.problem("financed_share", "financing applies to a purchase, but "
                           "purchase_usd_per_chip is blank: fill it or leave the share blank")
        if terms["price_decline_per_quarter"]:
            reader.problem("price_decline_per_quarter", "a price decline applies to the "
                           "purchase price, but purchase_usd_per_chip is blank")
    start, end = terms["available_from"], terms["available_until"]
    if start is not None and end is not None and end < start:  # type: ignore[operator]
        reader.problem("available_until", f"{end} is before available_from {start}")


def _chip_row(reader: RowReader, catalog: Mapping[str, ChipSpec],
              owned: AbstractSet[str]) -> tuple[ChipOffer, ChipSpec] | None:
    name = reader.get("chip")
    terms = {c: reader.get(c) for c in _TERMS}
    values = _filled(reader, [*PEAK_COLUMNS, *_SPEC_FIELDS])
    if "software_stack" in values:
        values["software_stack"] = canonical_stack(values["software_stack"],
                                                   stack_names(catalog.values()))
    if terms["power_kw_per_chip"] is not None:
        values["power_kw_per_chip"] = terms["power_kw_per_chip"]
    if name is None:
        return None
    base = find_by_name(name, catalog)
    spec = _apply_spec(base, values) if base else _new_chip(reader, str(name), values, catalog)
    if spec is None:
        return None
    _check_offer(reader, spec, terms["purchase_usd_per_chip"], terms["rent_usd_per_chip_hour"],
                 terms["power_kw_per_chip"], normalise(spec.name) in owned)
    _check_terms(reader, terms)
    if not reader.ok:
        return None
    return ChipOffer(spec.name, **terms), spec  # type: ignore[arg-type]


def parse_chips(table: Table | None, catalog: Mapping[str, ChipSpec], problems: list[Problem],
                owned: AbstractSet[str] = frozenset()) -> tuple[list[ChipOffer], dict[str, ChipSpec]]:
    """Chip offers and their resolved specs (catalog with overrides, or new chips).

    ``owned`` holds the normalised names of chips on the Fleet sheet: those may have
    neither a purchase nor a rent price.
    """
    require_rows(table, problems, "chip")
    offers: list[ChipOffer] = []
    specs: dict[str, ChipSpec] = {}
    seen: dict[str, int] = {}
    for reader in rows(table, problems):
        result = _chip_row(reader, catalog, owned)
        name = reader.raw("chip")
        if name is None:
            continue
        base = find_by_name(name, catalog)
        key = normalise(base.name if base else name)
        if key in seen:
            reader.problem("chip", f"chip '{name}' is listed twice (also on row {seen[key]})")
            continue
        seen[key] = reader.number
        if result is not None:
            offers.append(result[0])
            specs[result[1].name] = result[1]
    return offers, specs


_MODEL_NUMBERS = ("params_b", "active_params_b", "layers", "hidden_size", "attention_heads",
                  "kv_heads", "head_dim", "experts", "active_experts", "vocab_size",
                  "max_context", "moe_layers")
_NEW_MODEL_NEEDS = ("params_b", "layers", "hidden_size", "attention_heads")


def _new_model(reader: RowReader, name: str, values: dict[str, object]) -> ModelSpec | None:
    for col in _NEW_MODEL_NEEDS:
        if col not in values:
            reader.problem(col, f"'{name}' is not in the model catalog, so {col} is needed")
    if not reader.ok:
        return None
    heads = int(values["attention_heads"])  # type: ignore[call-overload]
    hidden = int(values["hidden_size"])  # type: ignore[call-overload]
    full = {"active_params_b": values["params_b"], "kv_heads": heads,
            "head_dim": max(1, hidden // heads), "experts": 1, "active_experts": 1,
            "vocab_size": 32000, "max_context": 4096, **values}
    return ModelSpec(name=name, **full)  # type: ignore[arg-type]


def _check_model(reader: RowReader, spec: ModelSpec) -> None:
    if spec.active_params_b > spec.params_b:
        reader.problem("active_params_b", f"{spec.active_params_b:g} is more than params_b "
                                          f"{spec.params_b:g}")
    if spec.active_experts > spec.experts:
        reader.problem("active_experts", f"{spec.active_experts} is more than experts "
                                         f"{spec.experts}")
    if spec.kv_heads > spec.attention_heads:
        reader.problem("kv_heads", f"{spec.kv_heads} is more than attention_heads "
                                   f"{spec.attention_heads}")


def _config_model(reader: RowReader, name: str, base_dir: Path | None) -> ModelSpec | None:
    """The model a row's ``config_json`` points at (relative to the workbook's folder), or None."""
    text = str(reader.get("config_json")).strip()
    path = Path(text).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        return load_config(path, name, source=f"{text} (config.json)")
    except PlannerError as exc:
        reader.problem("config_json", str(exc))
        return None


def parse_models(table: Table | None, catalog: Mapping[str, ModelSpec],
                 problems: list[Problem], base_dir: Path | None = None) -> dict[str, ModelSpec]:
    """Models defined or overridden by the workbook, keyed by canonical name.

    A row with ``config_json`` starts from that Hugging Face config (its path relative
    to ``base_dir``, the workbook's folder); typed cells override it.
    """
    models: dict[str, ModelSpec] = {}
    seen: dict[str, int] = {}
    for reader in rows(table, problems):
        name = reader.get("model")
        values = _filled(reader, list(_MODEL_NUMBERS))
        for text_col in ("source", "dense_precision"):
            if reader.has(text_col):
                values[text_col] = str(reader.get(text_col)).strip()
        if name is None:
            continue
        base = find_by_name(name, catalog)
        if reader.has("config_json"):
            base = _config_model(reader, str(name), base_dir)
            if base is None:
                continue
        key = normalise(base.name if base else name)
        if key in seen:
            reader.problem("model", f"model '{name}' is listed twice (also on row {seen[key]})")
            continue
        seen[key] = reader.number
        spec = dataclasses.replace(base, **values) if base else _new_model(reader, str(name), values)  # type: ignore[arg-type]
        if spec is not None:
            _check_model(reader, spec)
        if spec is not None and reader.ok:
            models[spec.name] = spec
    return models


def resolve(reader: RowReader, column: str, kind: str, specs: Mapping[str, object],
            hint: str) -> str | None:
    """The canonical name in ``column`` of the row, or None with an 'unknown' problem."""
    name = reader.get(column)
    if name is None:
        return None
    spec = find_by_name(name, specs)
    if spec is None:
        reader.problem(column, unknown_name_message(kind, str(name), specs, hint))
        return None
    return spec.name  # type: ignore[attr-defined]


MODEL_HINT = "use a catalog model or define it on the Models sheet"
