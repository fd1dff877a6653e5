"""Build ``planner/data/calibration_points.csv`` from the sourced tables it merges.

    python scripts/build_calibration_points.py /work/shared/reference/mlperf_inference_v4_v5.csv

Inputs: the project's reference table of 100 closed-division MLPerf Inference
v4.0/v4.1/v5.0 results (its path as the argument; rounds v5.1 and later are never
used) and ``planner/data/published_results.csv`` (framework and vendor results, one
source, software version and date per row).  Output: one row per calibration point
with the catalog chip and model, the workload shape and latency bounds assumed, the
serving stack, the date, and the measured output tokens/s per accelerator.  Rows whose
chip or model the catalog cannot model are dropped with a message on stderr.
Deterministic: same inputs, same file.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "planner" / "data"
OUT = DATA / "calibration_points.csv"
PUBLISHED = DATA / "published_results.csv"

#: Publication date of each MLPerf round (MLCommons results announcements).
ROUND_DATES = {"v4.0": "2024-03-27", "v4.1": "2024-08-28", "v5.0": "2025-04-02"}

#: Substring of the reference ``accelerator`` field -> catalog chip (first match wins).
CHIPS = (
    ("H200-SXM-141GB-CTS", "H200 SXM"), ("H200-SXM", "H200 SXM"), ("H200-NVL", "H200 NVL"),
    ("H100-SXM", "H100 SXM"), ("H100 NVL", "H100 NVL"), ("H100-PCIe", "H100 PCIe"),
    ("GH200 Grace Hopper Superchip 144GB", "GH200 144GB"),
    ("GH200 Grace Hopper Superchip 96GB", "GH200 96GB"),
    ("B200-SXM", "B200"), ("GB200", "GB200 (NVL72 GPU)"), ("L40S", "L40S"),
    ("MI300X", "MI300X"), ("MI325X", "MI325X"), ("Gaudi 2", "Gaudi 2"), ("TPU v5e", "TPU v5e"),
)

#: Longest prompt of each benchmark's data set (its sequence cap): a 99th-percentile
#: TTFT bound is set by the longest prompts, while the model computes the TTFT of the
#: mean prompt, so the bound is scaled by mean / longest prompt.
LONGEST_PROMPT = {"llama2-70b": 1024, "mixtral-8x7b": 2048, "llama3.1-405b": 20000, "gptj": 2048}

#: Benchmark prefix -> (catalog model, prompt tokens, output tokens, beam width, shape note).
SHAPES = {
    "llama2-70b": ("llama-2-70b", 300, 300, 1,
                   "OpenOrca: ~300 prompt / ~300 output tokens (reference README; mean output 294.45)"),
    "mixtral-8x7b": ("mixtral-8x7b", 420, 145, 1,
                     ("15k mix of OpenOrca, GSM8K, MBXP: output 144.84 tokens/sample (reference), "
                      "prompt ~420 (mean of per-dataset lengths, docs/calibration.md)")),
    "llama3.1-405b": ("llama-3.1-405b", 9400, 685, 1,
                      ("long-context mix: output 684.68 tokens/sample (reference); prompt ~9,400 is an "
                       "assumption (MLCommons gives no mean prompt length; its inputs run to 20k tokens)")),
    "gptj": ("gpt-j-6b", 800, 60, 4,
             "CNN/DailyMail: ~800 prompt / ~60 output tokens, beam 4; measured samples/s x 60"),
}

#: Latency-constraint text of the reference -> (TTFT ms, TPOT ms) p99 bounds.
BOUNDS = {
    "none (Offline)": ("", ""),
    "TTFT<=2000ms TPOT<=200ms (p99)": ("2000", "200"),
    "TTFT<=450ms TPOT<=40ms (p99)": ("450", "40"),
    "TTFT<=6000ms TPOT<=175ms (p99)": ("6000", "175"),
    # GPT-J server: whole-query latency <= 20 s for ~60 tokens of beam search: a mean
    # time per output step of at most ~300 ms leaves room for the prompt.
    "p99 query latency<=20000ms": ("", "300"),
}

COLUMNS = ["kind", "round", "date", "chip", "model", "precision", "stack", "software", "scenario",
           "prompt_tokens", "output_tokens", "beam_width", "ttft_ms", "tpot_ms", "tensor_parallel",
           "accelerators", "tokens_per_s_per_chip", "submitter", "system", "source", "shape_assumption",
           "notes"]


def chip_for(accelerator: str) -> str | None:
    for key, chip in CHIPS:
        if key in accelerator:
            return chip
    return None


def precision_for(text: str) -> str:
    text = (text or "").lower()
    if "fp4" in text:
        return "fp4"
    if "int8" in text:
        return "int8"
    return "fp8"


def samples_per_chip(notes: str) -> float | None:
    m = re.search(r"samples_per_s_per_accelerator=([0-9.]+)", notes)
    return float(m.group(1)) if m else None


def mlperf_row(r: dict[str, str]) -> dict[str, object] | None:
    chip = chip_for(r["accelerator"])
    bench = next((k for k in SHAPES if r["benchmark"].startswith(k)), None)
    if chip is None or bench is None:
        print(f"skipped {r['round']} {r['benchmark']} {r['accelerator']}", file=sys.stderr)
        return None
    model, prompt, output, beams, shape = SHAPES[bench]
    if bench == "gptj":
        samples = samples_per_chip(r["notes"])
        if samples is None:
            return None
        per_chip = samples * output
    else:
        per_chip = float(r["tokens_per_s_per_accelerator"])
    ttft, tpot = BOUNDS[r["latency_constraint"]]
    if ttft:
        ttft = f"{float(ttft) * prompt / LONGEST_PROMPT[bench]:.1f}"
    variant = "; H200-CTS is NVIDIA's 1000 W variant" if "CTS" in r["accelerator"] else ""
    return {
        "kind": "mlperf", "round": r["round"], "date": ROUND_DATES[r["round"]], "chip": chip,
        "model": model, "precision": precision_for(r["precision"]), "stack": "mlperf",
        "software": r["software"], "scenario": r["scenario"].lower(), "prompt_tokens": prompt,
        "output_tokens": output, "beam_width": beams, "ttft_ms": ttft, "tpot_ms": tpot,
        "tensor_parallel": "", "accelerators": r["accelerators"],
        "tokens_per_s_per_chip": f"{per_chip:.2f}", "submitter": r["submitter"], "system": r["system"],
        "source": r["source_path"], "shape_assumption": shape,
        "notes": f"{r['benchmark']} {r['latency_constraint']}{variant}"
                 + ("; TTFT bound scaled by mean/longest prompt" if ttft else ""),
    }


def published_row(r: dict[str, str]) -> dict[str, object]:
    per_chip = float(r["output_tokens_per_s_total"]) / float(r["accelerators"])
    return {
        "kind": "published", "round": r["software"], "date": r["date"], "chip": r["chip"],
        "model": r["model"], "precision": r["precision"], "stack": r["stack"],
        "software": r["software"], "scenario": r["scenario"], "prompt_tokens": r["prompt_tokens"],
        "output_tokens": r["output_tokens"], "beam_width": 1, "ttft_ms": r["ttft_ms"],
        "tpot_ms": r["tpot_ms"], "tensor_parallel": r["tensor_parallel"],
        "accelerators": r["accelerators"], "tokens_per_s_per_chip": f"{per_chip:.2f}",
        "submitter": "", "system": "", "source": f"{r['citation']} <{r['url']}>",
        "shape_assumption": "fixed synthetic lengths as published", "notes": r["notes"],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], newline="", encoding="utf-8") as f:
        ref = list(csv.DictReader(f))
    with open(PUBLISHED, newline="", encoding="utf-8") as f:
        pub = list(csv.DictReader(f))
    rows = [row for row in map(mlperf_row, ref) if row is not None]
    rows += [published_row(r) for r in pub]
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} calibration points -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
