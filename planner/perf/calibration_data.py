"""The calibration points: ``planner/data/calibration_points.csv`` as typed rows.

Built by ``scripts/build_calibration_points.py`` from the reference MLPerf Inference
v4.0-v5.0 table and ``planner/data/published_results.csv`` (framework and vendor
results, each with its source, software version and date).  See docs/calibration.md.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from planner.perf.catalog import DATA_DIR, chip_family, get_chip
from planner.perf.efficiency import DEFAULT_STACK, STACKS
from planner.perf.maturity import decimal_year

__all__ = ["DEFAULT_STACK", "STACKS", "CalRow", "load_points"]

POINTS = DATA_DIR / "calibration_points.csv"

#: MLPerf bounds are 99th percentiles, the model's latencies are means.  TPOT: the
#: TensorRT-LLM perf overview's example trtllm-bench output reports p99 206.58 ms over an
#: average of 182.96 ms (ratio 1.13).  TTFT: the tail is set by the longest prompts, so
#: the build script already scales the bound by mean / longest prompt (no ratio here).
#: Published concurrency points already give means: no ratio.
P99_OVER_MEAN_TPOT = 1.13
P99_OVER_MEAN_TTFT = 1.0


@dataclass(frozen=True)
class CalRow:
    """One measured point: chip, model, shape, bounds, stack, date and what it served."""

    label: str
    kind: str
    round: str
    year: float
    chip: str
    family: str
    model: str
    precision: str
    stack: str
    scenario: str
    prompt: float
    output: float
    beams: int
    ttft_ms: float | None
    tpot_ms: float | None
    tensor_parallel: int | None
    measured: float
    source: str
    max_chips: int | None = None

    @property
    def software_family(self) -> str:
        """The software's name without its version ("TensorRT-LLM", "rocm/vllm")."""
        return self.round.split(":")[0].split(" ")[0]


def _num(text: str) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _bounds(r: dict[str, str]) -> tuple[float | None, float | None]:
    ttft, tpot = _num(r["ttft_ms"]), _num(r["tpot_ms"])
    if r["kind"] == "mlperf":
        ttft = ttft / P99_OVER_MEAN_TTFT if ttft else None
        tpot = tpot / P99_OVER_MEAN_TPOT if tpot else None
    return ttft, tpot


def _label(r: dict[str, str]) -> str:
    if r["kind"] == "mlperf":
        return f"{r['round']} {r['submitter']} {r['chip']} x{r['accelerators']} {r['notes'].split()[0]} {r['scenario']}"
    tp = f" TP{r['tensor_parallel']}" if r["tensor_parallel"] else ""
    bound = f" TPOT {float(r['tpot_ms']):.0f} ms" if r["tpot_ms"] else ""
    return (f"{r['software']} {r['chip']}{tp} {r['model']} {r['precision']} "
            f"{r['prompt_tokens']}/{r['output_tokens']}{bound}")


def _replica_cap(r: dict[str, str]) -> int | None:
    """A published result ran one replica on its ``accelerators`` chips (8 for one server):
    the model may not spread it wider.  MLPerf rows keep the free search (their systems
    run several replicas)."""
    n = _num(r["accelerators"])
    return int(n) if r["kind"] != "mlperf" and n else None


def load_points(path: Path = POINTS) -> list[CalRow]:
    """Every calibration point, in file order."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    seen: dict[str, int] = {}
    for r in rows:
        chip = get_chip(r["chip"])
        label = _label(r)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label} ({r['system'] or seen[label]})"
        ttft, tpot = _bounds(r)
        tp = _num(r["tensor_parallel"])
        out.append(CalRow(
            label=label, kind=r["kind"], round=r["round"], year=decimal_year(r["date"]),
            chip=chip.name, family=chip_family(chip), model=r["model"], precision=r["precision"],
            stack=r["stack"], scenario=r["scenario"], prompt=float(r["prompt_tokens"]),
            output=float(r["output_tokens"]), beams=int(r["beam_width"] or 1), ttft_ms=ttft,
            tpot_ms=tpot, tensor_parallel=int(tp) if tp else None,
            measured=float(r["tokens_per_s_per_chip"]), source=r["source"],
            max_chips=_replica_cap(r)))
    return out
