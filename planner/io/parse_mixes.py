"""The RequestMix sheet: each workload's request-size histogram, typed or binned from logs.

A workload's rows are either a histogram (one row per bucket: its upper edges and share of
requests; lower edges default to the previous edge of the workload's grid, representative
lengths to the upper edges, as published profiles measure a bucket) or one row naming a
CSV of request lengths (:mod:`planner.io.lengths`) that is binned on the edges of the
workload's other rows, else on :data:`~planner.io.schema_optional.DEFAULT_LENGTH_EDGES`.
Every problem is recorded, by sheet, row and column (and by file, line and column for a
CSV), before any mix is built.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from planner.domain.errors import Problem
from planner.domain.mixes import RequestMix, SizeSlice
from planner.domain.names import normalise
from planner.io.lengths import LengthsError, bin_lengths, read_lengths
from planner.io.sheets import RowReader, Table, rows, unknown_name_message

__all__ = ["SHARE_TOLERANCE", "parse_mixes"]

#: How far a histogram's shares may add up from 1 (they are then scaled to add up to 1).
SHARE_TOLERANCE = 0.001

_BUCKET = ("prompt_tokens_max", "output_tokens_max", "share_of_requests", "prompt_tokens_min",
           "output_tokens_min", "prompt_tokens_mean", "output_tokens_mean")


@dataclass
class _Row:
    reader: RowReader
    values: dict[str, object]
    lengths: str | None


@dataclass
class _Workload:
    name: str
    rows: list[_Row] = field(default_factory=list)


def _read_rows(table: Table | None, known: Mapping[str, str],
               problems: list[Problem]) -> dict[str, _Workload]:
    """The sheet's rows grouped by workload (normalised name), unknown names reported."""
    found: dict[str, _Workload] = {}
    for reader in rows(table, problems):
        name = reader.get("workload")
        values = {c: reader.get(c) for c in _BUCKET}
        lengths = reader.get("lengths_csv")
        if name is None:
            continue
        key = normalise(name)
        if key not in known:
            reader.problem("workload", unknown_name_message(
                "workload", str(name), {n: n for n in known.values()},
                "list it on the Workloads sheet first"))
            continue
        text = str(lengths).strip() if lengths is not None else None
        found.setdefault(key, _Workload(known[key])).rows.append(_Row(reader, values, text))
    return found


def _edges(values: list[object]) -> list[float]:
    return sorted({float(v) for v in values if v is not None})  # type: ignore[arg-type]


def _below(edges: list[float], edge: float) -> float:
    """The largest edge of ``edges`` below ``edge``, else 0."""
    lower = [e for e in edges if e < edge]
    return lower[-1] if lower else 0.0


def _bucket_slice(row: _Row, prompt_edges: list[float], output_edges: list[float]
                  ) -> SizeSlice | None:
    """One histogram row as a slice (None, with problems, when a value is out of range)."""
    v, reader = row.values, row.reader
    p_max, o_max = float(v["prompt_tokens_max"]), float(v["output_tokens_max"])  # type: ignore[arg-type]
    p_min = _value_or(v["prompt_tokens_min"], _below(prompt_edges, p_max))
    o_min = _value_or(v["output_tokens_min"], _below(output_edges, o_max))
    p_mean = _value_or(v["prompt_tokens_mean"], p_max)
    o_mean = _value_or(v["output_tokens_mean"], o_max)
    for kind, low, high, mean in (("prompt", p_min, p_max, p_mean),
                                  ("output", o_min, o_max, o_mean)):
        if low >= high:
            reader.problem(f"{kind}_tokens_min", f"{low:g} is not below {kind}_tokens_max "
                                                 f"{high:g}: a bucket must hold some lengths")
        elif not low <= mean <= high:
            reader.problem(f"{kind}_tokens_mean", f"{mean:g} is outside the bucket's "
                                                  f"{kind} lengths ({low:g}, {high:g}]")
    if not reader.ok:
        return None
    return SizeSlice(p_max, o_max, float(v["share_of_requests"] or 0.0), p_mean, o_mean,  # type: ignore[arg-type]
                     p_min, o_min)


def _value_or(value: object, default: float) -> float:
    return default if value is None else float(value)  # type: ignore[arg-type]


def _overlaps(a: SizeSlice, b: SizeSlice) -> bool:
    return (max(a.prompt_tokens_min, b.prompt_tokens_min)
            < min(a.prompt_tokens_max, b.prompt_tokens_max)
            and max(a.output_tokens_min, b.output_tokens_min)
            < min(a.output_tokens_max, b.output_tokens_max))


def _check_overlaps(built: list[tuple[_Row, SizeSlice]]) -> None:
    for i, (row, s) in enumerate(built):
        for other, t in built[:i]:
            if _overlaps(s, t):
                row.reader.problem("prompt_tokens_max", (
                    f"bucket {s.label} overlaps row {other.reader.number}'s bucket {t.label}: "
                    "a request must fall in one bucket only"))
                break


def _rows_text(w: _Workload) -> str:
    numbers = [r.reader.number for r in w.rows]
    return f"row {numbers[0]}" if len(numbers) == 1 else f"rows {numbers[0]}-{numbers[-1]}"


def _histogram(w: _Workload, table: Table, problems: list[Problem]) -> RequestMix | None:
    """A workload's histogram rows as a mix (shares scaled to add up to exactly 1); every
    row is checked even when another has problems."""
    for row in w.rows:
        for col in ("prompt_tokens_max", "output_tokens_max", "share_of_requests"):
            if row.values[col] is None and not row.reader.has(col):
                row.reader.problem(col, "is empty: a histogram row needs prompt_tokens_max, "
                                        "output_tokens_max and share_of_requests")
    shaped = [r for r in w.rows if r.values["prompt_tokens_max"] is not None
              and r.values["output_tokens_max"] is not None]
    prompt_edges = _edges([r.values["prompt_tokens_max"] for r in shaped])
    output_edges = _edges([r.values["output_tokens_max"] for r in shaped])
    built = [(r, s) for r in shaped if (s := _bucket_slice(r, prompt_edges, output_edges))]
    _check_overlaps(built)
    shares = [r.values["share_of_requests"] for r in w.rows]
    if any(x is None for x in shares):
        return None
    total = math.fsum(float(x) for x in shares)  # type: ignore[arg-type]
    if abs(total - 1.0) > SHARE_TOLERANCE:
        problems.append(Problem(table.title, None, table.header("share_of_requests"), (
            f"workload '{w.name}': the shares of requests on {_rows_text(w)} add up to "
            f"{total:.6g}, not 1 (within {SHARE_TOLERANCE:g})")))
        return None
    if not all(r.reader.ok for r in w.rows):
        return None
    slices = tuple(SizeSlice(s.prompt_tokens_max, s.output_tokens_max, s.share / total,
                             s.prompt_tokens, s.output_tokens, s.prompt_tokens_min,
                             s.output_tokens_min) for _, s in built)
    source = _source_text(w, f"RequestMix {_rows_text(w)}")
    return RequestMix(slices, source)


def _source_text(w: _Workload, where: str) -> str:
    typed = [str(r.reader.get("source")).strip() for r in w.rows if r.reader.has("source")]
    return "; ".join([where, *dict.fromkeys(typed)])


def _from_lengths(w: _Workload, base_dir: Path | None) -> RequestMix | None:
    """A workload with a lengths_csv row: its file binned on its rows' edges."""
    first, *more = [r for r in w.rows if r.lengths is not None]
    for extra in more:
        extra.reader.problem("lengths_csv", f"workload '{w.name}' already names a lengths "
                                            f"file on row {first.reader.number}: give one")
    for row in w.rows:
        for col in _BUCKET[2:]:
            if row.values[col] is not None:
                row.reader.problem(col, (
                    f"workload '{w.name}' takes its buckets' shares and mean lengths from "
                    f"its lengths file (row {first.reader.number}): leave {col} blank and "
                    "give only bucket edges (prompt_tokens_max, output_tokens_max)"))
    if not all(r.reader.ok for r in w.rows):
        return None
    prompt_edges = _edges([r.values["prompt_tokens_max"] for r in w.rows])
    output_edges = _edges([r.values["output_tokens_max"] for r in w.rows])
    try:
        lengths = read_lengths(first.lengths or "", base_dir)
        mix = bin_lengths(lengths, prompt_edges or None, output_edges or None)
    except LengthsError as exc:
        for message in exc.messages:
            first.reader.problem("lengths_csv", message)
        return None
    where = f"RequestMix row {first.reader.number}"
    return RequestMix(mix.slices, _source_text(w, f"{mix.source} ({where})"))


def parse_mixes(table: Table | None, workloads: Table | None, problems: list[Problem],
                base_dir: Path | None = None) -> dict[str, RequestMix | None]:
    """Each mixed workload's :class:`RequestMix`, keyed by normalised workload name
    (None for a workload whose rows have problems, already recorded).

    ``workloads`` is the Workloads sheet (for the names a row may use); ``base_dir`` the
    workbook's folder, which a lengths_csv path is relative to.
    """
    if table is None:
        return {}
    known = {normalise(r.values["workload"]): str(r.values["workload"]).strip()
             for r in (workloads.rows if workloads is not None else [])
             if r.values.get("workload") is not None and str(r.values["workload"]).strip()}
    mixes: dict[str, RequestMix | None] = {}
    for key, w in _read_rows(table, known, problems).items():
        if any(r.lengths is not None for r in w.rows):
            mixes[key] = _from_lengths(w, base_dir)
        else:
            mixes[key] = _histogram(w, table, problems)
    return mixes
