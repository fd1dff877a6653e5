"""Sensitivity: one parameter swept over values, or several at a low and a high value
(a tornado).  Every point is one independent solve of the base with one override."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from planner.domain import PlanInput, PlannerError
from planner.domain.estimates import Estimates
from planner.domain.scenarios import BASE, Override, ScenarioSpec
from planner.io.parse_scenarios import OverrideError, ScenarioContext, build_override
from planner.scenarios.jobs import DEFAULT_OPTIONS, Job, Outcome, SolveOptions
from planner.scenarios.overrides import apply_override
from planner.scenarios.runner import executor, run_jobs

CLI_COLUMNS = {"parameter": "--param", "selector": "--selector", "operation": "--operation",
               "value": "--values"}


@dataclass(frozen=True)
class Point:
    """One solve of a sweep: the override's value as typed, and what came of it."""

    parameter: str
    value: str
    override: Override | None
    outcome: Outcome


@dataclass
class SweepResult:
    base: Outcome
    points: list[Point]

    @property
    def outcomes(self) -> list[Outcome]:
        return [self.base] + [p.outcome for p in self.points]


def override_for(inp: PlanInput, parameter: str, selector: str | None, operation: str | None,
                 value: object, columns: dict[str, str] | None = None) -> Override:
    """A checked override from command-line text; PlannerError naming the option if bad."""
    try:
        ov = build_override(ScenarioContext.from_input(inp), parameter, selector or "",
                            operation or "", value, columns=columns or CLI_COLUMNS)
    except OverrideError as exc:
        raise PlannerError(f"{exc.column}: {exc}") from None
    try:
        apply_override(inp, ov)  # e.g. multiplying an emissions cap the workbook lacks
    except ValueError as exc:
        raise PlannerError(f"{(columns or CLI_COLUMNS)['operation']}: {exc}") from None
    return ov


def run_points(inp: PlanInput, overrides: Sequence[tuple[str, str, Override]],
               options: SolveOptions, *, workers: int | None, scheduler: str | None,
               progress: Callable[[str], None], estimates: Estimates | None = None) -> SweepResult:
    """Solve the base and one scenario per (parameter, value text, override)."""
    jobs = [Job("sweep:base", "sweep", BASE, inp, options, keep_result=False)]
    for i, (_param, _text, ov) in enumerate(overrides):
        spec = ScenarioSpec(ov.describe(), (ov,))
        jobs.append(Job(f"sweep:{i + 1}:{spec.name}", "sweep", spec, inp, options,
                        keep_result=False))
    with executor(workers, scheduler) as pool:
        outcomes = run_jobs(jobs, pool, progress, estimates)
    points = [Point(param, text, ov, out)
              for (param, text, ov), out in zip(overrides, outcomes[1:])]
    return SweepResult(outcomes[0], points)


def sweep(inp: PlanInput, parameter: str, values: Sequence[str], *, selector: str | None = None,
          operation: str | None = None, options: SolveOptions = DEFAULT_OPTIONS,
          workers: int | None = None, scheduler: str | None = None,
          progress: Callable[[str], None] = lambda _m: None,
          estimates: Estimates | None = None) -> SweepResult:
    """The base and one solve per value of ``parameter``."""
    if not values:
        raise PlannerError("--values: give at least one value, e.g. --values 0.8,1,1.2")
    overrides = [(parameter, v, override_for(inp, parameter, selector, operation, v))
                 for v in values]
    return run_points(inp, overrides, options, workers=workers, scheduler=scheduler,
                      progress=progress, estimates=estimates)


def parse_tornado(text: str) -> list[tuple[str, str, str, str]]:
    """'demand:0.8:1.2,rent_price@H100:0.7:1.5' -> [(parameter, selector, low, high)]."""
    items = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        bits = part.split(":")
        if len(bits) != 3:
            raise PlannerError(f"--tornado: '{part}' is not NAME:LOW:HIGH "
                               "(e.g. demand:0.8:1.2 or rent_price@H100:0.7:1.5)")
        name, _, selector = bits[0].partition("@")
        items.append((name.strip(), selector.strip(), bits[1].strip(), bits[2].strip()))
    if not items:
        raise PlannerError("--tornado: give at least one NAME:LOW:HIGH")
    return items


def tornado(inp: PlanInput, spec: str, *, operation: str = "multiply",
            options: SolveOptions = DEFAULT_OPTIONS, workers: int | None = None,
            scheduler: str | None = None, progress: Callable[[str], None] = lambda _m: None,
            estimates: Estimates | None = None) -> SweepResult:
    """The base and, for each parameter, one solve at its low and one at its high value."""
    columns = {**CLI_COLUMNS, "parameter": "--tornado", "selector": "--tornado",
               "value": "--tornado"}
    overrides = []
    for name, selector, low, high in parse_tornado(spec):
        label = f"{name}@{selector}" if selector else name
        for text in (low, high):
            overrides.append((label, text, override_for(inp, name, selector, operation, text,
                                                        columns)))
    return run_points(inp, overrides, options, workers=workers, scheduler=scheduler,
                      progress=progress, estimates=estimates)
