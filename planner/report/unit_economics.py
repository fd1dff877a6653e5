"""Unit economics per workload and calendar year: cost per million tokens and tokens per
second per watt, each in both token bases, prompt+output and output only
(:mod:`planner.domain.units`; the UnitEconomics sheet; method in
:mod:`planner.report.usage`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from planner.domain import PlanInput, PlanResult, units
from planner.report import metrics, sources
from planner.report.styles import INT, NUM1, NUM2, USD
from planner.report.tables import Column, TableData, quarter_key
from planner.report.usage import USD_PER_MTOK, facility_kw_per_chip

PO, OUT = units.PROMPT_OUTPUT, units.OUTPUT_ONLY
COLUMNS = [
    Column("year"), Column("workload"), Column("kind"),
    Column("served_million_prompt_output_tokens", INT),
    Column("served_million_output_tokens", INT),
    Column("api_million_prompt_output_tokens", INT),
    Column("allocated_cost_usd", USD),
    Column(units.usd_per_mtok_column(PO), USD_PER_MTOK),
    Column(units.usd_per_mtok_column(OUT), USD_PER_MTOK),
    Column("avg_chips_allocated", NUM1),
    Column("avg_chip_served_" + units.tokens_per_s_column(PO), INT),
    Column("avg_chip_served_" + units.tokens_per_s_column(OUT), INT),
    Column("avg_facility_power_kw", NUM1),
    Column(units.tokens_per_s_column(PO, "watt"), NUM2),
    Column(units.tokens_per_s_column(OUT, "watt"), NUM2),
    Column("throughput_source"),
]


@dataclass
class _Year:
    """Sums over one year's quarters for one user."""

    served_tokens: float = 0.0
    api_tokens: float = 0.0
    cost: float = 0.0
    chips: float = 0.0
    chip_tokens_per_s: float = 0.0
    kw: float = 0.0
    sources: set[str] = field(default_factory=set)  # measured / modelled rates of its chips


def _sums(result: PlanResult, inp: PlanInput) -> tuple[dict[tuple[str, str], _Year], float]:
    days = inp.settings.hours_per_quarter / 24.0
    sums: dict[tuple[str, str], _Year] = defaultdict(_Year)
    cost, unallocated = metrics.allocated_cost(result, inp)
    for (quarter, user), value in cost.items():
        sums[metrics.year_of(quarter), user].cost += value
    api: dict[tuple[str, str], float] = defaultdict(float)
    for a in result.api_usage:
        api[a.quarter, a.workload] += a.tokens_per_day
    for c in result.capacity:
        s = sums[metrics.year_of(c.quarter), c.workload]
        bought = min(api[c.quarter, c.workload], c.served_tokens_per_day)
        s.served_tokens += c.served_tokens_per_day * days
        s.api_tokens += bought * days
        s.chip_tokens_per_s += (c.served_tokens_per_day - bought) / 86400.0
    kw = facility_kw_per_chip(result, inp)
    for (quarter, user), source in sources.by_workload(result, inp).items():
        sums[metrics.year_of(quarter), user].sources.add(source)
    for a in result.allocation:
        s = sums[metrics.year_of(a.quarter), a.workload]
        s.chips += a.chips
        s.kw += a.chips * kw.get((a.quarter, a.chip), 0.0)
    for t in result.training:
        sums[metrics.year_of(t.quarter), metrics.training_user(t.run)].chips += t.chips
    return sums, unallocated


def _both(value: float | None, share: float | None) -> tuple[float | None, float | None]:
    """A prompt+output figure and its output-only counterpart (x the output share)."""
    if value is None:
        return None, None
    return value, value * share if share else None


def _row(year: str, user: str, kind: str, s: _Year, quarters: int,
         share: float | None) -> tuple:
    """``share``: the workload's output tokens / (prompt + output) tokens."""
    inference = kind == "inference"
    served = _both(s.served_tokens / 1e6 if inference else None, share)
    per_token = tuple(s.cost / x if x else None for x in served)
    watts = s.kw * 1000.0
    per_watt = _both(s.chip_tokens_per_s / watts if inference and watts > 0 else None, share)
    rate = _both(s.chip_tokens_per_s / quarters if inference else None, share)
    return (year, user, kind, *served, s.api_tokens / 1e6 if inference else None, s.cost,
            *per_token, s.chips / quarters, *rate, s.kw / quarters if inference else None,
            *per_watt, sources.words(x for text in s.sources for x in text.split(" and ")))


def unit_economics_rows(result: PlanResult, inp: PlanInput) -> tuple[list[tuple], float]:
    """Rows per (year, workload or training run) and the cost left unallocated.  Averages
    are per quarter of the year in the plan."""
    sums, unallocated = _sums(result, inp)
    quarters = sorted({r.quarter for r in result.cashflow} | {c.quarter for c in result.capacity},
                      key=quarter_key)
    per_year: dict[str, int] = defaultdict(int)
    for q in quarters:
        per_year[metrics.year_of(q)] += 1
    order = metrics.users(result, inp, {user for _, user in sums})
    rows = [_row(year, user, kind, sums[year, user], n, metrics.output_share(user, inp))
            for year, n in per_year.items() for user, kind in order if (year, user) in sums]
    return rows, unallocated


def unit_economics_table(result: PlanResult, inp: PlanInput) -> TableData:
    return TableData("unit_economics", list(COLUMNS), unit_economics_rows(result, inp)[0],
                     "No workload is served in this plan.")
