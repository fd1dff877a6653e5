"""Run the calibration (fit, leave-one-out, maturity forecast) and write its outputs.

Called by ``python -m planner.perf.calibrate``; the document is rendered by
:mod:`planner.perf.calibration_doc`.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from planner.common.atomic import atomic_path
from planner.perf import calibration_fit as cal
from planner.perf.calibration_data import CalRow, load_points
from planner.perf.calibration_doc import render
from planner.perf.calibration_fit import Report
from planner.perf.catalog import DEFAULT_FAMILY, chip_family, get_chip, get_model
from planner.perf.efficiency import STACKS, Efficiency
from planner.perf.inference import estimate_throughput

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "calibration.md"
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


def _ratio(curves: np.ndarray, z: float, zg: float = 0.0) -> float:
    val, _, _ = cal._interp(curves[None, ...], np.array([z]), np.array([zg]))
    return float(math.exp(val[0]))


def _predict_left_out(rows: list[CalRow], curves: np.ndarray, i: int, t0: float) -> float:
    keep = [j for j in range(len(rows)) if j != i]
    sub = [rows[j] for j in keep]
    d = cal.design(sub, t0)
    theta = cal.fit(curves[keep], d)
    r = rows[i]
    classes = cal.row_classes(r)
    return _ratio(curves[i], cal.log_factor(d, theta, r.family, r.stack, r.year, r.chip, classes),
                  cal.log_routed(d, theta, classes))


def _forecast(rows: list[CalRow], curves: np.ndarray, t0: float) -> list[tuple[CalRow, float, float]]:
    """Fit on MLPerf v4.0-v4.1 only; predict every v5.0 row with and without maturity."""
    train = [i for i, r in enumerate(rows) if r.kind == "mlperf" and r.round in cal.MLPERF_FORECAST_TRAIN]
    test = [i for i, r in enumerate(rows) if r.kind == "mlperf" and r.round == cal.MLPERF_FORECAST_TEST]
    sub = [rows[i] for i in train]
    d = cal.design(sub, t0)
    theta = cal.fit(curves[train], d)
    last = max(r.year for r in sub)
    out = []
    for i in test:
        r, classes = rows[i], cal.row_classes(rows[i])
        grown = cal.log_factor(d, theta, r.family, r.stack, r.year, r.chip, classes)
        frozen = cal.log_factor(d, theta, r.family, r.stack, last, r.chip, classes)
        zg = cal.log_routed(d, theta, classes)
        out.append((r, _ratio(curves[i], grown, zg), _ratio(curves[i], frozen, zg)))
    return out


def _melange(rep: Report) -> list[tuple[str, int, int, float, float]]:
    out = []
    for chip, prompt, output, rps in MELANGE_CELLS:
        est = estimate_throughput(get_chip(chip), get_model("llama-2-7b"), "bf16", prompt, output,
                                  None, MELANGE_TPOT_MS, efficiency=_efficiency(rep, chip))
        out.append((chip, prompt, output, rps, est.requests_per_s_per_chip))
    return out


def _efficiency(rep: Report, chip: str, stack: str = "vllm") -> Efficiency:
    fam = chip_family(get_chip(chip))
    return cal.base_efficiency(math.exp(rep.log_factor(fam, stack, chip)), fam, stack)


def run() -> Report:
    """Fit on every modelable point, leave each out in turn, and run the forecast check."""
    everything = load_points()
    curves_all = np.array([cal.curve(r) for r in everything])
    ok = [i for i in range(len(everything)) if curves_all[i].max() > math.log(cal.FLOOR) + 1e-9]
    rows = [everything[i] for i in ok]
    excluded = [r for i, r in enumerate(everything) if i not in ok]
    curves = curves_all[ok]
    t0 = cal.as_of(rows)
    d = cal.design(rows, t0)
    theta = cal.fit(curves, d)
    val, _, _ = cal._interp(curves, *cal.split(d, theta))
    in_sample = [float(math.exp(v)) for v in val]
    loo = [_predict_left_out(rows, curves, i, t0) for i in range(len(rows))]
    rep = Report(rows, excluded, d, theta, in_sample, loo, _forecast(rows, curves, t0), [])
    rep.melange = _melange(rep)
    return rep


def families(rep: Report) -> list[str]:
    return [DEFAULT_FAMILY] + sorted({r.family for r in rep.rows})


def write_csv(rep: Report, path: Path) -> None:
    """calibration.csv: (family, stack) rows, then chip: and class: factor rows."""
    counts: dict[str, int] = {}
    for r in rep.rows:
        counts[r.family] = counts.get(r.family, 0) + 1
    header = ["family", "stack", "compute_efficiency", "memory_efficiency", "gemm_half_tokens",
              "layer_overhead_us", "factor", "software_gain_per_year", "as_of_year",
              "calibration_rows", "compute_at_factor_1", "memory_at_factor_1", "source"]
    src = "fitted by planner.perf.calibrate to calibration_points.csv"
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for fam in families(rep):
            gain = cal.rate(rep.design, rep.theta, fam)
            for stack in STACKS:
                factor = math.exp(rep.log_factor(fam, stack))
                e = cal.base_efficiency(factor, fam, stack)
                w.writerow([fam, stack, f"{e.compute:.4f}", f"{e.memory:.4f}",
                            f"{e.gemm_half_tokens:.1f}", "0", f"{factor:.6f}", f"{gain:.6f}",
                            f"{rep.design.t0:.6f}", counts.get(fam, 0), cal.E_C, cal.E_M, src])
        for i, name in enumerate(rep.design.names):
            if name.startswith(("chip:", "class:")):
                w.writerow([name, "", "", "", "", "", f"{math.exp(rep.theta[i]):.6f}", "", "",
                            sum(1 for _ in _rows_with(rep, name)), "", "", src])


def _rows_with(rep: Report, name: str):
    kind, value = name.split(":", 1)
    for r in rep.rows:
        if (kind == "chip" and r.chip == value) or (kind == "class" and value in cal.row_classes(r)):
            yield r


def write_doc(rep: Report, write: bool = True) -> str:
    text = render(rep)
    if write:
        with atomic_path(DOC_PATH) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return text
