"""Fit achieved efficiencies to MLPerf results: ``python -m planner.perf.calibrate``.

Writes ``planner/data/calibration.csv`` (read by the performance model) and
``docs/calibration.md`` (each row's modelled, measured and error, in-sample and
leave-one-out).  Deterministic: same inputs, same files.

Fitted parameters (log space): a global compute efficiency and one factor per chip
family that scales both the compute and the memory efficiency, pulled toward 1 by a
ridge penalty (a family with a single row cannot be fitted from nothing: left out, it
falls back to the global values).  Mixture-of-experts costs have no parameter: they
are derived from the routing (:mod:`planner.perf.moe`).  The memory efficiency before the family factor
(``MEMORY_EFFICIENCY``) and the GEMM half-efficiency size (``GEMM_HALF_TOKENS``) are
fixed judgements, explained where they are defined.
"""

from __future__ import annotations

import argparse
import csv
import math
from dataclasses import dataclass
from pathlib import Path

from planner.common.atomic import atomic_path
from planner.perf.catalog import DATA_DIR, DEFAULT_FAMILY, chip_family, get_chip, get_model
from planner.perf.efficiency import Efficiency
from planner.perf.fit import nelder_mead
from planner.perf.inference import estimate_throughput

#: MLPerf server scenario for Llama 2 70B: TTFT <= 2 s and TPOT <= 200 ms (p99).
SERVER_TTFT_MS = 2000.0
SERVER_TPOT_MS = 200.0
#: Ridge weight on (log family factor)^2: a prior standard deviation of ~35 % for a
#: family's factor against a ~10 % row noise (lambda = 0.1^2 / 0.35^2 ≈ 0.08).
RIDGE = 0.08
#: Efficiencies are capped: no stack reaches the datasheet.
MAX_EFFICIENCY = 0.95
#: Fraction of peak HBM bandwidth reached when streaming weights and KV cache, before
#: the family factor.  Not fitted: the MLPerf rows are large-batch, compute-bound runs
#: that cannot pin it down (left free, the fit drives it to an unphysical ~0.1).
MEMORY_EFFICIENCY = 0.8
#: Calibration replicas use tensor parallelism only (MLPerf submitters run data-parallel
#: copies of tensor-parallel groups); the planner may also pipeline.
MAX_PP = 1
#: Tokens per matrix multiply at which it reaches half its large-size efficiency.  Not
#: fitted: left free it absorbs the Mixtral row (the only MoE row) and grows to ~2700,
#: which would make a lone 300-token prefill run at 10 % of peak, far slower than
#: measured single-request latencies.  256 is a judgement: tensor-core tiles are
#: 64-256 rows, and a multiply a few tiles tall keeps most of the units busy.
GEMM_HALF_TOKENS = 256.0
START = (math.log(0.5),)
N_GLOBAL = len(START)
#: A few cells of the reference Mélange profile (litone01/melange-release@3d13f19,
#: eval/eval.ipynb gpu_info_llama7b; Griggs et al. 2024): chip, prompt tokens, output
#: tokens, measured requests/s per GPU for Llama 2 7B on vLLM.  Out-of-sample only.
MELANGE_TPOT_MS = 120.0
MELANGE_CELLS = (
    ("A100 80GB SXM", 250, 250, 7.58), ("A100 80GB SXM", 1000, 250, 3.01),
    ("A100 80GB SXM", 100, 1000, 1.57), ("A100 80GB SXM", 2000, 100, 3.08),
    ("H100 SXM", 250, 250, 7.693894679), ("H100 SXM", 1000, 250, 4.115091145),
    ("H100 SXM", 100, 1000, 1.729453125), ("H100 SXM", 2000, 100, 4.886714532),
)
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "calibration.md"


@dataclass(frozen=True)
class CalRow:
    label: str
    chip: str
    family: str
    model: str
    precision: str
    scenario: str
    prompt: float
    output: float
    measured: float
    source: str
    beams: int = 1


def load_rows(path: Path = DATA_DIR / "mlperf_calibration.csv") -> list[CalRow]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        chip = get_chip(r["chip"])
        label = f"{r['system']} x{r['accelerators']} {r['benchmark']} {r['scenario']}"
        out.append(CalRow(label, chip.name, chip_family(chip), r["model"], r["precision"],
                          r["scenario"], float(r["prompt_tokens"]), float(r["output_tokens"]),
                          float(r["tokens_per_s_per_accelerator"]), r["source"],
                          int(r.get("beam_width") or 1)))
    return out


def families(rows: list[CalRow]) -> list[str]:
    return sorted({r.family for r in rows})


def family_factor(theta: list[float], fams: list[str], family: str) -> float:
    return math.exp(theta[N_GLOBAL + fams.index(family)]) if family in fams else 1.0


def efficiency(theta: list[float], fams: list[str], family: str) -> Efficiency:
    """The efficiency a parameter vector gives ``family`` (factor 1 if not in ``fams``)."""
    factor = family_factor(theta, fams, family)
    return Efficiency(
        family=family,
        compute=min(math.exp(theta[0]) * factor, MAX_EFFICIENCY),
        memory=min(MEMORY_EFFICIENCY * factor, MAX_EFFICIENCY),
        gemm_half_tokens=GEMM_HALF_TOKENS,
    )


def predict(row: CalRow, eff: Efficiency) -> float:
    server = row.scenario == "server"
    est = estimate_throughput(get_chip(row.chip), get_model(row.model), row.precision, row.prompt,
                              row.output, SERVER_TTFT_MS if server else None,
                              SERVER_TPOT_MS if server else None, efficiency=eff,
                              max_pipeline_parallel=MAX_PP, beam_width=row.beams)
    return est.output_tokens_per_s_per_chip


def fit(rows: list[CalRow], fams: list[str]) -> list[float]:
    """Parameters minimising squared log error plus the ridge on family factors."""

    def loss(theta: list[float]) -> float:
        total = RIDGE * sum(t * t for t in theta[N_GLOBAL:])
        for r in rows:
            pred = predict(r, efficiency(theta, fams, r.family))
            total += (math.log(max(pred, 1e-9)) - math.log(r.measured)) ** 2
        return total

    theta = list(START) + [0.0] * len(fams)
    for _ in range(2):  # a restart escapes an early collapse of the simplex
        theta, _ = nelder_mead(loss, theta, step=0.15, max_evals=800)
    return theta


def rel_error(pred: float, measured: float) -> float:
    return pred / measured - 1.0


@dataclass(frozen=True)
class Report:
    theta: list[float]
    fams: list[str]
    rows: list[CalRow]
    in_sample: list[float]
    loo: list[float]
    melange: list[tuple[str, float, float, float, float]]


def run() -> Report:
    rows = load_rows()
    fams = families(rows)
    theta = fit(rows, fams)
    in_sample = [predict(r, efficiency(theta, fams, r.family)) for r in rows]
    loo = []
    for i, r in enumerate(rows):
        rest = rows[:i] + rows[i + 1:]
        rest_fams = families(rest)
        th = fit(rest, rest_fams)
        loo.append(predict(r, efficiency(th, rest_fams, r.family)))
    melange = []
    for chip, prompt, output, rps in MELANGE_CELLS:
        eff = efficiency(theta, fams, chip_family(get_chip(chip)))
        est = estimate_throughput(get_chip(chip), get_model("llama-2-7b"), "bf16", prompt, output,
                                  None, MELANGE_TPOT_MS, efficiency=eff)
        melange.append((chip, prompt, output, rps, est.requests_per_s_per_chip))
    return Report(theta, fams, rows, in_sample, loo, melange)


def write_csv(rep: Report, path: Path = DATA_DIR / "calibration.csv") -> None:
    counts = {f: sum(r.family == f for r in rep.rows) for f in rep.fams}
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["family", "compute_efficiency", "memory_efficiency", "gemm_half_tokens",
                    "layer_overhead_us", "family_factor", "calibration_rows",
                    "source"])
        for fam in [DEFAULT_FAMILY] + rep.fams:
            e = efficiency(rep.theta, rep.fams, fam)
            factor = family_factor(rep.theta, rep.fams, fam)
            w.writerow([fam, f"{e.compute:.4f}", f"{e.memory:.4f}", f"{e.gemm_half_tokens:.1f}",
                        "0", f"{factor:.4f}", counts.get(fam, 0),
                        "fitted by planner.perf.calibrate to mlperf_calibration.csv"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/calibration.md")
    args = parser.parse_args(argv)
    rep = run()
    write_csv(rep)
    from planner.perf.calibration_doc import render

    text = render(rep)
    if not args.no_doc:
        with atomic_path(DOC_PATH) as tmp:
            tmp.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
