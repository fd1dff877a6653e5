"""Subcommands of ``planner`` backed by the performance core: throughput, chips, train-time.

``planner/cli.py`` calls :func:`register` and dispatches ``args.func(args)``; a
:class:`planner.domain.PlannerError` (unknown chip or model...) is turned into exit 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from planner import cli_catalog, cli_offers
from planner.domain import PlannerError, Quarter, Settings, units
from planner.perf.catalog import get_chip, load_chips
from planner.perf.compare import (
    DEFAULT_ELECTRICITY,
    DEFAULT_LIFETIME_YEARS,
    compare_chips,
    compare_row,
)
from planner.perf.efficiency import canonical_stack
from planner.perf.frontier import latency_frontier
from planner.perf.inference import estimate_throughput
from planner.perf.training import estimate_training

_PO, _OUT = units.PROMPT_OUTPUT, units.OUTPUT_ONLY
#: (header line 1, header line 2 = token basis, row key, format) of the chips table.
_TABLE_COLUMNS = (
    ("", "chip", "chip", "{}"),
    ("tokens/s per chip", _PO, units.tokens_per_s_column(_PO, "chip"), "{:,.0f}"),
    ("tokens/s per chip", _OUT, units.tokens_per_s_column(_OUT, "chip"), "{:,.0f}"),
    ("", "prec", "precision_used", "{}"),
    ("", "TPxPP", None, ""),
    ("", "batch", "batch_size", "{}"),
    ("", "TPOT ms", "tpot_ms", "{:.0f}"),
    ("tokens/s per kW", _OUT, units.tokens_per_s_column(_OUT, "kw"), "{:,.0f}"),
    ("tokens/s per k$", _OUT, units.tokens_per_s_column(_OUT, "kusd_purchase"), "{:,.1f}"),
    ("$/Mtok rented", _PO, units.usd_per_mtok_column(_PO, "rented"), "{:.3f}"),
    ("$/Mtok rented", _OUT, units.usd_per_mtok_column(_OUT, "rented"), "{:.3f}"),
    ("$/Mtok owned", _PO, units.usd_per_mtok_column(_PO, "owned"), "{:.3f}"),
    ("$/Mtok owned", _OUT, units.usd_per_mtok_column(_OUT, "owned"), "{:.3f}"),
    ("", "sale", "purchasable", "{}"),
    ("", "note", "note", "{}"),
)
_LEFT = {"chip", "precision_used", "purchasable", "note"}


def unit_labels() -> dict[str, str]:
    """JSON key -> the unit it is in, for every tokens/s and $/Mtok key the commands print."""
    out = {}
    for basis in units.BASES:
        tps, usd = units.tokens_per_s_label(basis), units.usd_per_mtok_label(basis)
        out[units.tokens_per_s_column(basis, "chip")] = f"{tps} per chip"
        out[units.tokens_per_s_column(basis, "kw")] = f"{tps} per kW of IT power"
        out[units.tokens_per_s_column(basis, "kusd_purchase")] = f"{tps} per $1,000 of purchase"
        out[units.usd_per_mtok_column(basis, "rented")] = f"{usd}, rented"
        out[units.usd_per_mtok_column(basis, "owned")] = f"{usd}, owned"
    return out


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def _shown(args: argparse.Namespace, out: dict, est, what: str) -> bool:
    """``out`` printed as JSON with ``--json``; False (after saying why, on stderr with
    ``--json``) when the estimate ``est`` is not feasible."""
    if args.json:
        _print_json(out)
    if not est.feasible:
        print(f"{what}: {est.reason}", file=sys.stderr if args.json else sys.stdout)
        return False
    return True


def _workload_args(p: argparse.ArgumentParser, prompt_default: float | None,
                   output_default: float | None, model_required: bool = True) -> None:
    p.add_argument("--model", required=model_required,
                   help="model name or alias (e.g. llama-2-70b), or a Hugging Face config.json path")
    p.add_argument("--precision", default="fp8", help="fp4, fp8, int8 or bf16 (default fp8)")
    p.add_argument("--input-tokens", type=float, default=prompt_default,
                   required=prompt_default is None, help="prompt tokens per request")
    p.add_argument("--output-tokens", type=float, default=output_default,
                   required=output_default is None, help="output tokens per request")
    p.add_argument("--ttft-ms", type=float, default=None, help="time-to-first-token target")
    p.add_argument("--tpot-ms", type=float, default=None, help="time-per-output-token target")
    p.add_argument("--draft-tokens", type=int, default=0,
                   help="speculative / multi-token-prediction draft tokens per step (default 0)")
    p.add_argument("--acceptance", type=float, default=0.0,
                   help="acceptance rate of each draft token, 0-1 (DeepSeek-V3 MTP: 0.85-0.9)")
    p.add_argument("--max-chips", type=int, default=None,
                   help="largest replica in chips (e.g. 8 for one server; default 128)")
    _cost_args(p)
    p.add_argument("--stack", default=None,
                   help="serving stack: vllm (default: what a typical buyer runs), sglang, "
                        "trt-llm, or mlperf (a vendor's tuned submission)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")


def _cost_args(p: argparse.ArgumentParser) -> None:
    """What $/Mtok assumes; the defaults are the Settings sheet's (Settings())."""
    d = Settings(start_quarter=Quarter(2000, 1))
    p.add_argument("--utilisation", type=float, default=1.0,
                   help="share of the time the chip is busy (default 1.0; a plan's "
                        "target_utilisation / peak_to_average gives the plan's basis)")
    p.add_argument("--lifetime-years", type=float, default=DEFAULT_LIFETIME_YEARS,
                   help=f"years an owned chip's price is spread over, straight-line "
                        f"(default {DEFAULT_LIFETIME_YEARS:g}, market.md Depreciation)")
    p.add_argument("--pue", type=float, default=d.pue, help=f"default {d.pue:g} (Settings)")
    p.add_argument("--server-power-overhead", type=float, default=d.server_power_overhead,
                   help=f"IT power per chip / TDP (default {d.server_power_overhead:g}, Settings)")
    p.add_argument("--power-draw-fraction", type=float, default=d.power_draw_fraction,
                   help=f"average draw / rated IT power (default {d.power_draw_fraction:g}, "
                        "Settings)")
    p.add_argument("--electricity-usd-per-kwh", type=float, default=DEFAULT_ELECTRICITY,
                   help=f"default {DEFAULT_ELECTRICITY:g} (US industrial average, market.csv)")


def _basis_note(args: argparse.Namespace) -> str:
    """What the $/Mtok figures assume, and what the two token bases mean."""
    return (f"$/Mtok at {args.utilisation:.0%} utilisation; owned = price over "
            f"{args.lifetime_years:g} years straight-line + IT power x draw "
            f"{args.power_draw_fraction:g} x PUE {args.pue:g} x "
            f"${args.electricity_usd_per_kwh:g}/kWh. Tokens: "
            + "; ".join(units.DEFINITIONS[b] for b in units.BASES) + ".")


def _costs(args: argparse.Namespace) -> dict:
    return {"lifetime_years": args.lifetime_years, "server_power_overhead":
            args.server_power_overhead, "pue": args.pue,
            "electricity_usd_per_kwh": args.electricity_usd_per_kwh,
            "utilisation": args.utilisation, "power_draw_fraction": args.power_draw_fraction}


def _estimate_kwargs(args: argparse.Namespace) -> dict:
    return {"draft_tokens": args.draft_tokens, "acceptance": args.acceptance,
            "max_replica_chips": args.max_chips, "stack": canonical_stack(args.stack)}


def _replica_text(est: Any) -> str:
    text = (f"{est.chips_per_replica} chips (tensor {est.tensor_parallel} x pipeline "
            f"{est.pipeline_parallel}")
    if est.data_parallel > 1:
        text += f" x attention data-parallel {est.data_parallel}"
    text += ")"
    if est.expert_parallel > 1:
        text += f", experts over {est.expert_parallel} chips"
    return text + f", batch {est.batch_size}"


def _curve_row(point: Any) -> dict:
    est = point.estimate
    return {"tpot_target_ms": point.tpot_target_ms, "tpot_ms": est.tpot_ms, "ttft_ms": est.ttft_ms,
            "tokens_per_s_per_user": point.tokens_per_s_per_user,
            "output_tokens_per_s_per_chip": est.output_tokens_per_s_per_chip,
            "chips_per_replica": est.chips_per_replica, "tensor_parallel": est.tensor_parallel,
            "pipeline_parallel": est.pipeline_parallel, "data_parallel": est.data_parallel,
            "batch_size": est.batch_size, "bound": est.bound}


def cmd_curve(args: argparse.Namespace, chip: Any, model: Any) -> int:
    """``planner throughput --curve``: the throughput-latency frontier, fastest users first."""
    curve = latency_frontier(chip, model, args.precision, args.input_tokens, args.output_tokens,
                             args.ttft_ms, points=args.points, **_estimate_kwargs(args))
    rows = [_curve_row(p) for p in curve]
    if args.json:
        _print_json({"chip": chip.name, "model": model.name, "precision": args.precision,
                     "prompt_tokens": args.input_tokens, "output_tokens": args.output_tokens,
                     "points": rows})
    if not curve:
        print(f"{chip.name} / {model.name}: cannot serve this workload at all "
              "(see planner throughput without --curve)", file=sys.stderr if args.json else sys.stdout)
        return 1
    if not args.json:
        first = curve[0].estimate
        mixed = (f" (attention and shared weights {first.dense_precision_used})"
                 if first.dense_precision_used not in ("", first.precision_used) else "")
        print(f"{chip.name} serving {model.name} at {first.precision_used}{mixed} "
              f"({args.input_tokens:g} prompt / {args.output_tokens:g} output tokens): "
              "throughput-latency frontier")
        print("tokens/s per user = 1000 / TPOT (output tokens a sequence gets while decoding); "
              "tok/s/chip = output tokens")
        header = ["TPOT target ms", "TPOT ms", "tok/s/user", "tok/s/chip", "replica", "batch"]
        body = [["none" if r["tpot_target_ms"] is None else f"{r['tpot_target_ms']:.1f}",
                 f"{r['tpot_ms']:.1f}", f"{r['tokens_per_s_per_user']:.1f}",
                 f"{r['output_tokens_per_s_per_chip']:,.0f}",
                 f"{r['tensor_parallel']}x{r['pipeline_parallel']}"
                 + (f"x{r['data_parallel']}dp" if r["data_parallel"] > 1 else ""),
                 str(r["batch_size"])] for r in rows]
        widths = [max(len(x) for x in col) for col in zip(header, *body)]
        for cells in [header, ["-" * w for w in widths], *body]:
            print("  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    return 0


def _throughput_lines(row: dict, est: Any) -> list[str]:
    lines = [(units.tokens_per_s_label(b) + " per chip",
              row[units.tokens_per_s_column(b, "chip")], "{:,.0f}") for b in units.BASES]
    for how in ("rented", "owned"):
        lines += [(f"{units.usd_per_mtok_label(b)}, {how}", row[units.usd_per_mtok_column(b, how)],
                   "{:.3f}") for b in units.BASES]
    text = [f"  {label:<34}: {'-' if v is None else fmt.format(v)}" for label, v, fmt in lines]
    return text + [
        f"  {'replica':<34}: {_replica_text(est)}",
        f"  {'TTFT / TPOT':<34}: {est.ttft_ms:.0f} ms / {est.tpot_ms:.1f} ms",
        f"  {'bound':<34}: {est.bound}   source: {est.source}"]


_COST_KEYS = ("purchase_usd_per_chip", "rent_usd_per_chip_hour", "owned_usd_per_chip_hour",
              "it_power_kw_per_chip", "utilisation")


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _priced_chip(args: argparse.Namespace) -> Any:
    """The catalog chip with the prices given on the command line, if any."""
    chip = get_chip(args.chip)
    if args.purchase_usd is not None:
        chip = dataclasses.replace(chip, purchase_usd_approx=args.purchase_usd)
    if args.rent_usd_per_hour is not None:
        chip = dataclasses.replace(chip, rent_usd_per_hour_approx=args.rent_usd_per_hour)
    return chip


def cmd_throughput(args: argparse.Namespace) -> int:
    chip, model = _priced_chip(args), cli_catalog.resolve_model(args.model)
    if args.curve:
        return cmd_curve(args, chip, model)
    est = estimate_throughput(chip, model, args.precision, args.input_tokens, args.output_tokens,
                              args.ttft_ms, args.tpot_ms, **_estimate_kwargs(args))
    row = compare_row(chip, model, args.precision, args.input_tokens, args.output_tokens,
                      args.ttft_ms, args.tpot_ms, estimate_kwargs=_estimate_kwargs(args),
                      **_costs(args))
    out = dataclasses.asdict(est)
    out.update({k: v for k, v in row.items() if k in unit_labels() or k in _COST_KEYS})
    out["requests_per_s_per_chip"] = est.requests_per_s_per_chip
    out["units"] = {k: v for k, v in unit_labels().items() if k in out}
    if not _shown(args, out, est, f"{chip.name} / {model.name}"):
        return 1
    if not args.json:
        mixed = (f" (attention and shared weights {est.dense_precision_used})"
                 if est.dense_precision_used not in ("", est.precision_used) else "")
        print(f"{chip.name} serving {model.name} at {est.precision_used}{mixed} on {est.stack} "
              f"({args.input_tokens:g} prompt / {args.output_tokens:g} output tokens; "
              f"rent ${_money(row['rent_usd_per_chip_hour'])}/h, "
              f"purchase ${_money(row['purchase_usd_per_chip'])})")
        print("\n".join(_throughput_lines(row, est)))
        print(_basis_note(args))
    return 0


#: The text table cuts notes to this many characters (``--json`` has them whole).
NOTE_WIDTH = 64


def _cell(row: dict, key: str | None, fmt: str) -> str:
    if key is None:
        if not row["feasible"]:
            return "-"
        dp = row.get("data_parallel", 1)
        return f"{row['tensor_parallel']}x{row['pipeline_parallel']}" + (f"x{dp}dp" if dp > 1 else "")
    value = row.get(key)
    if value is None or value == "" or (key != "note" and not row["feasible"] and key not in
                                          ("chip", "purchasable")):
        return "-"
    text = fmt.format(value)
    if key == "note" and len(text) > NOTE_WIDTH:
        text = text[: NOTE_WIDTH - 3].rstrip() + "..."
    return text


def _spans(groups: list[str], widths: list[int]) -> str:
    """The first header line: each run of columns sharing a group name under one label."""
    parts, i = [], 0
    while i < len(groups):
        j = i
        while j + 1 < len(groups) and groups[j + 1] == groups[i]:
            j += 1
        width = sum(widths[i:j + 1]) + 2 * (j - i)
        parts.append(groups[i].center(width) if j > i else groups[i].rjust(width))
        i = j + 1
    return "  ".join(parts).rstrip()


def format_table(rows: list[dict]) -> str:
    """An aligned text table of :func:`compare_chips` rows, under a two-line header: what
    is measured, then in which token basis."""
    top = [group for group, _, _, _ in _TABLE_COLUMNS]
    header = [name for _, name, _, _ in _TABLE_COLUMNS]
    body = [[_cell(r, key, fmt) for _, _, key, fmt in _TABLE_COLUMNS] for r in rows]
    alone = [top.count(g) == 1 for g in top]  # a group label over one column sets its width
    widths = [max(len(x) for x in (col[1:] if not a else col))
              for col, a in zip(zip(top, header, *body), alone)]
    left = [key in _LEFT for _, _, key, _ in _TABLE_COLUMNS]
    lines = [_spans(top, widths)]
    for cells in [header] + body:
        parts = [c.ljust(w) if is_left else c.rjust(w)
                 for c, w, is_left in zip(cells, widths, left)]
        lines.append("  ".join(parts).rstrip())
    lines.insert(2, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_chips(args: argparse.Namespace) -> int:
    if args.list:
        return cli_catalog.cmd_chip_list(args)
    if not args.model:
        raise PlannerError("planner chips needs --model NAME (or --list to list the chips)")
    model = cli_catalog.resolve_model(args.model)
    rows = compare_chips(model, load_chips(), args.precision, args.input_tokens, args.output_tokens,
                         args.ttft_ms, args.tpot_ms, estimate_kwargs=_estimate_kwargs(args),
                         **_costs(args))
    offers = cli_offers.model_offers(model.name, args.input_tokens, args.output_tokens,
                                     args.tpot_ms)
    if args.json:
        for row in rows:
            row["token_offers"] = [o for o in offers if o["chip"] == row["chip"]]
        _print_json(rows)
        return 0
    print(f"{model.name} at {args.precision} on {canonical_stack(args.stack)}, "
          f"{args.input_tokens:g} prompt / "
          f"{args.output_tokens:g} output tokens"
          + (f", TTFT <= {args.ttft_ms:g} ms" if args.ttft_ms else "")
          + (f", TPOT <= {args.tpot_ms:g} ms" if args.tpot_ms else "")
          + " (catalog prices)")
    print(format_table(rows))
    print(_basis_note(args))
    print()
    print(cli_offers.offers_text(model.name, offers, args.input_tokens, args.output_tokens))
    return 0


def cmd_train_time(args: argparse.Namespace) -> int:
    chip, model = get_chip(args.chip), cli_catalog.resolve_model(args.model)
    est = estimate_training(chip, model, args.tokens, args.chips, args.precision, args.mfu,
                            args.method, args.lora_rank)
    out = dataclasses.asdict(est)
    out["chip_hours"] = est.chip_hours
    out["days"] = est.hours / 24.0
    if not _shown(args, out, est, f"{chip.name} / {model.name}"):
        return 1
    if not args.json:
        what = "" if est.method == "full" else f" ({est.method} fine-tuning)"
        print(f"{model.name}{what} on {est.chips} x {chip.name} at {est.precision_used}, "
              f"{args.tokens:.3g} tokens: {est.hours:,.1f} h ({est.hours / 24:,.1f} days) "
              f"at {est.mfu:.1%} MFU, {est.chip_hours:,.0f} chip-hours")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``throughput``, ``chips`` and ``train-time`` subcommands."""
    p = subparsers.add_parser("throughput", help="serving throughput of one chip for one model",
                              description="Modelled steady-state tokens/s per chip (prompt+output "
                                          "and output only) and $ per million tokens.")
    p.add_argument("--chip", required=True, help="chip name or alias (e.g. H100)")
    p.add_argument("--purchase-usd", type=float, default=None,
                   help="purchase price per chip, all-in (default: the catalog's)")
    p.add_argument("--rent-usd-per-hour", type=float, default=None,
                   help="rental price per chip-hour (default: the catalog's)")
    _workload_args(p, None, None)
    p.add_argument("--curve", action="store_true",
                   help="print the throughput-latency frontier (tok/s per chip against tok/s per user)")
    p.add_argument("--points", type=int, default=12, help="TPOT targets on the --curve (default 12)")
    p.set_defaults(func=cmd_throughput)

    p = subparsers.add_parser("chips", help="compare every catalog chip on one model",
                              description="Throughput and cost per token of every catalog chip.")
    _workload_args(p, 1000.0, 250.0, model_required=False)
    p.add_argument("--list", action="store_true",
                   help="list the catalog chips with their aliases instead of comparing them")
    p.set_defaults(func=cmd_chips)

    p = subparsers.add_parser("train-time", help="hours to train a model on N chips",
                              description="Training time = 6 N D / (chips x peak x MFU).")
    p.add_argument("--chip", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--tokens", type=float, required=True, help="training tokens (e.g. 15e12)")
    p.add_argument("--chips", type=int, required=True)
    p.add_argument("--precision", default="bf16")
    p.add_argument("--mfu", type=float, default=None, help="override the default MFU (0-1)")
    p.add_argument("--method", default="full", help="full, lora or qlora (default full)")
    p.add_argument("--lora-rank", type=int, default=None, help="adapter rank for lora/qlora (default 16)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_train_time)
    cli_catalog.register(subparsers)
