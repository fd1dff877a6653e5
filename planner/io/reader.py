"""Read and validate an input workbook into a :class:`PlanInput`.

Every problem in the workbook is collected before one :class:`InputError` is raised, so
the user can fix them all in one pass.  The file is read once into memory and never
written; formulas give their cached values.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from planner.domain.bounds import PLAUSIBLE_MAX, range_text
from planner.domain.errors import InputError, PlannerError, Problem
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.domain.inputs import (
    ApiOffer,
    ChipOffer,
    ExistingChips,
    Expansion,
    InferenceWorkload,
    MeasuredThroughput,
    PlanInput,
    Settings,
    Site,
    SoftwareStack,
    TrainingRun,
)
from planner.domain.names import normalise
from planner.domain.offers import TokenOffer
from planner.io.guard import Limits, limits_from_env
from planner.io.parse_actuals import parse_actuals
from planner.io.parse_carbon import check_carbon_settings, parse_carbon
from planner.io.parse_demand import parse_training, parse_workloads
from planner.io.parse_fleet import FitContext, check_fleet_fits, owned_chip_names, parse_fleet
from planner.io.parse_forecast import apply_forecasts
from planner.io.parse_hardware import parse_chips, parse_models
from planner.io.parse_measured import parse_measured
from planner.io.parse_mixes import parse_mixes
from planner.io.parse_money import parse_apis, parse_budgets
from planner.io.parse_scenarios import ScenarioContext, parse_scenarios
from planner.io.parse_settings import parse_settings
from planner.io.parse_sites import SiteIndex, parse_expansions, parse_site_power, parse_sites
from planner.io.parse_stacks import StackContext, parse_stacks
from planner.io.schema import SHEETS
from planner.io.sheets import (
    Source,
    Table,
    find_sheet,
    listed_names,
    load_workbook,
    read_source,
    read_table,
)
from planner.io.sheetscan import SheetScan, formula_problems, scan_sheet

__all__ = ["read_workbook"]


def _read_tables(source_wb, problems: list[Problem],
                 scans: Mapping[str, SheetScan] | None = None) -> dict[str, Table | None]:
    return {spec.name: read_table(source_wb, spec, problems, scans) for spec in SHEETS}


def _scan_sheets(wb, source: Source, limits: Limits) -> dict[str, SheetScan]:
    """Scan every sheet the reader reads (PlannerError if one is too big or damaged);
    InputError if any holds formulas without saved values."""
    sheets = {}
    for spec in SHEETS:
        ws = find_sheet(wb, spec.name)
        if ws is not None:
            sheets[ws.title] = ws
    scans = {title: scan_sheet(ws, limits) for title, ws in sheets.items()}
    sizes = {t: scan.extent.total(scan.cells) for t, scan in scans.items()}
    if sum(sizes.values()) > limits.max_total_cells:
        largest = sorted(sizes, key=sizes.__getitem__, reverse=True)[:3]
        listed = ", ".join(f"'{t}' {sizes[t]:,}" for t in largest)
        raise PlannerError(f"{source.name}: its sheets would fill {sum(sizes.values()):,} "
                           f"cells when read ({listed}), over the {limits.max_total_cells:,}-"
                           "cell limit for a workbook; delete the empty rows and far-right "
                           "cells after each table and save")
    stale = formula_problems(sheets, scans)
    if stale:
        raise InputError(stale, source=source.name)
    return scans


def _in_sheet_order(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by sheet (schema order), then row (whole-sheet ones first);
    the order of discovery is kept within a row."""
    order = {normalise(spec.name): i for i, spec in enumerate(SHEETS)}
    return sorted(problems, key=lambda p: (order.get(normalise(p.sheet), len(order)),
                                           p.row or 0))


def _models_used(models: Mapping[str, ModelSpec], defined: Mapping[str, ModelSpec],
                 workloads: list[InferenceWorkload], training: list[TrainingRun],
                 measured: list[MeasuredThroughput]) -> dict[str, ModelSpec]:
    """The Models sheet's models plus every model a workload, run or measurement uses."""
    used = dict(defined)
    for name in [w.model for w in workloads] + [t.model for t in training] + \
            [m.model for m in measured]:
        used.setdefault(name, models[name])
    return used


def _sheets_ok(problems: list[Problem], *names: str) -> bool:
    """Whether no problem was found so far on any of the sheets ``names``."""
    keys = {normalise(n) for n in names}
    return not any(normalise(p.sheet) in keys for p in problems)


def _implausible_forecasts(workloads: list[InferenceWorkload]) -> list[Problem]:
    """Demand grown by Drivers or History past the plausible range of tokens per day
    (each cell was in range; compounding can still run away)."""
    top = PLAUSIBLE_MAX["tokens_per_day"]
    sheet = {"drivers": "Drivers", "history": "History"}
    found = []
    for w in workloads:
        bad = [i for i, x in enumerate(w.demand_tokens_per_day)
               if not (math.isfinite(x) and x <= top)]
        if w.demand_method not in sheet:
            continue
        if bad:
            found.append(Problem(sheet[w.demand_method], None, None, (
                f"workload '{w.name}': the forecast reaches "
                f"{w.demand_tokens_per_day[bad[0]]:.3g} tokens per day in quarter {bad[0] + 1} "
                f"of the plan, outside the plausible range of tokens_per_day "
                f"({range_text('tokens_per_day')}): lower its growth or plan fewer quarters")))
        if not (math.isfinite(w.output_tokens) and w.output_tokens <= PLAUSIBLE_MAX["output_tokens"]):
            found.append(Problem(sheet[w.demand_method], None, None, (
                f"workload '{w.name}': the reasoning multiplier grows its output to "
                f"{w.output_tokens:.3g} tokens per request, outside the plausible range of "
                f"output_tokens ({range_text('output_tokens')}): lower reasoning growth")))
    return found


def _demand_problems(workloads: list[InferenceWorkload]) -> list[Problem]:
    """Demand typed in requests that comes to implausibly many tokens per day, and a
    request mix whose sizes a Drivers reasoning multiplier would change."""
    top = PLAUSIBLE_MAX["tokens_per_day"]
    found = []
    for w in workloads:
        over = [x for x in w.demand_tokens_per_day if not (math.isfinite(x) and x <= top)]
        if w.demand_unit != "tokens_per_day" and over:
            found.append(Problem("Demand", None, w.demand_unit, (
                f"workload '{w.name}': {w.demand_unit} x {w.tokens_per_request:,.0f} tokens "
                f"per request comes to {over[0]:.3g} tokens per day, outside the plausible "
                f"range of tokens_per_day ({range_text('tokens_per_day')})")))
        if (w.mix is not None and w.demand_method == "drivers"
                and not math.isclose(w.output_tokens, w.mix.mean_output_tokens, rel_tol=1e-9)):
            found.append(Problem("Drivers", None, "reasoning_multiplier", (
                f"workload '{w.name}' has a request mix, which sets its request sizes: its "
                "reasoning_multiplier must be 1 with no reasoning growth (put the longer "
                "outputs in the mix)")))
    return found


@dataclass
class _Supply:
    """What the plan may use: chips offered, sites, what is owned, stacks, APIs."""

    offers: list[ChipOffer]
    chip_specs: dict[str, ChipSpec]
    sites: list[Site]
    expansions: list[Expansion]
    existing: list[ExistingChips]
    stack_context: StackContext
    stacks: list[SoftwareStack]
    apis: list[ApiOffer]


def _parse_supply(tables: Mapping[str, Table | None], chip_catalog: dict[str, ChipSpec],
                  models: Mapping[str, ModelSpec], settings: Settings | None,
                  problems: list[Problem],
                  token_offers: Mapping[str, TokenOffer] | None = None) -> _Supply:
    """Chips, sites (with their power over time and expansions), the owned fleet, stacks
    and APIs: the sheets the demand side is checked against."""
    owned = owned_chip_names(tables["Fleet"], chip_catalog)
    offers, chip_specs = parse_chips(tables["Chips"], chip_catalog, problems, owned)
    index = SiteIndex.of(parse_sites(tables["Sites"], problems), tables["Sites"])
    index = parse_site_power(tables["SitePower"], index, settings, problems)
    index = parse_carbon(tables["Carbon"], index, settings, problems)
    expansions = parse_expansions(tables["Expansions"], index, settings, problems)
    fleet = parse_fleet(tables["Fleet"], offers, chip_specs, index, settings, problems,
                        listed_names(tables["Chips"], "chip", chip_catalog))
    if settings is not None and _sheets_ok(problems, "Sites", "SitePower", "Expansions"):
        check_fleet_fits(tables["Fleet"], fleet, FitContext(offers, chip_specs, index.sites,
                                                            expansions, settings), problems)
    context = StackContext.build(chip_catalog, chip_specs, offers, _sheets_ok(problems, "Chips"))
    return _Supply(offers, chip_specs, index.sites, expansions, [row.owned for row in fleet],
                   context,
                   parse_stacks(tables["Stacks"], context, problems),
                   parse_apis(tables["APIs"], models, problems, token_offers))


def read_workbook(path: str | os.PathLike | Source, chip_catalog: dict[str, ChipSpec],
                  model_catalog: dict[str, ModelSpec], *,
                  limits: Limits | None = None,
                  token_offers: Mapping[str, TokenOffer] | None = None) -> PlanInput:
    """Read ``path`` and return the validated plan input.

    ``chip_catalog`` and ``model_catalog`` are keyed by canonical name; names in the
    workbook may be any name or alias (see :func:`planner.domain.names.find_by_name`) and
    come back canonical.  Raises :class:`PlannerError` if the file cannot be read as a
    workbook, and :class:`InputError` listing every problem if its content is invalid.
    ``path`` may be a :class:`Source` (bytes already in memory, e.g. an upload);
    ``limits`` default to :func:`limits_from_env` (see :mod:`planner.io.guard`);
    ``token_offers`` are the catalog token offers an APIs row may name (``catalog_offer``).
    """
    limits = limits or limits_from_env()
    source = path if isinstance(path, Source) else read_source(path, limits)
    wb = load_workbook(source, limits)
    problems: list[Problem] = []
    try:
        tables = _read_tables(wb, problems, _scan_sheets(wb, source, limits))
    finally:
        wb.close()
    settings = parse_settings(tables["Settings"], problems)
    check_carbon_settings(settings, tables, problems)
    defined = parse_models(tables["Models"], model_catalog, problems, source.path.parent)
    models = {**model_catalog, **defined}
    supply = _parse_supply(tables, chip_catalog, models, settings, problems, token_offers)
    mixes = parse_mixes(tables["RequestMix"], tables["Workloads"], problems,
                        source.path.parent)
    workloads = parse_workloads(tables["Workloads"], tables["Demand"], models, settings,
                                problems, supply.stack_context, {a.model for a in supply.apis},
                                mixes)
    workloads = apply_forecasts(workloads, tables, settings, problems)  # Drivers, History
    problems.extend(_implausible_forecasts(workloads))
    problems.extend(_demand_problems(workloads))
    training = parse_training(tables["Training"], models, settings, problems,
                              supply.stack_context)
    measured = parse_measured(tables["Measured"], {**chip_catalog, **supply.chip_specs},
                              models, problems, set(supply.chip_specs), source.path.parent)
    budgets = parse_budgets(tables["Budgets"], settings, problems)
    actuals = parse_actuals(tables["Actuals"], supply.chip_specs, [s.name for s in supply.sites],
                            [w.name for w in workloads], problems)
    scenarios = parse_scenarios(tables["Scenarios"], ScenarioContext.from_parts(
        settings, supply.offers, supply.chip_specs, supply.sites, workloads, tables,
        supply.apis), problems)
    if problems or settings is None:
        raise InputError(_in_sheet_order(problems), source=source.name)
    return PlanInput(
        settings=settings, chips=tuple(supply.offers), sites=tuple(supply.sites),
        workloads=tuple(workloads), training=tuple(training),
        measured=tuple(measured.measured), complete_measured=tuple(measured.complete),
        existing=tuple(supply.existing), budgets=tuple(budgets), stacks=tuple(supply.stacks),
        apis=tuple(supply.apis), expansions=tuple(supply.expansions),
        chip_specs=supply.chip_specs,
        model_specs=_models_used(models, defined, workloads, training, measured.measured),
        source_name=source.name, source_sha256=source.sha256,
        scenarios=scenarios,
        actuals=tuple(actuals),
    )
