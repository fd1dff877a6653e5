"""The Workloads, Demand and Training sheets."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from planner.domain.errors import Problem
from planner.domain.hardware import ModelSpec
from planner.domain.inputs import InferenceWorkload, Settings, TrainingRun
from planner.domain.mixes import DEMAND_UNITS, RequestMix, tokens_per_day
from planner.domain.names import normalise
from planner.domain.periods import Quarter
from planner.io.cells import is_blank
from planner.io.parse_hardware import MODEL_HINT, resolve
from planner.io.parse_stacks import NO_STACKS, StackContext, allowed_stacks
from planner.io.sheets import (
    RowReader,
    Table,
    is_duplicate,
    require_rows,
    rows,
    span,
    unknown_name_message,
)


@dataclass
class _WorkloadRow:
    name: str
    fields: dict[str, object]


def _check_speculation(reader: RowReader, fields: dict[str, object]) -> None:
    """Draft tokens need an acceptance rate below 1 (and an acceptance needs drafts)."""
    drafts, acceptance = fields.get("draft_tokens") or 0, fields.get("draft_acceptance")
    if acceptance is not None and float(acceptance) >= 1.0:  # type: ignore[arg-type]
        reader.problem("draft_acceptance", f"{acceptance} must be below 1 (a draft token is "
                                           "sometimes rejected)")
    if acceptance is not None and not drafts:
        reader.problem("draft_tokens", "draft_acceptance is given but no draft tokens are")


def _request_shape(reader: RowReader, fields: dict[str, object],
                   mixes: Mapping[str, RequestMix | None], key: str) -> None:
    """prompt_tokens and output_tokens: a mix's means, else the row's (both needed).  A
    workload whose mix has problems (already recorded) is left out quietly."""
    mix = mixes.get(key)
    if key in mixes and mix is None:
        reader.ok = False
        return
    if mix is not None:
        fields["prompt_tokens"] = mix.mean_prompt_tokens
        fields["output_tokens"] = mix.mean_output_tokens
        return
    for col in ("prompt_tokens", "output_tokens"):
        if fields[col] is None and not reader.has(col):
            reader.problem(col, "is empty: expected the average length in tokens (blank "
                                "only for a workload with a request mix on the RequestMix "
                                "sheet)")


def _workload_rows(table: Table | None, models: Mapping[str, ModelSpec], stacks: StackContext,
                   api_models: AbstractSet[str], problems: list[Problem],
                   mixes: Mapping[str, RequestMix | None]
                   ) -> tuple[list[_WorkloadRow], dict[str, str], set[str]]:
    """Valid workload rows, every workload name seen (normalised -> as written) and the
    names whose demand is not on the Demand sheet (demand_method drivers or history).
    A workload with a request mix in ``mixes`` takes its prompt and output lengths from it."""
    require_rows(table, problems, "workload")
    valid: list[_WorkloadRow] = []
    names: dict[str, str] = {}
    forecast: set[str] = set()
    seen: dict[object, int] = {}
    for reader in rows(table, problems):
        name = reader.get("workload")
        model = resolve(reader, "model", "model", models, MODEL_HINT)
        fields = {c: reader.get(c) for c in ("precision", "prompt_tokens", "output_tokens",
                                             "ttft_ms", "tpot_ms", "peak_to_average",
                                             "demand_method", "draft_tokens",
                                             "draft_acceptance", "max_replica_chips",
                                             "serving_stack")}
        _check_speculation(reader, fields)
        fields["stacks"] = allowed_stacks(reader, stacks, "workload", model in api_models)
        if name is None or is_duplicate(reader, "workload", "workload", name, seen):
            continue
        _request_shape(reader, fields, mixes, normalise(name))
        fields["mix"] = mixes.get(normalise(name))
        names[normalise(name)] = str(name)
        if fields["demand_method"] != "direct":
            forecast.add(normalise(name))
        if reader.ok:
            valid.append(_WorkloadRow(str(name), {"model": model, **fields}))
    return valid, names, forecast


@dataclass
class _DemandSeries:
    rows: dict[Quarter, int] = field(default_factory=dict)
    values: dict[Quarter, float] = field(default_factory=dict)  # in ``unit``
    last: Quarter | None = None
    unit: str | None = None
    unit_row: int = 0


def _demand_value(reader: RowReader, quiet: bool) -> tuple[str, float | None] | None:
    """(unit, value) of the one demand cell the row fills (value None if it is bad), or
    None with a problem when it fills none or several."""
    filled = [u for u in DEMAND_UNITS if reader.has(u)]
    if len(filled) > 1:
        reader.problem(filled[1], f"the row gives both {filled[0]} and {filled[1]}: give "
                                  "demand in one unit only")
        return None
    if not filled:
        if not quiet:
            shown = next((u for u in DEMAND_UNITS if u in reader.table.headers),
                         "tokens_per_day")
            reader.problem(shown, "is empty: give the demand in one of "
                                  + ", ".join(DEMAND_UNITS))
        reader.ok = False
        return None
    value = reader.get(filled[0])
    return filled[0], (float(value) if value is not None else None)  # type: ignore[arg-type]


def _same_unit(reader: RowReader, name: object, unit: str, s: _DemandSeries) -> bool:
    """Whether ``unit`` is the workload's unit so far (a problem if not)."""
    if s.unit is None:
        s.unit, s.unit_row = unit, reader.number
        return True
    if unit == s.unit:
        return True
    reader.problem(unit, f"'{name}' gives demand in {s.unit} on row {s.unit_row}: give "
                         f"every quarter of a workload in the same unit")
    return False


def _demand_row(reader: RowReader, names: Mapping[str, str], periods: list[Quarter] | None,
                series: dict[str, _DemandSeries], quiet: bool = False) -> None:
    """One Demand row into ``series``; ``quiet``: a row without demand was reported for
    the whole sheet already."""
    name = reader.get("workload")
    quarter = reader.get("quarter")
    given = _demand_value(reader, quiet)
    if name is not None and normalise(name) not in names:
        known = {n: n for n in names.values()}
        reader.problem("workload", unknown_name_message(
            "workload", str(name), known, "list it on the Workloads sheet first"))
        return
    if name is None or not isinstance(quarter, Quarter):
        return
    if periods is not None and quarter not in periods:
        reader.problem("quarter", f"{quarter} is outside the plan ({span(periods)})")
        return
    s = series.setdefault(normalise(name), _DemandSeries())
    if quarter in s.rows:
        reader.problem("quarter", f"'{name}' has demand for {quarter} twice (also on row "
                                  f"{s.rows[quarter]})")
        return
    if s.last is not None and quarter < s.last:
        reader.problem("quarter", f"quarters out of order: {quarter} comes after {s.last} "
                                  f"for '{name}'; list each workload's quarters in order")
    s.rows[quarter] = reader.number
    s.last = max(quarter, s.last) if s.last is not None else quarter
    if given is not None and _same_unit(reader, name, given[0], s) and given[1] is not None:
        s.values[quarter] = given[1]


def _check_unit_columns(table: Table, problems: list[Problem]) -> bool:
    """Whether some row fills a demand column; else one problem for the sheet (a missing
    tokens_per_day column, or no demand in any unit), instead of one per row."""
    if any(not is_blank(r.values.get(u)) for r in table.rows for u in DEMAND_UNITS):
        return True
    if not table.rows:
        return True  # require_rows reports it
    if "tokens_per_day" not in table.headers:
        message = ("required column 'tokens_per_day' is missing from the header row (or "
                   "give demand as requests_per_s or requests_per_day)")
    else:
        message = "no row gives demand: fill tokens_per_day, requests_per_s or requests_per_day"
    problems.append(Problem(table.title, None, table.header("tokens_per_day"), message))
    return False


@dataclass(frozen=True)
class DemandSeries:
    """A workload's demand as typed: per quarter of the plan, in ``unit``."""

    unit: str
    values: tuple[float, ...]


def _parse_demand(table: Table | None, names: Mapping[str, str], periods: list[Quarter] | None,
                  problems: list[Problem], forecast: AbstractSet[str] = frozenset()
                  ) -> dict[str, DemandSeries]:
    """Demand per workload (normalised name), aligned with ``periods``; only complete ones.
    Workloads in ``forecast`` (demand from drivers or history) need no rows."""
    if table is None:
        return {}
    if set(names) - set(forecast):
        require_rows(table, problems, "demand row (workload, quarter, tokens_per_day)")
    quiet = not _check_unit_columns(table, problems)
    series: dict[str, _DemandSeries] = {}
    for reader in rows(table, problems):
        _demand_row(reader, names, periods, series, quiet)
    if periods is None:
        return {}
    complete: dict[str, tuple[float, ...]] = {}
    for key, name in names.items():
        if key in forecast:
            continue
        s = series.get(key, _DemandSeries())
        missing = [str(q) for q in periods if q not in s.rows]
        if missing:
            shown = ", ".join(missing[:6]) + (", ..." if len(missing) > 6 else "")
            problems.append(Problem(table.title, None, table.header("quarter"),
                                    f"workload '{name}' has no demand row for {shown} "
                                    f"(every quarter {span(periods)} needs one)"))
        elif s.unit is not None and all(q in s.values for q in periods):
            complete[key] = DemandSeries(s.unit, tuple(s.values[q] for q in periods))
    return complete


def _tokens(series: DemandSeries, tokens_per_request: float) -> tuple[float, ...]:
    """The series in tokens per day (requests x tokens per request)."""
    return tuple(tokens_per_day(v, series.unit, tokens_per_request) for v in series.values)


def parse_workloads(workloads: Table | None, demand: Table | None,
                    models: Mapping[str, ModelSpec], settings: Settings | None,
                    problems: list[Problem], stacks: StackContext = NO_STACKS,
                    api_models: AbstractSet[str] = frozenset(),
                    mixes: Mapping[str, RequestMix | None] | None = None
                    ) -> list[InferenceWorkload]:
    """Inference workloads with their demand series (Workloads joined with Demand).

    ``stacks`` checks the stacks column; ``api_models`` are the models an API offering
    serves (a workload on one of them has a supply besides chips); ``mixes`` the request
    mixes of the RequestMix sheet by normalised workload name.  Demand given in requests
    becomes tokens per day at the workload's tokens per request (its mix's, else prompt +
    output).
    """
    valid, names, forecast = _workload_rows(workloads, models, stacks, api_models, problems,
                                            mixes or {})
    periods = settings.periods if settings is not None else None
    series = _parse_demand(demand, names, periods, problems, forecast)
    result = []
    for w in valid:
        f = w.fields
        # Drivers and history demand is filled in by planner.io.parse_forecast.
        typed = series.get(normalise(w.name)) if f["demand_method"] == "direct" else None
        if typed is None and f["demand_method"] == "direct":
            continue
        mix: RequestMix | None = f["mix"]  # type: ignore[assignment]
        per_request = (mix.tokens_per_request if mix is not None
                       else float(f["prompt_tokens"]) + float(f["output_tokens"]))  # type: ignore[arg-type]
        tokens = _tokens(typed, per_request) if typed is not None else ()
        result.append(InferenceWorkload(
            name=w.name, model=f["model"], precision=f["precision"],  # type: ignore[arg-type]
            prompt_tokens=float(f["prompt_tokens"]), output_tokens=float(f["output_tokens"]),  # type: ignore[arg-type]
            ttft_ms=f["ttft_ms"], tpot_ms=f["tpot_ms"],  # type: ignore[arg-type]
            demand_tokens_per_day=tokens, peak_to_average=float(f["peak_to_average"]),  # type: ignore[arg-type]
            stacks=f["stacks"], demand_method=f["demand_method"],  # type: ignore[arg-type]
            draft_tokens=int(f["draft_tokens"] or 0),  # type: ignore[call-overload]
            draft_acceptance=float(f["draft_acceptance"] or 0.0),  # type: ignore[arg-type]
            max_replica_chips=(int(f["max_replica_chips"])  # type: ignore[call-overload]
                               if f["max_replica_chips"] is not None else None),
            serving_stack=f["serving_stack"], mix=mix,  # type: ignore[arg-type]
            demand_unit=typed.unit if typed is not None else "tokens_per_day"))
    return result


def _check_window(reader: RowReader, earliest: object, deadline: object,
                  periods: list[Quarter] | None) -> None:
    if isinstance(earliest, Quarter) and isinstance(deadline, Quarter) and deadline < earliest:
        reader.problem("deadline_quarter", f"{deadline} is before earliest_quarter {earliest}")
        return
    if periods is None:
        return
    if isinstance(earliest, Quarter) and not periods[0] <= earliest <= periods[-1]:
        reader.problem("earliest_quarter", f"{earliest} is outside the plan ({span(periods)})")
    if isinstance(deadline, Quarter) and not periods[0] <= deadline <= periods[-1]:
        reader.problem("deadline_quarter", f"{deadline} is outside the plan ({span(periods)})")


def parse_training(table: Table | None, models: Mapping[str, ModelSpec],
                   settings: Settings | None, problems: list[Problem],
                   stacks: StackContext = NO_STACKS) -> list[TrainingRun]:
    """Training runs, each inside the plan's horizon."""
    runs: list[TrainingRun] = []
    seen: dict[object, int] = {}
    periods = settings.periods if settings is not None else None
    for reader in rows(table, problems):
        name = reader.get("run")
        model = resolve(reader, "model", "model", models, MODEL_HINT)
        tokens = reader.get("tokens")
        precision = reader.get("precision")
        earliest, deadline = reader.get("earliest_quarter"), reader.get("deadline_quarter")
        mfu = reader.get("mfu")
        method, rank = reader.get("method") or "full", reader.get("lora_rank")
        most = reader.get("max_gang_chips")
        allowed = allowed_stacks(reader, stacks, "run")
        _check_window(reader, earliest, deadline, periods)
        if name is None or is_duplicate(reader, "run", "run", name, seen):
            continue
        if reader.ok:
            runs.append(TrainingRun(str(name), model, float(tokens), earliest, deadline,  # type: ignore[arg-type]
                                    precision, mfu, allowed, str(method),  # type: ignore[arg-type]
                                    int(rank) if rank is not None else None,  # type: ignore[call-overload]
                                    int(most) if most is not None else None))  # type: ignore[call-overload]
    return runs
