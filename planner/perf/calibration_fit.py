"""The calibration fit behind ``python -m planner.perf.calibrate`` (:mod:`planner.perf.calibrate`).

Writes ``planner/data/calibration.csv`` (read by the performance model) and
``docs/calibration.md`` (every point's modelled, measured and error, in-sample and
leave-one-out, by chip family, model and round, and the software-maturity forecast
check).  Deterministic: same inputs, same files.

Model.  Every point is predicted by the physics of :mod:`planner.perf.inference` run at
an efficiency ``F`` times the base (compute ``E_C``, memory ``E_M``), and

    log F = a0 + a_fam + s_stack + d_(stack, fam) + (r0 + r_fam) · h(date)

where ``a_fam`` is the chip family's level, ``s_stack`` the serving stack's offset from a
tuned MLPerf submission (``d`` its family-specific part), and ``h`` the saturating
software-maturity curve of :mod:`planner.perf.maturity` with yearly rate ``r0 + r_fam``.
The family, stack-by-family and rate-by-family terms are pulled toward 0 by ridge
penalties (a family with one point cannot be fitted from nothing: left out, it falls
back to the global values).  ``log F`` is linear in the parameters, so the fit is a
damped Gauss-Newton over precomputed per-point curves (prediction at a grid of ``F``).
Mixture-of-experts costs have no parameter: they follow from the routing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.perf.calibration_data import DEFAULT_STACK, STACKS, CalRow
from planner.perf.catalog import DEFAULT_FAMILY, get_chip, get_model
from planner.perf.efficiency import FINE_MOE_MIN_EXPERTS, OPEN_STACKS, Efficiency
from planner.perf.inference import estimate_throughput
from planner.perf.maturity import MAX_RATE_PER_YEAR, TAU_YEARS, decimal_year, saturating_years
from planner.perf.modelmath import resolve_precision, weight_only_formats

#: Base efficiencies at F = 1 (the family, stack and date terms scale both).  Their
#: ratio is a judgement: the compute-bound and memory-bound points cannot separate a
#: family's compute from its memory efficiency once each family has its own factor.
E_C = 0.44
E_M = 0.80
#: Efficiencies are capped: no stack reaches the datasheet.
MAX_EFFICIENCY = 0.95
#: Tokens per matrix multiply at which it reaches half its large-size efficiency
#: (tensor-core tiles are 64-256 rows; see docs/calibration.md for why it is not fitted).
GEMM_HALF_TOKENS = 256.0
#: Calibration replicas use tensor parallelism only (as the submitters run them).
MAX_PP = 1
#: Ridge weights (prior standard deviation s against a ~0.12 log-error row noise:
#: lambda = 0.12^2 / s^2): family level s = 0.4, stack-by-family s = 0.3, family rate
#: s = 0.15 per year.  The global stack offsets and global rate get a weak 0.01.
RIDGE_FAMILY = 0.09
RIDGE_STACK_FAMILY = 0.16
RIDGE_RATE_FAMILY = 0.64
RIDGE_WEAK = 0.01
#: A chip's own term on top of its family's (board power, cooling and memory variants
#: of one silicon: H100 PCIe at 350 W, GH200 at up to 1000 W): prior s = 0.2.
RIDGE_CHIP = 0.36
#: Prediction grid for F, and the floor used when a point is infeasible at some F.
GRID = np.exp(np.linspace(math.log(0.12), math.log(3.0), 48))
#: Grid for G, the routed-expert factor of a MoE point (class:moe x class:finemoe); the
#: curves of other points do not depend on it.
ROUTED_GRID = np.exp(np.linspace(math.log(0.1), math.log(1.6), 12))
#: Classes whose factor scales only the routed-expert multiplies (G), not F.
ROUTED_CLASSES = ("moe", "finemoe", "openmoe", "w4moe")

FLOOR = 1e-3
#: Stacks with no modelable point for a vendor's chips: (vendor prefix of the family or
#: "*", stack) -> (stack whose offset they take, log ratio to it, source).  The ratios are
#: two engines on the same machine and load (what an offset means): the Spheron H100
#: comparison (2026-03-23; Llama 3.3 70B FP8 on one H100, ~512/256 tokens, 50 concurrent
#: requests): TensorRT-LLM 1.2.0 2,100, SGLang 0.5.9 1,920, vLLM 0.18.0 1,850 tok/s.
#: Its runs cannot be calibration points themselves (70 GB of weights leave the model no
#: KV room on one 80 GB H100).  A vendor-specific entry wins over "*".
SPHERON = "Spheron blog 2026-03-23, one H100, Llama 3.3 70B FP8, 50 concurrent requests"
STACK_PRIORS = {
    ("nvidia", "vllm"): ("trt-llm", math.log(1850.0 / 2100.0), SPHERON + ": vLLM 0.18.0 / TensorRT-LLM 1.2.0 = 1,850 / 2,100"),
    ("nvidia", "sglang"): ("trt-llm", math.log(1920.0 / 2100.0), SPHERON + ": SGLang 0.5.9 / TensorRT-LLM 1.2.0 = 1,920 / 2,100"),
    ("*", "sglang"): ("vllm", math.log(1920.0 / 1850.0), SPHERON + ": SGLang 0.5.9 / vLLM 0.18.0 = 1,920 / 1,850"),
}


def stack_prior(family: str, stack: str) -> tuple[str, float, str] | None:
    """The prior for ``stack`` on ``family``'s vendor, if one applies."""
    vendor = family.split("-")[0]
    return STACK_PRIORS.get((vendor, stack)) or STACK_PRIORS.get(("*", stack))


def pinned_stack(family: str, stack: str) -> tuple[str, float]:
    """(stack whose terms a point takes, constant log offset added to its log F).

    A vendor-specific prior (NVIDIA vLLM and SGLang: the same-machine ratio to
    TensorRT-LLM on a dense model) defines the stack: its points take the base stack's
    terms times the ratio, so what they measure beyond it (the open engines' slower
    fine-grained MoE kernels) lands on the ``openmoe`` routed-expert class, not on every
    dense model served by that stack.
    """
    prior = STACK_PRIORS.get((family.split("-")[0], stack))
    return (prior[0], prior[1]) if prior else (stack, 0.0)


MLPERF_FORECAST_TRAIN = ("v4.0", "v4.1")
MLPERF_FORECAST_TEST = "v5.0"


def base_efficiency(f: float, family: str = DEFAULT_FAMILY, stack: str = DEFAULT_STACK,
                    routed: float = 1.0) -> Efficiency:
    """The efficiency at factor ``f`` (routed-expert factor ``routed``); ``stack`` sets the
    scheduler caps the physics applies."""
    return Efficiency(family=family, compute=min(E_C * f, MAX_EFFICIENCY),
                      memory=min(E_M * f, MAX_EFFICIENCY), gemm_half_tokens=GEMM_HALF_TOKENS,
                      stack=stack, routed=routed)


def predict(row: CalRow, eff: Efficiency) -> float:
    """Modelled output tokens/s per chip of ``row`` at efficiency ``eff`` (0 if infeasible)."""
    est = estimate_throughput(get_chip(row.chip), get_model(row.model), row.precision, row.prompt,
                              row.output, row.ttft_ms, row.tpot_ms, efficiency=eff,
                              max_pipeline_parallel=MAX_PP, beam_width=row.beams,
                              tensor_parallel=row.tensor_parallel,
                              max_replica_chips=row.max_chips)
    return est.output_tokens_per_s_per_chip if est.feasible else 0.0


def curve(row: CalRow) -> np.ndarray:
    """log(prediction / measured) at every grid value of (F, G), floored when infeasible.

    Shape (len(GRID), len(ROUTED_GRID)); a point without routed experts is constant in G.
    """
    gs = ROUTED_GRID if "moe" in row_classes(row) else np.array([1.0])
    preds = np.array([[predict(row, base_efficiency(f, stack=row.stack, routed=g)) for g in gs]
                      for f in GRID])
    out = np.log(np.maximum(preds, FLOOR * row.measured) / row.measured)
    return np.repeat(out, len(ROUTED_GRID), axis=1) if len(gs) == 1 else out


@dataclass(frozen=True)
class Design:
    """Column names and the design matrix X (log F = X θ), with per-column ridge weights."""

    names: list[str]
    X: np.ndarray
    ridge: np.ndarray
    t0: float
    offset: np.ndarray | None = None  # constant log F per row (pinned stacks)


def columns(rows: list[CalRow]) -> list[str]:
    fams = sorted({r.family for r in rows})
    stacks = [s for s in STACKS if s != "mlperf" and any(r.stack == s for r in rows)]
    names = ["level"] + [f"fam:{f}" for f in fams] + [f"stack:{s}" for s in stacks]
    names += sorted({f"stackfam:{r.stack}:{r.family}" for r in rows if r.stack != "mlperf"})
    names += [f"chip:{c}" for c in sorted({r.chip for r in rows})]
    names += [f"class:{k}" for k in ("moe", "finemoe", "openmoe", "w4moe", "beam")
              if any(k in row_classes(r) for r in rows)]
    return names + ["rate"] + [f"ratefam:{f}" for f in fams]


def _ridge(name: str) -> float:
    kind = name.split(":")[0]
    return {"fam": RIDGE_FAMILY, "stackfam": RIDGE_STACK_FAMILY, "ratefam": RIDGE_RATE_FAMILY,
            "chip": RIDGE_CHIP,
            "stack": RIDGE_WEAK, "rate": RIDGE_WEAK, "class": RIDGE_WEAK}.get(kind, 0.0)


def row_classes(row: CalRow) -> tuple[str, ...]:
    """Workload classes with a term of their own: mixture-of-experts models (grouped
    expert multiplies and routing kernels below the dense-multiply efficiency), fine-grained
    MoE on top of that (at least FINE_MOE_MIN_EXPERTS experts: many small block-scaled
    expert multiplies; on vLLM/SGLang with FP8 experts also openmoe; with 4-bit experts
    upcast on a chip without FP4 math also w4moe) and beam search (forking and pruning
    beams each step)."""
    out = []
    chip, model = get_chip(row.chip), get_model(row.model)
    if model.experts > 1:
        out.append("moe")
    if model.experts >= FINE_MOE_MIN_EXPERTS:
        out.append("finemoe")
        compute, stored = weight_only_formats(chip, model, row.precision,
                                              resolve_precision(chip, row.precision))
        if row.stack in OPEN_STACKS and compute == "fp8":
            out.append("openmoe")
        if stored:
            out.append("w4moe")
    if row.beams > 1:
        out.append("beam")
    return tuple(out)


def features(names: list[str], family: str, stack: str, year: float, t0: float,
             chip: str = "", classes: tuple[str, ...] = ()) -> np.ndarray:
    """The design row of a (chip, family, stack, date): which parameters its log F adds up."""
    h = saturating_years(year, t0)
    stack, _ = pinned_stack(family, stack)
    x = np.zeros(len(names))
    index = {n: i for i, n in enumerate(names)}
    for name, value in (("level", 1.0), (f"fam:{family}", 1.0), (f"stack:{stack}", 1.0),
                        (f"stackfam:{stack}:{family}", 1.0), (f"chip:{chip}", 1.0), ("rate", h), (f"ratefam:{family}", h),
                        *((f"class:{k}", 1.0) for k in classes)):
        if name in index:
            x[index[name]] = value
    return x


def design(rows: list[CalRow], t0: float) -> Design:
    names = columns(rows)
    X = np.array([features(names, r.family, r.stack, r.year, t0, r.chip, row_classes(r))
                  for r in rows])
    offset = np.array([pinned_stack(r.family, r.stack)[1] for r in rows])
    return Design(names, X, np.array([_ridge(n) for n in names]), t0, offset)


def _as_surface(curves: np.ndarray) -> np.ndarray:
    """Curves over F only (n, len(GRID)) become surfaces constant in G."""
    if curves.ndim == 2:
        return np.repeat(curves[:, :, None], len(ROUTED_GRID), axis=2)
    return curves


def _cell(grid: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lg = np.log(grid)
    z = np.clip(z, lg[0], lg[-1])
    i = np.clip(np.searchsorted(lg, z) - 1, 0, len(lg) - 2)
    width = lg[i + 1] - lg[i]
    return i, (z - lg[i]) / width, width


def _interp(curves: np.ndarray, zf: np.ndarray, zg: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's surface at (log F, log G) = (zf, zg), clipped to the grids: bilinear
    values and their slopes along log F and log G."""
    c = _as_surface(np.asarray(curves))
    zg = np.zeros_like(zf) if zg is None else zg
    i, tf, wf = _cell(GRID, zf)
    j, tg, wg = _cell(ROUTED_GRID, zg)
    r = np.arange(len(c))
    c00, c10, c01, c11 = c[r, i, j], c[r, i + 1, j], c[r, i, j + 1], c[r, i + 1, j + 1]
    val = c00 * (1 - tf) * (1 - tg) + c10 * tf * (1 - tg) + c01 * (1 - tf) * tg + c11 * tf * tg
    df = ((c10 - c00) * (1 - tg) + (c11 - c01) * tg) / wf
    dg = ((c01 - c00) * (1 - tf) + (c11 - c10) * tf) / wg
    return val, df, dg


def routed_mask(d: Design) -> np.ndarray:
    """Columns whose parameters set log G (the routed-expert factor) rather than log F."""
    return np.array([n in {f"class:{k}" for k in ROUTED_CLASSES} for n in d.names])


def split(d: Design, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log F, log G) of every design row."""
    g = routed_mask(d)
    zf = d.X @ np.where(g, 0.0, theta)
    return (zf if d.offset is None else zf + d.offset), d.X @ np.where(g, theta, 0.0)


def loss(curves: np.ndarray, d: Design, theta: np.ndarray) -> float:
    val, _, _ = _interp(curves, *split(d, theta))
    return float(val @ val + d.ridge @ (theta * theta))


def fit(curves: np.ndarray, d: Design, theta: np.ndarray | None = None, iters: int = 40) -> np.ndarray:
    """Damped Gauss-Newton (Levenberg-Marquardt) on squared log errors plus ridge."""
    theta = np.zeros(len(d.names)) if theta is None else theta.copy()
    damp, current = 1e-3, loss(curves, d, theta)
    R = np.diag(d.ridge)
    g = routed_mask(d)
    XF, XG = d.X * ~g, d.X * g
    for _ in range(iters):
        val, df, dg = _interp(curves, *split(d, theta))
        J = df[:, None] * XF + dg[:, None] * XG
        A = J.T @ J + R
        g = J.T @ val + R @ theta
        step = np.linalg.solve(A + damp * (np.diag(np.diag(A)) + 1e-9 * np.eye(len(theta))), -g)
        trial = theta + step
        new = loss(curves, d, trial)
        if new < current:
            theta, damp = trial, max(damp / 3.0, 1e-6)
            if current - new < 1e-10:
                break
            current = new
        else:
            damp *= 4.0
            if damp > 1e6:
                break
    return theta


def log_factor(d: Design, theta: np.ndarray, family: str, stack: str, year: float,
               chip: str = "", classes: tuple[str, ...] = ()) -> float:
    """log F of a (chip, family, stack, date, classes) under the fitted parameters (the
    routed-expert classes are not in it: :func:`log_routed`)."""
    x = features(d.names, family, stack, year, d.t0, chip, classes) * ~routed_mask(d)
    rate_cols = [i for i, n in enumerate(d.names) if n == "rate" or n.startswith("ratefam:")]
    base = float(np.delete(x, rate_cols) @ np.delete(theta, rate_cols))
    base += pinned_stack(family, stack)[1]
    return base + rate(d, theta, family) * saturating_years(year, d.t0)


def log_routed(d: Design, theta: np.ndarray, classes: tuple[str, ...]) -> float:
    """log G: the sum of the fitted routed-expert class terms a point's classes take."""
    idx = {n: i for i, n in enumerate(d.names)}
    return float(sum(theta[idx[f"class:{k}"]] for k in ROUTED_CLASSES
                     if k in classes and f"class:{k}" in idx))


def rate(d: Design, theta: np.ndarray, family: str) -> float:
    """Software gain per year (log) of ``family`` right after the reference date.

    Clamped to [0, MAX_RATE_PER_YEAR]: a family whose points happen to fall over time
    (different submitters in different rounds) is taken not to get slower.
    """
    idx = {n: i for i, n in enumerate(d.names)}
    r = theta[idx["rate"]] + (theta[idx[f"ratefam:{family}"]] if f"ratefam:{family}" in idx else 0.0)
    return float(min(max(r, 0.0), MAX_RATE_PER_YEAR))


def as_of(rows: list[CalRow]) -> float:
    return max(r.year for r in rows)



@dataclass
class Report:
    rows: list[CalRow]
    excluded: list[CalRow]
    design: Design
    theta: np.ndarray
    in_sample: list[float]          # modelled / measured
    loo: list[float]                # modelled / measured, the row left out of the fit
    forecast: list[tuple[CalRow, float, float]]  # v5.0 row, with maturity, frozen at v4.1
    melange: list[tuple[str, int, int, float, float]]

    def stack_log_offset(self, stack: str, family: str) -> float:
        """log F of ``stack`` over a tuned MLPerf submission for ``family``.

        Fitted where the stack has points on chips of the family's vendor; otherwise the
        stack's prior ratio to another stack (:data:`STACK_PRIORS`).
        """
        prior = stack_prior(family, stack)
        vendor = family.split("-")[0]
        if (vendor, stack) in STACK_PRIORS or (
                prior is not None and not any(r.stack == stack and r.family.split("-")[0] == vendor
                                              for r in self.rows)):
            base, ratio, _ = prior
            return self.stack_log_offset(base, family) + ratio
        x = features(self.design.names, family, stack, self.design.t0, self.design.t0)
        y = features(self.design.names, family, "mlperf", self.design.t0, self.design.t0)
        return float((x - y) @ self.theta)

    def log_factor(self, family: str, stack: str, chip: str = "") -> float:
        """log F at the reference date (stack priors applied)."""
        base = log_factor(self.design, self.theta, family, "mlperf", self.design.t0, chip)
        return base + self.stack_log_offset(stack, family)


__all__ = ["DEFAULT_STACK", "MAX_RATE_PER_YEAR", "TAU_YEARS", "decimal_year"]
