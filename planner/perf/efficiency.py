"""Achieved efficiency per chip family and serving stack, read from ``planner/data/calibration.csv``.

The file is written by ``python -m planner.perf.calibrate`` (see ``docs/calibration.md``):
one row per (family, stack) with the efficiencies at the calibration's reference date
and the family's software-maturity rate, plus ``chip:`` rows (a chip's own factor on
top of its family's) and ``class:`` rows (mixture-of-experts and beam-search factors).
A family absent from it uses the ``default`` rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import lru_cache

from planner.domain.errors import PlannerError
from planner.domain.names import normalise
from planner.perf.catalog import DATA_DIR, DEFAULT_FAMILY

#: Serving stacks: a vendor's tuned MLPerf submission and the public engines.
STACKS = ("mlperf", "trt-llm", "vllm", "sglang")
#: What a typical buyer runs: the open-source engine most deployments use.
DEFAULT_STACK = "vllm"
#: Spellings users type for each stack.
STACK_ALIASES = {"mlperf": "mlperf", "tuned": "mlperf", "trtllm": "trt-llm",
                 "tensorrtllm": "trt-llm", "tensorrt": "trt-llm", "vllm": "vllm",
                 "sglang": "sglang"}
#: Efficiencies are capped: no stack reaches the datasheet.
MAX_EFFICIENCY = 0.95
#: The open-source engines, whose fine-grained MoE kernels with FP8 experts (Triton fused
#: MoE with block-scaled FP8) the calibration measures apart (``class:openmoe``); their
#: MXFP4 expert kernels (gpt-oss) are not in that class.
OPEN_STACKS = ("vllm", "sglang")
#: Routed experts from which a MoE is "fine-grained" (DeepSeek-V3's 256, Qwen3-MoE's and
#: Llama 4 Maverick's 128, gpt-oss-120b's 128): served with wide expert parallelism and
#: many small grouped, block-scaled expert multiplies, whose achieved efficiency the
#: calibration measures with its own ``class:finemoe`` term.  Coarse MoE (Mixtral's 8
#: experts of 14,336 columns) multiplies like a dense model.
FINE_MOE_MIN_EXPERTS = 32
#: Scheduler caps per engine (:data:`planner.perf.roofline.ENGINE_CHIPS` chips): tokens
#: per forward pass and concurrent sequences.  vLLM's defaults for its OpenAI server on
#: GPUs of 70 GB or more (vllm/engine/arg_utils.py: max_num_batched_tokens 8192,
#: max_num_seqs 1024); SGLang is taken alike (assumption: its chunked_prefill_size
#: default is 8192 on 80-GB-class GPUs and its running-request cap is set by memory and
#: CUDA-graph batch sizes).  TensorRT-LLM's trtllm-bench and MLPerf submissions tune
#: both to the workload: no cap.
SCHEDULER_LIMITS = {"vllm": (8192, 1024), "sglang": (8192, 1024)}


@dataclass(frozen=True)
class Efficiency:
    """What fraction of the datasheet a real serving stack achieves.

    ``compute``: fraction of peak FLOP/s reached by large matrix multiplies.
    ``memory``: fraction of peak memory bandwidth reached when streaming weights / KV.
    ``gemm_half_tokens``: tokens per matrix multiply at which it reaches half of
    ``compute`` (smaller multiplies use the tensor units less well).
    ``layer_overhead_us``: fixed time per layer per iteration (kernel launches, norms,
    synchronisation) that does not shrink with the batch.
    ``software_gain_per_year``: the family's software-maturity rate (log per year right
    after ``as_of_year``; :mod:`planner.perf.maturity`).
    ``routed``: the fraction of ``compute`` the routed-expert multiplies of a MoE reach
    (grouped, block-scaled expert kernels: the calibration's ``class:moe`` and
    ``class:finemoe`` factors); attention, dense layers and memory streams are not
    affected.
    """

    family: str
    compute: float
    memory: float
    gemm_half_tokens: float
    layer_overhead_us: float = 0.0
    stack: str = DEFAULT_STACK
    software_gain_per_year: float = 0.0
    as_of_year: float = 0.0
    factor: float = 0.0
    base_compute: float = 0.0
    base_memory: float = 0.0
    routed: float = 1.0

    @property
    def routed_compute(self) -> float:
        """Achieved fraction of peak of the routed-expert multiplies (large sizes)."""
        return self.compute * self.routed

    def gemm_efficiency(self, tokens: float) -> float:
        """Achieved fraction of peak for a multiply over ``tokens`` rows."""
        if tokens <= 0:
            return self.compute
        return self.compute * tokens / (tokens + self.gemm_half_tokens)

    def scaled(self, factor: float) -> Efficiency:
        """Compute and memory efficiency both times ``factor``, capped at MAX_EFFICIENCY.

        A calibrated row keeps its uncapped total (``factor`` times the bases), so a
        capped family value scaled down by a chip factor comes out as the calibration
        computed it (the cap applies once, to the product).
        """
        if self.factor <= 0:
            return replace(self, compute=min(self.compute * factor, MAX_EFFICIENCY),
                           memory=min(self.memory * factor, MAX_EFFICIENCY))
        total = self.factor * factor
        return replace(self, factor=total, compute=min(self.base_compute * total, MAX_EFFICIENCY),
                       memory=min(self.base_memory * total, MAX_EFFICIENCY))


#: Pure datasheet roofline (used with ``calibrated=False``).
IDEAL = Efficiency(family="ideal", compute=1.0, memory=1.0, gemm_half_tokens=0.0, stack="")

#: Used only if calibration.csv is missing: mid-range values from docs/calibration.md.
FALLBACK = Efficiency(family=DEFAULT_FAMILY, compute=0.4, memory=0.7, gemm_half_tokens=256.0)


def canonical_stack(name: object) -> str:
    """``"TensorRT-LLM"`` -> ``"trt-llm"``; blank -> the default; :class:`PlannerError` if unknown."""
    text = normalise(name) if name not in (None, "") else ""
    if not text:
        return DEFAULT_STACK
    key = text.replace("-", "").replace("_", "").replace(" ", "")
    if key in STACK_ALIASES:
        return STACK_ALIASES[key]
    raise PlannerError(f"unknown serving stack '{name}'; known stacks: {', '.join(STACKS)}")


def scheduler_limits(stack: str) -> tuple[int | None, int | None]:
    """(tokens per forward pass, concurrent sequences) per engine of ``stack``; None: no cap."""
    return SCHEDULER_LIMITS.get(stack, (None, None))


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[tuple[str, str], Efficiency], dict[str, float]]:
    path = DATA_DIR / "calibration.csv"
    table: dict[tuple[str, str], Efficiency] = {}
    factors: dict[str, float] = {}
    if not path.exists():
        return {(DEFAULT_FAMILY, DEFAULT_STACK): FALLBACK}, factors
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["family"].startswith(("chip:", "class:")):
                factors[row["family"]] = float(row["factor"])
                continue
            table[(row["family"], row["stack"])] = Efficiency(
                family=row["family"], stack=row["stack"],
                compute=float(row["compute_efficiency"]), memory=float(row["memory_efficiency"]),
                gemm_half_tokens=float(row["gemm_half_tokens"]),
                layer_overhead_us=float(row["layer_overhead_us"]),
                software_gain_per_year=float(row["software_gain_per_year"]),
                as_of_year=float(row["as_of_year"]), factor=float(row["factor"]),
                base_compute=float(row["compute_at_factor_1"]),
                base_memory=float(row["memory_at_factor_1"]))
    table.setdefault((DEFAULT_FAMILY, DEFAULT_STACK), FALLBACK)
    return table, factors


def efficiency_for(family: str, stack: str | None = None) -> Efficiency:
    """The calibrated efficiency of ``family`` on ``stack`` (default rows if it has none)."""
    table, _ = _rows()
    key = canonical_stack(stack)
    for fam in (family, DEFAULT_FAMILY):
        if (fam, key) in table:
            return table[(fam, key)]
    return table.get((DEFAULT_FAMILY, DEFAULT_STACK), FALLBACK)


def factor_for(name: str) -> float:
    """A ``chip:<name>`` or ``class:<moe|beam>`` factor from the calibration (1 if absent)."""
    return _rows()[1].get(name, 1.0)


def workload_efficiency(family: str, chip: str, moe: bool, beams: int,
                        stack: str | None = None, fine_moe: bool = False,
                        fp8_experts: bool = True, weight_only: bool = False) -> Efficiency:
    """Family-and-stack efficiency times the chip's own factor and the workload's class factors.

    Beam search scales the whole efficiency; a MoE's ``class:moe`` factor (and for a
    fine-grained MoE, at least :data:`FINE_MOE_MIN_EXPERTS` routed experts, also
    ``class:finemoe``, and on an open-source engine (:data:`OPEN_STACKS`) with experts
    multiplied in FP8 (``fp8_experts``: block-scaled FP8 grouped kernels) also
    ``class:openmoe``; with experts stored narrower than they multiply, ``weight_only``:
    MXFP4 upcast on a chip without FP4 math, also ``class:w4moe``) scales only its
    routed-expert multiplies (``Efficiency.routed``).
    """
    f = factor_for(f"chip:{chip}")
    if beams > 1:
        f *= factor_for("class:beam")
    routed = factor_for("class:moe") if moe else 1.0
    if moe and fine_moe:
        routed *= factor_for("class:finemoe")
        if canonical_stack(stack) in OPEN_STACKS and fp8_experts:
            routed *= factor_for("class:openmoe")
        if weight_only:
            routed *= factor_for("class:w4moe")
    return replace(efficiency_for(family, stack).scaled(f), routed=routed)


def calibrated_families() -> dict[str, Efficiency]:
    """The default-stack row of every calibrated family, keyed by family."""
    table, _ = _rows()
    return {fam: e for (fam, stack), e in table.items() if stack == DEFAULT_STACK}
