"""The Emissions sheet, its chart and the Summary's sentences on carbon (issue 20;
docs/report.md, "Emissions").

The optimizer gives emissions per source (owned chip type and site, rented chip type,
API offering; :class:`planner.domain.EmissionRow`).  Here they are attributed to what the
chips did: a chip type's emissions in a quarter are split between the workloads and
training runs in proportion to the chips each used (the Allocation and Training sheets),
the rest to ``idle`` (chips in service that served nothing still draw power and carry
their embodied share).  Rented and owned chips of a type are pooled, as the optimizer
pools them, so each use is spread over the sites in proportion to the chips there.
Tokens are prompt+output tokens served (as Demand and API prices count them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planner.domain import CARBON_COST_LABEL, PlanInput, PlanResult, units
from planner.domain.carbon import describe_by_year
from planner.report.charts import stacked_columns
from planner.report.styles import NUM1, NUM2
from planner.report.tables import Column, TableData, quarter_key

IDLE = "idle (no workload)"
TOKENS = units.PROMPT_OUTPUT
GRAMS_PER_MTOK = "gco2e_per_million_prompt_output_tokens"

#: (what a row sums) in the order the sheet shows them.
FIELDS = ("energy_mwh", "grid_location_tco2e", "grid_market_tco2e", "embodied_tco2e",
          "supplier_tco2e")


@dataclass
class Line:
    """Emissions of one site (or cloud, or api), workload and quarter."""

    quarter: str
    site: str
    workload: str
    energy_mwh: float = 0.0
    grid_location_tco2e: float = 0.0
    grid_market_tco2e: float = 0.0
    embodied_tco2e: float = 0.0
    supplier_tco2e: float = 0.0
    million_tokens: float = 0.0

    @property
    def location_tco2e(self) -> float:
        return self.grid_location_tco2e + self.embodied_tco2e + self.supplier_tco2e

    @property
    def market_tco2e(self) -> float:
        return self.grid_market_tco2e + self.embodied_tco2e + self.supplier_tco2e

    def per_million_tokens(self, tco2e: float) -> float | None:
        return tco2e * 1e6 / self.million_tokens if self.million_tokens > 0 else None


def _uses(result: PlanResult, days: float) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
    """(quarter, chip) -> user -> (chips used, million tokens served in the quarter)."""
    uses: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0.0]))
    for a in result.allocation:
        use = uses[a.quarter, a.chip][a.workload]
        use[0] += a.chips
        use[1] += a.tokens_per_day * days / 1e6
    for r in result.training:
        uses[r.quarter, r.chip][f"training: {r.run}"][0] += r.chips
    return {k: {u: (x[0], x[1]) for u, x in v.items()} for k, v in uses.items()}


def days_per_quarter(inp: PlanInput) -> float:
    return inp.settings.hours_per_quarter / 24.0


def _split(row, share: float, line: Line, tokens: float) -> None:
    for name in FIELDS:
        setattr(line, name, getattr(line, name) + share * getattr(row, name))
    line.million_tokens += tokens


def attribute(result: PlanResult, days: float) -> list[Line]:
    """The plan's emissions by quarter, site and workload (training runs and idle chips
    as their own rows); API tokens go to the workload that bought them.  ``days``: days
    per quarter (Settings hours_per_quarter / 24)."""
    uses = _uses(result, days)
    pool: dict[tuple[str, str], float] = defaultdict(float)
    for row in result.emissions:
        if row.site != "api":
            pool[row.quarter, row.source] += row.chips
    lines: dict[tuple[str, str, str], Line] = {}

    def line(q: str, s: str, w: str) -> Line:
        return lines.setdefault((q, s, w), Line(q, s, w))

    for row in result.emissions:
        if row.site == "api":
            _split(row, 1.0, line(row.quarter, "api", row.workload), 0.0)
            continue
        total = pool[row.quarter, row.source]
        used = 0.0
        for user, (chips, mtok) in uses.get((row.quarter, row.source), {}).items():
            share = min(chips / total, 1.0) if total > 0 else 0.0
            used += share
            _split(row, share, line(row.quarter, row.site, user),
                   mtok * row.chips / total if total > 0 else 0.0)
        if used < 1.0 - 1e-9:
            _split(row, 1.0 - used, line(row.quarter, row.site, IDLE), 0.0)
    for a in result.api_usage:
        line(a.quarter, "api", a.workload).million_tokens += a.tokens_per_day * days / 1e6
    return sorted(lines.values(), key=lambda x: (quarter_key(x.quarter), x.site, x.workload))


def emissions_table(result: PlanResult, inp: PlanInput) -> TableData:
    """The Emissions sheet: one row per quarter, site (or cloud, api) and workload."""
    rows = [(x.quarter, x.site, x.workload, x.energy_mwh, x.grid_location_tco2e,
             x.grid_market_tco2e, x.embodied_tco2e, x.supplier_tco2e, x.location_tco2e,
             x.market_tco2e, x.million_tokens, x.per_million_tokens(x.location_tco2e),
             x.per_million_tokens(x.market_tco2e)) for x in attribute(result, days_per_quarter(inp))]
    return TableData("emissions", [
        Column("quarter"), Column("site"), Column("workload"), Column("energy_mwh", NUM1),
        Column("grid_location_tco2e", NUM2), Column("grid_market_tco2e", NUM2),
        Column("embodied_tco2e", NUM2), Column("supplier_tco2e", NUM2),
        Column("location_tco2e", NUM2), Column("market_tco2e", NUM2),
        Column("served_million_prompt_output_tokens", NUM1),
        Column("location_" + GRAMS_PER_MTOK, NUM1), Column("market_" + GRAMS_PER_MTOK, NUM1)],
        rows, "No emissions: the workbook has no carbon inputs (Carbon sheet, embodied or "
              "supplier factors).")


NOTES = (
    ("energy_mwh: facility energy of owned chips (IT power x draw fraction x PUE x hours), "
    "as on the Power sheet; grid_*_tco2e = energy x the Carbon sheet's location-based or "
    "market-based gCO2e/kWh; embodied_tco2e: each owned chip's embodied kgCO2e / its life "
    "in quarters, per quarter in service; supplier_tco2e: rented chip-hours and API tokens "
    "at their factors (counted on both bases); location_ and market_tco2e are the totals."),
    ("A chip type's emissions are split between workloads and training runs by the chips "
    "each used, the rest to 'idle'; tokens are prompt+output tokens served (as Demand and "
    "API prices count them), so gCO2e per million tokens of a workload excludes idle chips."),
)


def chart(ws, data_ws, result: PlanResult, inp: PlanInput, table_columns: int) -> None:
    """Stacked columns of tCO2e per quarter by site (cloud and api included), on the basis
    the carbon price and cap count."""
    basis = result.emissions_basis
    lines = attribute(result, days_per_quarter(inp))
    if not lines:
        return
    sites = sorted({x.site for x in lines})
    quarters = sorted({x.quarter for x in lines}, key=quarter_key)
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for x in lines:
        sums[x.quarter, x.site] += x.location_tco2e if basis == "location" else x.market_tco2e
    col = data_ws.max_column + 2 if data_ws.max_column > 1 or data_ws["A1"].value else 1
    stacked_columns(ws, data_ws, col, table_columns, "chart_emissions", sites, NUM2,
                    [(q, [sums[q, s] for s in sites]) for q in quarters],
                    (f"Emissions by site ({basis}-based)", "tCO2e", "#,##0.0"))


def summary_lines(result: PlanResult, inp: PlanInput) -> list[str]:
    """Sentences for the Summary: total emissions on both bases, intensity per million
    prompt+output tokens, the carbon cost (apart from the cost of ownership) and caps."""
    if not result.emissions:
        return []
    lines = attribute(result, days_per_quarter(inp))
    loc, mkt = (sum(x.location_tco2e for x in lines), sum(x.market_tco2e for x in lines))
    served = [x for x in lines if not x.workload.startswith("training: ")]
    mtok = sum(x.million_tokens for x in served)
    s, basis = inp.settings, result.emissions_basis
    out = [(f"Emissions over the plan: {loc:,.1f} tCO2e location-based, {mkt:,.1f} tCO2e "
           f"market-based (the carbon price and cap count the {basis}-based figure; "
           "see Emissions).")]
    if mtok > 0:
        g_loc = sum(x.location_tco2e for x in served) * 1e6 / mtok
        g_mkt = sum(x.market_tco2e for x in served) * 1e6 / mtok
        out.append(f"Intensity: {g_loc:,.1f} gCO2e per million prompt+output tokens served "
                   f"location-based ({g_mkt:,.1f} market-based), idle chips included, "
                   "training excluded.")
    carbon = result.costs.carbon_cost_usd
    if s.carbon_price_usd_per_tco2e:
        out.append(f"Carbon cost: ${carbon:,.0f} NPV at {describe_by_year(s.carbon_price_usd_per_tco2e)}"
                   f" USD per tCO2e, the {CARBON_COST_LABEL}; it is not in the cost of "
                   "ownership, and the plan minimises the two together.")
    if s.emissions_cap_tco2e:
        over = result.costs.emissions_overrun_penalty_usd
        out.append(f"Emissions cap {describe_by_year(s.emissions_cap_tco2e)} tCO2e per year: "
                   + ("kept in every year (shadow prices on Diagnostics)." if over < 0.5 else
                      f"exceeded, at ${over:,.0f} of penalty (NPV, not cash)."))
    return out
