"""The Carbon sheet (grid intensity per site and quarter) and the checks that tie the
carbon Settings rows to it (issue 20; docs/model.md, "Emissions").

A row with a blank quarter holds the site's intensity for every quarter without a row of
its own; once the sheet is used, every site needs an intensity in every quarter (a site
left out would count as emitting nothing, a flattering zero).
"""

from __future__ import annotations

import dataclasses

from planner.domain.errors import Problem
from planner.domain.inputs import Settings, Site
from planner.io.parse_sites import SiteIndex, in_plan, resolve_site
from planner.io.sheets import RowReader, Table, is_duplicate, rows

#: (location, market) gCO2e per kWh of one row.
_Factors = tuple[float, float]


def _factors(reader: RowReader) -> _Factors | None:
    """The row's location and market factors (market from the clean share when blank)."""
    grid, market = reader.get("grid_gco2e_per_kwh"), reader.get("market_gco2e_per_kwh")
    share = reader.get("clean_energy_share")
    if market is not None and share is not None:
        reader.problem("clean_energy_share", "give market_gco2e_per_kwh or "
                                             "clean_energy_share, not both")
    if not reader.ok or grid is None:
        return None
    if market is None:
        market = float(grid) * (1.0 - float(share or 0.0))  # type: ignore[arg-type]
    return float(grid), float(market)  # type: ignore[arg-type]


def _read_rows(table: Table | None, index: SiteIndex, periods: list | None,
               problems: list[Problem]) -> dict[str, dict[int | None, _Factors]]:
    """Site -> {quarter index, or None for every quarter: (location, market)}."""
    by_site: dict[str, dict[int | None, _Factors]] = {}
    seen: dict[object, int] = {}
    for reader in rows(table, problems):
        site = resolve_site(reader, index)
        quarter = reader.get("quarter")
        t = in_plan(reader, "quarter", quarter, periods) if quarter is not None else None
        factors = _factors(reader)
        if site is None or (quarter is not None and t is None):
            continue
        what = f"{site}, {quarter}" if quarter is not None else f"{site}, every quarter"
        if is_duplicate(reader, "quarter" if quarter is not None else "site",
                        "site and quarter", what, seen, (site, t)):
            continue
        if factors is not None:
            by_site.setdefault(site, {})[t] = factors
    return by_site


def _with_intensity(site: Site, rows_: dict[int | None, _Factors], quarters: int) -> Site:
    every = rows_.get(None)
    chosen = [rows_.get(t, every) for t in range(quarters)]
    return dataclasses.replace(
        site, grid_gco2e_per_kwh_by_quarter=tuple(f[0] for f in chosen),  # type: ignore[index]
        market_gco2e_per_kwh_by_quarter=tuple(f[1] for f in chosen))  # type: ignore[index]


def parse_carbon(table: Table | None, index: SiteIndex, settings: Settings | None,
                 problems: list[Problem]) -> SiteIndex:
    """The sites with the Carbon sheet's intensities per quarter (unchanged without the
    sheet, or with its header only); a problem for each site or quarter left without one."""
    if table is None or not table.rows:
        return index
    periods = settings.periods if settings is not None else None
    before = len(problems)
    by_site = _read_rows(table, index, periods, problems)
    if periods is None or len(problems) > before:
        return index
    sites = []
    for site in index.sites:
        given = by_site.get(site.name, {})
        missing = [str(periods[t]) for t in range(len(periods))
                   if t not in given and None not in given]
        if missing:
            problems.append(Problem(table.title, None, table.header("site"), (
                f"site '{site.name}' has no grid intensity for {missing[0]}"
                f"{f' and {len(missing) - 1} more quarter(s)' if len(missing) > 1 else ''}: "
                "add a row for it with a blank quarter (every quarter) or one per quarter")))
            continue
        sites.append(_with_intensity(site, given, len(periods)))
    if len(problems) > before:
        return index
    return SiteIndex(sites, index.listed)


def check_carbon_settings(settings: Settings | None, tables: dict, problems: list[Problem]
                          ) -> None:
    """A carbon price or cap needs the Carbon sheet: without it every site's electricity
    would count as emitting nothing."""
    carbon = tables.get("Carbon")
    if settings is None or (carbon is not None and carbon.rows):
        return
    table = tables["Settings"]
    for key in ("carbon_price_usd_per_tco2e", "emissions_cap_tco2e"):
        if getattr(settings, key):
            problems.append(Problem(table.title, None, table.header("value"), (
                f"{key} is set but the Carbon sheet is missing or empty: the sites' electricity "
                "would count as emitting nothing; add a Carbon sheet with each site's "
                "grid_gco2e_per_kwh")))
