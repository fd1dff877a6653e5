"""What the ledger keeps of a run: its header, its decisions and the inputs they rest on.

Decisions are the domain's own rows (:class:`PurchaseRow`, :class:`RentalRow`,
:class:`RetirementRow`, :class:`ExpansionRow`); the inputs are a snapshot of what a later
re-plan needs to explain what changed: demand forecast, chip prices and terms, site power
and electricity, chips already owned, and the actuals the run was given.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from planner.domain import (
    Actual,
    ExistingChips,
    ExpansionRow,
    PlanInput,
    PurchaseRow,
    Quarter,
    RentalRow,
    RetirementRow,
)

#: A quarter tag ending a workbook's name: fleet-2027Q2, fleet_2027q2, fleet Q2-2027.
_QUARTER_TAG = re.compile(r"[\s_\-.]*(\d{4}[\s_\-]?[qQ][1-4]|[qQ][1-4][\s_\-]?\d{4})$")


def plan_name(workbook: str | Path) -> str:
    """The plan a workbook belongs to: its file name without extension and without a
    trailing quarter tag, so ``fleet.xlsx`` and ``fleet-2027Q2.xlsx`` are one plan.

    >>> plan_name("inputs/example-2027Q2.xlsx"), plan_name("fleet.xlsx"), plan_name("2027Q2.xlsx")
    ('example', 'fleet', '2027Q2')
    """
    stem = Path(workbook).stem
    short = _QUARTER_TAG.sub("", stem)
    return short or stem


@dataclass(frozen=True)
class RunHeader:
    """One run: when, on what, how it solved, and what it re-plans (``predecessor``,
    ``as_of``; None for a plain plan)."""

    id: int
    created_at: str
    command: str
    plan_name: str
    input_file: str
    input_sha256: str
    settings: dict = field(hash=False)
    start_quarter: str
    quarters: int
    solver: str
    status: str
    termination: str
    objective_usd: float | None
    total_cost_usd: float | None
    best_bound_usd: float | None
    gap: float | None
    predecessor: int | None
    as_of: str | None
    report: str
    planner_version: str
    note: str = ""

    @property
    def periods(self) -> list[str]:
        start = Quarter.parse(self.start_quarter)
        return [str(start.shift(i)) for i in range(self.quarters)]


@dataclass(frozen=True)
class ChipPrice:
    """A chip's commercial terms as a run used them."""

    chip: str
    purchase_usd_per_chip: float | None
    rent_usd_per_chip_hour: float | None
    price_decline_per_quarter: float
    reserved_1y_discount: float | None
    reserved_3y_discount: float | None
    lead_time_quarters: int
    available_from: str
    available_until: str


@dataclass(frozen=True)
class SitePower:
    """A site's facility power cap and electricity price in one quarter."""

    site: str
    quarter: str
    power_cap_kw: float
    electricity_usd_per_kwh: float


@dataclass(frozen=True)
class DemandPoint:
    """A workload's forecast demand in one quarter, as a run used it."""

    workload: str
    quarter: str
    tokens_per_day: float


@dataclass(frozen=True)
class Cohort:
    """Chips owned before the run: from the workbook (``source`` "input") or carried
    from earlier runs' history by a re-plan ("history")."""

    chip: str
    site: str
    quantity: int
    bought: str
    source: str = "input"


@dataclass(frozen=True)
class Decisions:
    purchases: tuple[PurchaseRow, ...] = ()
    rentals: tuple[RentalRow, ...] = ()
    retirements: tuple[RetirementRow, ...] = ()
    expansions: tuple[ExpansionRow, ...] = ()

    @property
    def count(self) -> int:
        return sum(len(getattr(self, k)) for k in ("purchases", "rentals", "retirements",
                                                    "expansions"))


@dataclass(frozen=True)
class InputSnapshot:
    """The inputs a run's decisions rest on; ``demand`` maps (workload, quarter) to
    forecast tokens per day."""

    demand: dict[tuple[str, str], float] = field(default_factory=dict, hash=False)
    prices: tuple[ChipPrice, ...] = ()
    sites: tuple[SitePower, ...] = ()
    existing: tuple[Cohort, ...] = ()
    actuals: tuple[Actual, ...] = ()

    @property
    def workloads(self) -> list[str]:
        return sorted({w for w, _q in self.demand})

    def price(self, chip: str) -> ChipPrice | None:
        return next((p for p in self.prices if p.chip == chip), None)


@dataclass(frozen=True)
class LedgerRun:
    header: RunHeader
    decisions: Decisions
    inputs: InputSnapshot


def _text(q: Quarter | None) -> str:
    return "" if q is None else str(q)


def snapshot(inp: PlanInput, carried: tuple[ExistingChips, ...] = ()) -> InputSnapshot:
    """The inputs of ``inp`` worth keeping; ``carried`` are the cohorts among
    ``inp.existing`` that a re-plan added from history."""
    periods = [str(q) for q in inp.periods]
    demand = {(w.name, q): float(x) for w in inp.workloads
              for q, x in zip(periods, w.demand_tokens_per_day)}
    prices = tuple(ChipPrice(o.chip, o.purchase_usd_per_chip, o.rent_usd_per_chip_hour,
                             o.price_decline_per_quarter, o.reserved_1y_discount,
                             o.reserved_3y_discount, o.lead_time_quarters,
                             _text(o.available_from), _text(o.available_until))
                   for o in inp.chips)
    sites = tuple(SitePower(s.name, q, s.cap_kw(t), s.electricity_price(t))
                  for s in inp.sites for t, q in enumerate(periods))
    history = list(carried)
    existing = []
    for e in inp.existing:
        source = "input"
        if e in history:
            history.remove(e)
            source = "history"
        existing.append(Cohort(e.chip, e.site, e.quantity, str(e.bought), source))
    return InputSnapshot(demand, prices, sites, tuple(existing), tuple(inp.actuals))


def settings_dict(inp: PlanInput, solver=None) -> dict:
    """The run's settings as JSON-ready values; the solver, time limit and gap the solve
    actually used (``solver``: a SolverInfo) replace the workbook's."""
    out = {}
    for f in dataclasses.fields(inp.settings):
        value = getattr(inp.settings, f.name)
        out[f.name] = str(value) if isinstance(value, Quarter) else value
    if solver is not None:
        out.update(solver=solver.solver, time_limit_s=solver.time_limit_s,
                   mip_gap=solver.mip_gap)
    return out
