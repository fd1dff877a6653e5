"""The shipped chip and model catalogs (``planner/data/chips.csv`` and ``models.csv``).

Every figure in those files names its source; see ``docs/perf.md``.  The loaders are
cached, so the returned dictionaries are fresh copies of the cached specs (the specs
themselves are frozen dataclasses and safe to share).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from planner.domain.errors import PlannerError
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.domain.names import find_by_name, suggest

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: Calibration family used when a chip has none of its own (see ``calibration.csv``).
DEFAULT_FAMILY = "default"

T = TypeVar("T")

_PEAK_COLUMNS = {"bf16": "bf16_tflops", "fp8": "fp8_tflops", "int8": "int8_tops", "fp4": "fp4_tflops"}


def _num(text: str) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _aliases(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in (text or "").split(";") if a.strip())


def _chip_from_row(row: dict[str, str]) -> ChipSpec:
    peaks = {p: _num(row[col]) for p, col in _PEAK_COLUMNS.items()}
    domain = _num(row["scaleup_domain_chips"])
    year = _num(row["first_year"])
    return ChipSpec(
        name=row["name"],
        vendor=row["vendor"],
        software_stack=row["software_stack"],
        peak_tflops={p: v for p, v in peaks.items() if v},
        memory_gb=_num(row["memory_gb"]) or 0.0,
        memory_bw_tbs=_num(row["memory_bw_tbs"]) or 0.0,
        tdp_w=_num(row["tdp_w"]),
        scaleup_domain_chips=int(domain) if domain else 1,
        scaleup_gbs_per_chip=_num(row["scaleup_gbs_per_chip"]),
        purchase_usd_approx=_num(row["purchase_usd"]),
        rent_usd_per_hour_approx=_num(row["rent_usd_per_hour"]),
        first_year=int(year) if year else None,
        purchasable=row["purchasable"],
        confidence=row["confidence"],
        sources=row["sources"],
        aliases=_aliases(row["aliases"]),
        modelable=row["modelable"].strip().lower() in ("yes", "true", "1"),
        note=row["note"],
    )


def _model_from_row(row: dict[str, str]) -> ModelSpec:
    return ModelSpec(
        name=row["name"],
        params_b=float(row["params_b"]),
        active_params_b=float(row["active_params_b"]),
        layers=int(row["layers"]),
        hidden_size=int(row["hidden_size"]),
        attention_heads=int(row["attention_heads"]),
        kv_heads=int(row["kv_heads"]),
        head_dim=int(row["head_dim"]),
        experts=int(row["experts"]),
        active_experts=int(row["active_experts"]),
        attention=row["attention"],
        kv_lora_rank=int(row["kv_lora_rank"]),
        rope_head_dim=int(row["rope_head_dim"]),
        vocab_size=int(row["vocab_size"]),
        max_context=int(row["max_context"]),
        source=row["source"],
        aliases=_aliases(row["aliases"]),
        moe_layers=int(_num(row.get("moe_layers", "")) or 0),
        mtp_layers=int(_num(row.get("mtp_layers", "")) or 0),
        dense_precision=(row.get("dense_precision") or "").strip().lower(),
        sliding_window=int(_num(row.get("sliding_window", "")) or 0),
        sliding_layers=int(_num(row.get("sliding_layers", "")) or 0),
    )


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _chips() -> tuple[ChipSpec, ...]:
    return tuple(_chip_from_row(r) for r in _read("chips.csv"))


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    return {r["name"]: r["family"] for r in _read("chips.csv")}


@lru_cache(maxsize=1)
def _models() -> tuple[ModelSpec, ...]:
    return tuple(_model_from_row(r) for r in _read("models.csv"))


def load_chips() -> dict[str, ChipSpec]:
    """Every catalog chip, keyed by canonical name (a new dict on each call)."""
    return {c.name: c for c in _chips()}


def load_models() -> dict[str, ModelSpec]:
    """Every catalog model, keyed by canonical name (a new dict on each call)."""
    return {m.name: m for m in _models()}


def chip_family(chip: ChipSpec | str) -> str:
    """The calibration family of a chip (``nvidia-hopper``...), ``default`` if unknown.

    Workbook chips that reuse a catalog name (or alias) inherit its family.
    """
    name = chip.name if isinstance(chip, ChipSpec) else str(chip)
    families = _families()
    spec = find_by_name(name, load_chips())
    if spec is not None:
        return families.get(spec.name, DEFAULT_FAMILY)
    return DEFAULT_FAMILY


def lookup(name: object, specs: Mapping[str, T], kind: str) -> T:
    """``find_by_name`` that raises a :class:`PlannerError` listing the known names."""
    spec = find_by_name(name, specs)
    if spec is None:
        close = suggest(name, specs)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        known = ", ".join(sorted(specs))
        raise PlannerError(f"unknown {kind} '{name}'; {hint}known {kind}s: {known}")
    return spec


def get_chip(name: object) -> ChipSpec:
    """A catalog chip by name or alias; :class:`PlannerError` if unknown."""
    return lookup(name, load_chips(), "chip")


def get_model(name: object) -> ModelSpec:
    """A catalog model by name or alias; :class:`PlannerError` if unknown."""
    return lookup(name, load_models(), "model")
