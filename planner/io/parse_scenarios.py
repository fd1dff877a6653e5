"""The Scenarios sheet: what-if overrides, checked against the chips, sites, workloads and
quarters of the rest of the workbook.

:func:`build_override` is shared with the command line (``planner sweep``), so an
override typed there is checked exactly as a sheet row is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from planner.domain.errors import Problem
from planner.domain.inputs import ApiOffer, ChipOffer, InferenceWorkload, PlanInput, Settings, Site
from planner.domain.names import find_by_name, normalise
from planner.domain.periods import Quarter
from planner.domain.scenarios import PARAMETERS, Override, Parameter, ScenarioSpec
from planner.io.cells import show, to_number
from planner.io.sheets import RowReader, Table, rows

_RANGE = re.compile(r"^(?P<a>[^.\s][^.]*?)?\s*\.\.\s*(?P<b>[^.]+)?$")
_TAIL = re.compile(r"^(?P<name>.+?)\s+(?P<range>\S*\.\.\S*|\d{4}\s*-?\s*Q[1-4])$", re.IGNORECASE)
PROBABILITY_TOLERANCE = 1e-6


class OverrideError(ValueError):
    """An override that cannot be; ``column`` is the sheet column (or CLI option) at fault."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


class _Invalid(ValueError):
    """The override names a chip, site or workload whose own row has a problem, already
    reported on its sheet: nothing more to say here."""


@dataclass(frozen=True)
class _Named:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioContext:
    """What overrides may name: chips (with aliases), sites, workloads, the quarters."""

    chips: Mapping[str, object]
    offers: Mapping[str, ChipOffer]
    sites: Mapping[str, object]
    workloads: Mapping[str, object]
    periods: tuple[Quarter, ...] = ()
    listed: frozenset[tuple[str, str]] = frozenset()  # (kind, normalised name) on the sheets
    has_emissions_cap: bool = False  # Settings emissions_cap_tco2e given (multiply/add need it)
    apis: Mapping[str, object] = field(default_factory=dict)  # APIs rows by offering

    @classmethod
    def from_parts(cls, settings: Settings | None, offers: Iterable[ChipOffer],
                   chip_specs: Mapping[str, object], sites: Iterable[Site],
                   workloads: Iterable[InferenceWorkload],
                   tables: Mapping[str, Table | None] | None = None,
                   apis: Iterable[ApiOffer] = ()) -> ScenarioContext:
        """The valid chips, sites and workloads; ``tables`` (the sheets as read) tell
        which other names are listed on rows that have problems of their own."""
        offers = list(offers)
        return cls(
            chips={o.chip: chip_specs.get(o.chip, _Named(o.chip)) for o in offers},
            offers={o.chip: o for o in offers},
            sites={s.name: _Named(s.name) for s in sites},
            workloads={w.name: _Named(w.name) for w in workloads},
            periods=tuple(settings.periods) if settings is not None else (),
            listed=_listed(tables or {}),
            has_emissions_cap=bool(settings is not None and settings.emissions_cap_tco2e),
            apis={a.name: _Named(a.name) for a in apis})

    @classmethod
    def from_input(cls, inp: PlanInput) -> ScenarioContext:
        return cls.from_parts(inp.settings, inp.chips, inp.chip_specs, inp.sites, inp.workloads,
                              apis=inp.apis)


def _listed(tables: Mapping[str, Table | None]) -> frozenset[tuple[str, str]]:
    names = set()
    for kind, sheet, column in (("chip", "Chips", "chip"), ("site", "Sites", "site"),
                                ("workload", "Workloads", "workload"),
                                ("api", "APIs", "offering")):
        table = tables.get(sheet)
        for row in table.rows if table is not None else ():
            names.add((kind, normalise(row.values.get(column))))
    return frozenset(names)


def _quarter(text: str, column: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError:
        raise OverrideError(column, f"'{text}' is not a quarter (expected like 2028Q1, "
                                    "or a range like 2028Q1..2029Q4)") from None


def _split(text: str) -> tuple[list[str], list[str]]:
    """Selector text -> (names, quarter ranges as written)."""
    names, ranges = [], []
    for part in (p.strip() for p in re.split(r"[,;]", text)):
        if not part:
            continue
        tail = _TAIL.match(part)
        if ".." in part and tail is None:
            ranges.append(part)
        elif tail is not None:
            names.append(tail.group("name").strip())
            ranges.append(tail.group("range"))
        elif _is_quarter(part):
            ranges.append(part)
        else:
            names.append(part)
    return names, ranges


def _is_quarter(text: str) -> bool:
    try:
        Quarter.parse(text)
        return True
    except ValueError:
        return False


def _range(text: str, ctx: ScenarioContext, column: str) -> tuple[Quarter | None, Quarter | None]:
    m = _RANGE.match(text)
    if m is None:
        q = _quarter(text, column)
        first, last = q, q
    else:
        first = _quarter(m.group("a").strip(), column) if m.group("a") else None
        last = _quarter(m.group("b").strip(), column) if m.group("b") else None
    if first is not None and last is not None and first > last:
        raise OverrideError(column, f"quarter range '{text}' ends before it starts")
    if ctx.periods:
        for q in (first, last):
            if q is not None and not ctx.periods[0] <= q <= ctx.periods[-1]:
                raise OverrideError(column, f"quarter {q} is outside the plan "
                                            f"({ctx.periods[0]} to {ctx.periods[-1]})")
    return first, last


def _target(name: str, p: Parameter, ctx: ScenarioContext, column: str) -> str:
    if not p.target:
        raise OverrideError(column, f"{p.name} applies to the whole plan: leave the selector "
                                    f"blank (got '{name}')")
    pool = {"chip": ctx.chips, "site": ctx.sites, "workload": ctx.workloads,
            "api": ctx.apis}[p.target]
    found = find_by_name(name, pool)
    if found is None and (p.target, normalise(name)) in ctx.listed:
        raise _Invalid(name)
    if found is None:
        known = ", ".join(pool) or "none"
        raise OverrideError(column, f"unknown {p.target} '{name}' for {p.name}; "
                                    f"the workbook's {p.target}s are: {known}")
    return next(k for k, v in pool.items() if v is found)


def parse_selector(text: str, p: Parameter, ctx: ScenarioContext, column: str = "selector"
                   ) -> tuple[str, Quarter | None, Quarter | None]:
    """'us-east, 2027Q1..2027Q4' -> ('us-east', 2027Q1, 2027Q4) for a site parameter."""
    names, ranges = _split(text)
    if len(names) > 1 or len(ranges) > 1:
        raise OverrideError(column, f"'{text}' selects more than one {p.target or 'thing'} "
                                    "or quarter range: use one row for each")
    target = _target(names[0], p, ctx, column) if names else ""
    first = last = None
    if ranges:
        if not p.quarters:
            raise OverrideError(column, f"{p.name} cannot be changed for some quarters only "
                                        "(the planner has one value for the whole horizon): "
                                        f"remove '{ranges[0]}'")
        first, last = _range(ranges[0], ctx, column)
    return target, first, last


def parse_value(raw: object, p: Parameter, operation: str, column: str = "value") -> float | Quarter:
    """The value cell as the parameter and operation need it."""
    if p.name == "available_from" and operation == "set":
        if isinstance(raw, (int, float)):
            raise OverrideError(column, f"available_from set needs a quarter like 2027Q3, "
                                        f"got {show(raw)}")
        return _quarter(str(raw).strip(), column)
    try:
        value = to_number(raw)
    except (TypeError, ValueError):
        raise OverrideError(column, f"expected a number in {p.unit}, got {show(raw)}") from None
    whole = p.whole or p.name == "available_from"
    if whole and not value.is_integer():
        raise OverrideError(column, f"{p.name} needs a whole number, got {show(raw)}")
    if operation != "add" and value < 0:
        raise OverrideError(column, f"{p.name} {operation} needs a value >= 0, got {show(raw)}")
    if p.name == "demand_growth" and value <= -1:
        raise OverrideError(column, f"demand_growth must be above -1, got {show(raw)}")
    return value


def _check_chip_price(ov: Override, ctx: ScenarioContext, column: str) -> None:
    field = {"rent_price": "rent_usd_per_chip_hour", "purchase_price": "purchase_usd_per_chip",
             "supply_cap_per_quarter": "supply_cap_per_quarter"}.get(ov.parameter)
    offer = ctx.offers.get(ov.target)
    if field and offer is not None and ov.operation != "set" and getattr(offer, field) is None:
        raise OverrideError(column, f"chip {ov.target} has no {ov.parameter} on the Chips "
                                    f"sheet to {ov.operation}: use set")


def build_override(ctx: ScenarioContext, parameter: object, selector: object, operation: object,
                   value: object, row: int | None = None,
                   columns: Mapping[str, str] | None = None) -> Override:
    """One checked :class:`Override`; raises :class:`OverrideError` naming the column
    (``columns`` renames them, e.g. to CLI options)."""
    col = {c: c for c in ("parameter", "selector", "operation", "value")}
    col.update(columns or {})
    p = next((x for x in PARAMETERS.values() if normalise(x.name) == normalise(parameter)), None)
    if p is None:
        raise OverrideError(col["parameter"], f"unknown parameter '{parameter}'; expected one "
                                              f"of {', '.join(PARAMETERS)}")
    op = str(operation).strip().lower() if operation not in (None, "") else ""
    if not op and len(p.operations) == 1:
        op = p.operations[0]
    if op not in p.operations:
        got = f"'{op}'" if op else "nothing"
        raise OverrideError(col["operation"], f"{p.name} takes operation "
                                              f"{' or '.join(p.operations)}, got {got}")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise OverrideError(col["value"], f"is empty: {p.name} needs a value in {p.unit}")
    target, first, last = parse_selector(str(selector or ""), p, ctx, col["selector"])
    ov = Override(p.name, op, parse_value(value, p, op, col["value"]), target, first, last, row)
    _check_chip_price(ov, ctx, col["selector"])
    if p.name == "emissions_cap" and op != "set" and not ctx.has_emissions_cap:
        raise OverrideError(col["operation"], f"the Settings sheet sets no emissions_cap_tco2e "
                                              f"to {op}: use set")
    return ov


@dataclass
class _Draft:
    name: str
    row: int
    overrides: list[Override]
    probability: float | None = None
    probability_row: int | None = None


def _row(reader: RowReader, ctx: ScenarioContext, drafts: dict[str, _Draft]) -> None:
    name = reader.get("scenario")
    probability = reader.get("probability")
    if name is None:
        return
    draft = drafts.setdefault(normalise(name), _Draft(str(name), reader.number, []))
    if probability is not None:
        if draft.probability is not None and abs(draft.probability - probability) > 1e-12:
            reader.problem("probability", f"scenario '{name}' already has probability "
                                          f"{draft.probability:g} (row {draft.probability_row})")
        else:
            draft.probability, draft.probability_row = float(probability), reader.number
    parameter = reader.raw("parameter")
    if parameter is None or (isinstance(parameter, str) and not parameter.strip()):
        if any(reader.has(c) for c in ("selector", "operation", "value")):
            reader.problem("parameter", "is empty: say which parameter the row changes")
        return
    try:
        ov = build_override(ctx, parameter, reader.raw("selector"), reader.raw("operation"),
                            reader.raw("value"), reader.number)
    except OverrideError as exc:
        reader.problem(exc.column, str(exc))
        return
    except _Invalid:
        return
    if normalise(name) == "base":
        reader.problem("scenario", "'base' is the workbook as it is and cannot change it; "
                                   "name the scenario otherwise")
        return
    draft.overrides.append(ov)


def _probabilities(drafts: list[_Draft], table: Table, problems: list[Problem]) -> list[float]:
    given = [d.probability for d in drafts if d.probability is not None]
    missing = len(drafts) - len(given)
    total = sum(given)

    def problem(message: str) -> None:
        problems.append(Problem(table.title, None, table.header("probability"), message))

    if missing == 0 and abs(total - 1.0) > PROBABILITY_TOLERANCE:
        problem(f"the scenarios' probabilities add up to {total:g}, not 1")
    elif missing and total > 1.0 - PROBABILITY_TOLERANCE and given:
        problem(f"the probabilities given add up to {total:g}, leaving nothing for the "
                f"{missing} scenario(s) without one")
    share = (1.0 - total) / missing if missing else 0.0
    return [d.probability if d.probability is not None else share for d in drafts]


def parse_scenarios(table: Table | None, ctx: ScenarioContext,
                    problems: list[Problem]) -> tuple[ScenarioSpec, ...]:
    """One ScenarioSpec per scenario name, in the order first seen (none if the sheet is
    absent or empty)."""
    drafts: dict[str, _Draft] = {}
    for reader in rows(table, problems):
        _row(reader, ctx, drafts)
    if table is None or not drafts:
        return ()
    ordered = list(drafts.values())
    probs = _probabilities(ordered, table, problems)
    return tuple(ScenarioSpec(d.name, tuple(d.overrides), p, d.row)
                 for d, p in zip(ordered, probs))
