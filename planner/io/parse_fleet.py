"""The Fleet sheet: chips already owned, and whether they fit their sites."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from planner.domain.errors import Problem
from planner.domain.hardware import ChipSpec
from planner.domain.inputs import ChipOffer, ExistingChips, Expansion, Settings, Site
from planner.domain.names import find_by_name, normalise
from planner.domain.periods import Quarter
from planner.io.parse_sites import SiteIndex, resolve_site
from planner.io.sheets import (
    RowReader,
    Table,
    is_duplicate,
    listed_names,
    rows,
    span,
    unknown_name_message,
)

_CHIP_HINT = ("list it on the Chips sheet first (its lifetime and power come from there; "
              "its prices may be blank)")


def owned_chip_names(table: Table | None, catalog: Mapping[str, ChipSpec]) -> frozenset[str]:
    """Normalised canonical names of the chips on the Fleet sheet (nothing is checked)."""
    return listed_names(table, "chip", catalog)


def life_quarters(offer: ChipOffer) -> int:
    """The chip's lifetime in whole quarters, at least one, as the optimizer counts it."""
    return max(1, round(offer.lifetime_years * 4))


def power_kw(offer: ChipOffer, spec: ChipSpec, settings: Settings) -> float | None:
    """IT kW per chip: the Chips sheet's figure, else TDP x server_power_overhead."""
    if offer.power_kw_per_chip is not None:
        return offer.power_kw_per_chip
    if spec.tdp_w is None:
        return None
    return spec.tdp_w * settings.server_power_overhead / 1000.0


@dataclass
class FleetRow:
    """A valid Fleet row and where it is, for the checks across rows."""

    number: int
    owned: ExistingChips


def _check_owned(reader: RowReader, offer: ChipOffer, spec: ChipSpec, bought: object,
                 settings: Settings | None) -> None:
    if spec.purchasable == "cloud-only":
        reader.problem("chip", f"{spec.name} is cloud-only: it can be rented, not owned")
    if settings is not None and power_kw(offer, spec, settings) is None:
        reader.problem("chip", f"{spec.name} has no power figure: fill power_kw_per_chip "
                               f"(or tdp_w) on the Chips sheet")
    if not isinstance(bought, Quarter) or settings is None:
        return
    periods = settings.periods
    if bought > periods[-1]:
        reader.problem("quarter_bought", f"{bought} is after the plan ends ({span(periods)})")
    retired = bought.shift(life_quarters(offer))
    if retired <= periods[0]:
        reader.problem("quarter_bought", f"with a lifetime of {offer.lifetime_years:g} years "
                       f"(Chips sheet) chips bought in {bought} retire in {retired}, before "
                       f"the plan starts ({periods[0]}); remove the row or fix the quarter")


def parse_fleet(table: Table | None, offers: list[ChipOffer], specs: Mapping[str, ChipSpec],
                sites: SiteIndex, settings: Settings | None, problems: list[Problem],
                listed_chips: AbstractSet[str] = frozenset()) -> list[FleetRow]:
    """Owned cohorts; chip and site names come back canonical.  ``listed_chips`` are the
    names on the Chips sheet, valid or not: a row naming an invalid one is left out
    without a problem of its own."""
    offered = {o.chip: specs[o.chip] for o in offers if o.chip in specs}
    by_chip = {o.chip: o for o in offers}
    result: list[FleetRow] = []
    seen: dict[object, int] = {}
    for reader in rows(table, problems):
        name = reader.get("chip")
        spec = find_by_name(name, offered) if name is not None else None
        if name is not None and spec is None:
            if normalise(name) in listed_chips:
                reader.ok = False  # the Chips row has its own problem
            else:
                reader.problem("chip", unknown_name_message("chip", str(name), offered,
                                                            _CHIP_HINT))
        site = resolve_site(reader, sites)
        quantity, bought = reader.get("quantity"), reader.get("quarter_bought")
        if spec is not None:
            _check_owned(reader, by_chip[spec.name], spec, bought, settings)
        if spec is None or site is None or not isinstance(bought, Quarter):
            continue
        key = (spec.name, site, bought)
        if is_duplicate(reader, "chip", "cohort", f"{spec.name}, {site}, {bought}", seen, key):
            continue
        if reader.ok:
            result.append(FleetRow(reader.number,
                                   ExistingChips(spec.name, site, quantity, bought)))  # type: ignore[arg-type]
    return result


def _fixed_chips(rows_: list[FleetRow], offer_of: Mapping[str, ChipOffer], site: str,
                 periods: list[Quarter], t: int, can_sell: bool) -> list[FleetRow]:
    """Cohorts at ``site`` in service in quarter ``t`` that cannot have been sold by
    then (sales happen on anniversaries of delivery, inside the plan and the life)."""
    fixed = []
    for row in rows_:
        e = row.owned
        delivered = e.bought - periods[0]
        life = life_quarters(offer_of[e.chip])
        if e.site != site or not delivered <= t < delivered + life:
            continue
        last = min(life, t - delivered + 1)  # never loop past quarter t
        sales = [delivered + k for k in range(4, last, 4) if 0 <= delivered + k <= t]
        if not (can_sell and sales):
            fixed.append(row)
    return fixed


@dataclass(frozen=True)
class FitContext:
    """What the fit check needs beyond the Fleet rows."""

    offers: list[ChipOffer]
    specs: Mapping[str, ChipSpec]
    sites: list[Site]
    expansions: list[Expansion]
    settings: Settings


def _room_kw(ctx: FitContext, site: Site, t: int) -> float:
    """Facility kW the site could have in quarter t: its cap plus every expansion that
    could be in service by then."""
    start = ctx.settings.periods[0]
    kw = site.cap_kw(t)
    for x in ctx.expansions:
        earliest = max(0, x.earliest - start) if x.earliest is not None else 0
        if x.site == site.name and earliest + x.lead_time_quarters <= t:
            kw += x.extra_kw
    return kw


def _site_overflow(ctx: FitContext, fleet: list[FleetRow], site: Site) -> tuple[str, FleetRow] | None:
    """The first quarter's message and row where owned chips that cannot be sold need
    more power or slots than the site can ever have then."""
    periods = ctx.settings.periods
    offer_of = {o.chip: o for o in ctx.offers}
    pue = site.pue if site.pue is not None else ctx.settings.pue
    for t, q in enumerate(periods):
        fixed = _fixed_chips(fleet, offer_of, site.name, periods, t,
                             ctx.settings.allow_early_retirement)
        if not fixed:
            continue
        numbers = ", ".join(str(r.number) for r in fixed)
        where = f"the chips owned at '{site.name}' (row{'s' if len(fixed) > 1 else ''} {numbers})"
        kw = sum(r.owned.quantity * pue * (power_kw(offer_of[r.owned.chip],
                                                    ctx.specs[r.owned.chip], ctx.settings) or 0.0)
                 for r in fixed)
        room = _room_kw(ctx, site, t)
        if kw > room + 1e-6:
            message = (f"{where} need {kw:,.0f} kW of facility power in {q} (IT power x "
                       f"PUE {pue:g}), more than the {room:,.0f} kW the site can have then; "
                       f"raise its power (Sites, SitePower, Expansions) or list fewer chips")
            return message, fixed[0]
        count = sum(r.owned.quantity for r in fixed)
        if site.max_chips is not None and count > site.max_chips:
            message = (f"{where} are {count} chips in {q}, more than the site's "
                       f"max_chips {site.max_chips}")
            return message, fixed[0]
    return None


def check_fleet_fits(table: Table | None, fleet: list[FleetRow], ctx: FitContext,
                     problems: list[Problem]) -> None:
    """A problem for each site whose owned chips cannot fit it in some quarter: the plan
    would have no solution, since owned chips can only be sold on anniversaries."""
    if table is None:
        return
    for site in ctx.sites:
        found = _site_overflow(ctx, fleet, site)
        if found is not None:
            message, row = found
            problems.append(Problem(table.title, row.number, table.header("quantity"), message))
