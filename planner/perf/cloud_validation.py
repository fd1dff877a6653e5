"""Cloud-only silicon against published results (issue 22): TPU, Trainium2, Inferentia2.

``planner/data/cloud_published_results.csv`` holds published single-request (batch 1)
results for AWS's chips: Inferentia2 from the Neuron SDK's Inf2 performance tables,
Trainium2 from the Neuron SDK's Llama 3.3 70B tutorial, each with its source, software
and date.  Batch-1 results measure latency (time per output token, time to first token,
one request's output tokens/s), so they are compared with the model's best single-stream
latencies (:func:`single_stream`), not fitted: the calibration fit
(:mod:`planner.perf.calibration_fit`) predicts throughput at the largest batch meeting a
latency bound and has no batch cap, so a batch-1 point would let it choose any batch.
TPU v5e's published results (MLPerf Inference v4.0 GPT-J, offline and server) are
calibration points of the fit; :func:`markdown` repeats their in-sample and
leave-one-out errors beside the AWS rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from planner.perf.catalog import DATA_DIR, get_chip, get_model
from planner.perf.inference import estimate_throughput

RESULTS = DATA_DIR / "cloud_published_results.csv"
#: A TPOT target no chip meets: the estimate then reports the best achievable latencies.
_UNREACHABLE_TPOT_MS = 1e-3
_METRICS = {"tpot_ms": "time per output token, ms", "ttft_ms": "time to first token, ms",
            "e2e_output_tokens_per_s_per_user": "output tokens/s of one request"}


@dataclass(frozen=True)
class CloudResult:
    """One published result and the model's figure for it."""

    chip: str
    model: str
    precision: str
    stack: str
    software: str
    date: str
    prompt: float
    output: float
    accelerators: int
    metric: str
    measured: float
    modelled: float | None
    citation: str

    @property
    def error(self) -> float | None:
        """modelled / measured - 1 (for latencies, positive = the model is slower)."""
        return None if self.modelled is None else self.modelled / self.measured - 1.0


def single_stream(chip: str, model: str, precision: str, prompt: float, output: float,
                  max_chips: int, stack: str) -> tuple[float, float] | None:
    """The model's best (TTFT ms, TPOT ms) for one request on at most ``max_chips``."""
    est = estimate_throughput(get_chip(chip), get_model(model), precision, prompt, output,
                              None, _UNREACHABLE_TPOT_MS, max_replica_chips=max_chips,
                              stack=stack)
    if est.best_ttft_ms is None or est.best_tpot_ms is None:
        return None
    return est.best_ttft_ms, est.best_tpot_ms


def modelled(metric: str, ttft_ms: float, tpot_ms: float, output: float) -> float:
    """The model's figure for ``metric``: TPOT, TTFT, or one request's output tokens/s =
    output / (TTFT + (output - 1) x TPOT)."""
    if metric == "tpot_ms":
        return tpot_ms
    if metric == "ttft_ms":
        return ttft_ms
    return output / ((ttft_ms + (output - 1) * tpot_ms) / 1000.0)


def load(path: Path = RESULTS) -> list[CloudResult]:
    """Every published cloud result with the model's figure (None if it cannot serve)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        if r["metric"] not in _METRICS:
            raise ValueError(f"{path.name}: unknown metric {r['metric']}")
        prompt, output, chips = float(r["prompt_tokens"]), float(r["output_tokens"]), int(r["accelerators"])
        lat = single_stream(r["chip"], r["model"], r["precision"], prompt, output, chips, r["stack"])
        value = None if lat is None else modelled(r["metric"], *lat, output)
        out.append(CloudResult(get_chip(r["chip"]).name, r["model"], r["precision"], r["stack"],
                               r["software"], r["date"], prompt, output, chips, r["metric"],
                               float(r["measured"]), value, r["citation"]))
    return out


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:+.0f}%"


def _aws_table(results: list[CloudResult]) -> list[str]:
    lines = [("| Chip | Model | Shape (prompt/output), chips | Software, date | Measure | "
             "Published | Model | Error |"), "|---|---|---|---|---|---:|---:|---:|"]
    for r in results:
        model = "-" if r.modelled is None else f"{r.modelled:,.1f}"
        lines.append(f"| {r.chip} | {r.model} {r.precision} | {r.prompt:,.0f}/{r.output:,.0f}, "
                     f"{r.accelerators} | {r.software}, {r.date} | {_METRICS[r.metric]} | "
                     f"{r.measured:,.1f} | {model} | {_pct(r.error)} |")
    return lines


def markdown(tpu_rows: list[tuple[str, float, float, float]],
             results: list[CloudResult] | None = None) -> list[str]:
    """The calibration document's section: TPU rows (label, measured output tokens/s per
    chip, in-sample and LOO model/measured) from the fit, then the AWS comparison."""
    results = load() if results is None else results
    lines = [("Published results for the clouds' own silicon, with the model's error on each "
             "(model / published - 1)."), "",
             ("**TPU v5e** (calibration points of the fit above; no published LLM serving result "
             "for TPU v6e was found: its MLPerf v4.1 and v5.0 entries are Stable Diffusion XL "
             "only):"), "",
             "| Point | Published tok/s/chip | In-sample | LOO |", "|---|---:|---:|---:|"]
    for label, measured, ins, loo in tpu_rows:
        lines.append(f"| {label} | {measured:,.0f} | {_pct(ins - 1)} | {_pct(loo - 1)} |")
    lines += ["", ("**Trainium2 and Inferentia2** (`planner/data/cloud_published_results.csv`, "
              "`planner/perf/cloud_validation.py`): batch-1 results, compared with the model's "
              "best single-request latencies on at most the published number of chips at the "
              "default (vllm) efficiencies; a positive error on a latency means the model is "
              "slower than published, on tokens/s that it is faster:"), ""]
    lines += _aws_table(results)
    decode = max((abs(r.error) for r in results if r.metric != "ttft_ms" and r.error is not None),
                 default=0.0)
    lines += ["", ("These rows are compared, not fitted (the fit has no batch cap, so a batch-1 "
              "point would let it pick any batch).  What they show: decode (TPOT, one request's "
              f"tokens/s) is within {decode * 100:.0f}% on both chips at the default "
              "efficiencies (the model is optimistic: it assumes the default family's "
              "efficiency); "
              "Trainium2's prefill (TTFT) is several times slower in the model than published, "
              "because NeuronLink's bandwidth is not in the catalog and tensor-parallel traffic "
              "is priced at the PCIe rate (chips.csv note).  A published NeuronLink figure in "
              "the catalog, or batched Trainium2 and Inferentia2 throughput results, would let "
              "the fit calibrate the aws-neuron family.")]
    return lines
