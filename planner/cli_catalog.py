"""``planner models``, ``planner catalog`` and ``planner chips --list``: what the catalog knows.

Every model and chip with the names and aliases it answers to, and the figures the
performance core uses (sources in ``planner/data/*.csv`` and ``docs/perf.md``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from planner import cli_offers
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.io.hfconfig import load_config
from planner.perf.catalog import chip_family, get_model, load_chips, load_models


def model_row(m: ModelSpec) -> dict:
    """One model as plain data (units in the keys)."""
    return {"model": m.name, "aliases": list(m.aliases), "params_b": m.params_b,
            "active_params_b": m.active_params_b, "layers": m.layers, "hidden_size": m.hidden_size,
            "attention": m.attention, "attention_heads": m.attention_heads, "kv_heads": m.kv_heads,
            "experts": m.experts, "active_experts": m.active_experts, "moe_layers": m.routed_layers,
            "mtp_layers": m.mtp_layers, "dense_precision": m.dense_precision,
            "max_context_tokens": m.max_context, "source": m.source}


def chip_row(c: ChipSpec) -> dict:
    """One chip as plain data (units in the keys)."""
    return {"chip": c.name, "aliases": list(c.aliases), "vendor": c.vendor, "family": chip_family(c),
            "memory_gb": c.memory_gb, "memory_bw_tbs": c.memory_bw_tbs,
            "peak_tflops": dict(c.peak_tflops), "scaleup_domain_chips": c.scaleup_domain_chips,
            "purchasable": c.purchasable, "modelable": c.modelable, "confidence": c.confidence}


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(x) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def models_text(models: list[ModelSpec]) -> str:
    """Aligned text table of models: size, shape and aliases."""
    rows = []
    for m in models:
        moe = f"{m.active_experts} of {m.experts}" if m.is_moe else "-"
        rows.append([m.name, f"{m.params_b:g}", f"{m.active_params_b:g}", str(m.layers), m.attention,
                     moe, "; ".join(m.aliases)])
    return _table(["model", "params B", "active B", "layers", "attn", "experts/token", "aliases"], rows)


def chips_text(chips: list[ChipSpec]) -> str:
    """Aligned text table of chips: memory, bandwidth, widest/narrowest peak and aliases."""
    rows = []
    for c in chips:
        peaks = ", ".join(f"{p} {v:g}" for p, v in c.peak_tflops.items())
        rows.append([c.name, c.vendor, f"{c.memory_gb:g}", f"{c.memory_bw_tbs:g}", peaks,
                     c.purchasable if c.modelable else f"{c.purchasable} (not modelled)",
                     "; ".join(c.aliases)])
    return _table(["chip", "vendor", "memory GB", "TB/s", "peak TFLOP/s", "sale", "aliases"], rows)


def resolve_model(name: str) -> ModelSpec:
    """A catalog model by name or alias, or a Hugging Face ``config.json`` given by path."""
    path = Path(name)
    if path.suffix.lower() == ".json" and path.is_file():
        return load_config(path)
    return get_model(name)


def _emit(args: argparse.Namespace, data: dict, text: str) -> int:
    if args.json:
        json.dump(data, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print(text)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    models = list(load_models().values())
    return _emit(args, {"models": [model_row(m) for m in models]}, models_text(models))


def cmd_chip_list(args: argparse.Namespace) -> int:
    chips = list(load_chips().values())
    return _emit(args, {"chips": [chip_row(c) for c in chips]}, chips_text(chips))


def cmd_catalog(args: argparse.Namespace) -> int:
    models, chips = list(load_models().values()), list(load_chips().values())
    offers = cli_offers.all_offers()
    data = {"models": [model_row(m) for m in models], "chips": [chip_row(c) for c in chips],
            "token_offers": offers}
    text = (f"Models\n{models_text(models)}\n\nChips\n{chips_text(chips)}\n\n"
            f"Token offers (published; $/Mtok prompt+output mixed at 1000 prompt / 250 output "
            f"tokens; sources and limits: --json)\n{cli_offers.table(offers)}")
    return _emit(args, data, text)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``models`` and ``catalog`` subcommands."""
    p = subparsers.add_parser("models", help="list the catalog models with their aliases",
                              description="Every catalog model: size, shape, aliases, source.")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=cmd_models)
    p = subparsers.add_parser("catalog", help="list the catalog models, chips and token offers",
                              description="Every catalog model, chip and token-sold offer "
                                          "(GroqCloud, Cerebras Inference, SambaNova Cloud) "
                                          "the planner knows.")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=cmd_catalog)
