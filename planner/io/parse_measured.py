"""The Measured sheet: typed measurements, serving profiles, and sets declared complete.

A row is one measurement (output tokens/s per chip, or max requests/s per chip at a
request size) or a serving profile file imported as is (:mod:`planner.io.profiles`).  The
``complete`` column declares a chip x model x precision's measurements complete
(:class:`~planner.domain.inputs.CompleteMeasuredSet`): a size they do not cover is one
that chip cannot serve.  A profile row declares its chips complete unless it says no (a
missing bucket means the GPU cannot serve it); a yes and a no for the same set are a
problem; an explicit no on a typed row wins over a profile's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from planner.domain.errors import Problem
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.domain.inputs import CompleteMeasuredSet, MeasuredThroughput
from planner.io.csvfile import CsvError
from planner.io.parse_hardware import MODEL_HINT, resolve
from planner.io.profiles import read_profile
from planner.io.sheets import RowReader, Table, rows

__all__ = ["MeasuredSheet", "parse_measured"]

_RATES = ("output_tokens_per_s_per_chip", "max_requests_per_s_per_chip")
_TYPED = (*_RATES, "prompt_tokens", "output_tokens")

Key = tuple[str, str, str]  # chip, model, precision


@dataclass
class _Declared:
    """complete yes/no per set: (value, row, explicit, source) in row order."""

    by_key: dict[Key, list[tuple[bool, int, bool, str]]] = field(default_factory=dict)

    def add(self, key: Key, value: bool, row: int, explicit: bool, source: str) -> None:
        self.by_key.setdefault(key, []).append((value, row, explicit, source))

    def complete(self, table: Table, problems: list[Problem]) -> list[CompleteMeasuredSet]:
        out = []
        for key, said in self.by_key.items():
            explicit = [s for s in said if s[2]]
            values = {s[0] for s in explicit}
            if len(values) > 1:
                yes = next(s for s in explicit if s[0])
                no = next(s for s in explicit if not s[0])
                later = max(yes[1], no[1])
                problems.append(Problem(table.title, later, table.header("complete"), (
                    f"{key[0]} x {key[1]} x {key[2]} is declared complete on row {yes[1]} "
                    f"and not complete on row {no[1]}: say one")))
                continue
            yes = [s for s in (explicit or said) if s[0]]
            if yes:
                out.append(CompleteMeasuredSet(*key, source=yes[0][3]))
        return out


@dataclass
class MeasuredSheet:
    measured: list[MeasuredThroughput] = field(default_factory=list)
    complete: list[CompleteMeasuredSet] = field(default_factory=list)


def _typed(reader: RowReader, chip: str | None, model: str, precision: str,
           source: str) -> MeasuredThroughput | None:
    """One typed measurement: exactly one rate; a requests/s rate needs its request size."""
    v = {c: reader.get(c) for c in _TYPED}
    given = [c for c in _RATES if reader.has(c)]
    if not given:
        reader.problem(_RATES[0], "is empty: give output_tokens_per_s_per_chip, "
                                  "max_requests_per_s_per_chip or a profile_csv")
    elif len(given) > 1:
        reader.problem(_RATES[1], "the row gives both output_tokens_per_s_per_chip and "
                                  "max_requests_per_s_per_chip: give one")
    if chip is None and not reader.has("chip"):
        reader.problem("chip", "is empty: name the chip measured (blank only with a "
                               "profile_csv)")
    if given == ["max_requests_per_s_per_chip"]:
        for c in ("prompt_tokens", "output_tokens"):
            if v[c] is None and not reader.has(c):
                reader.problem(c, "is empty: a rate in requests per second holds only at "
                                  "the request size it was measured at; give it")
    if not reader.ok:
        return None
    return MeasuredThroughput(chip, model, precision, v["output_tokens_per_s_per_chip"],  # type: ignore[arg-type]
                              v["prompt_tokens"], v["output_tokens"], source,  # type: ignore[arg-type]
                              requests_per_s_per_chip=v["max_requests_per_s_per_chip"])  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Context:
    chips: Mapping[str, ChipSpec]
    offered: AbstractSet[str] | None
    base_dir: Path | None


def _profile(reader: RowReader, chip: str | None, model: str, precision: str,
             ctx: _Context, out: MeasuredSheet, declared: _Declared) -> None:
    """A profile_csv row: the file's lines as measurements, its chips declared complete
    unless the row says no."""
    for c in _TYPED:
        if reader.has(c):
            reader.problem(c, "a profile_csv row takes its measurements from the file: "
                              "leave this blank (or type the measurement on a row of its own)")
    text = str(reader.get("profile_csv")).strip()
    try:
        profile = read_profile(text, ctx.base_dir, model, precision, ctx.chips, ctx.offered,
                               only=chip)
    except CsvError as exc:
        for message in exc.messages:
            reader.problem("profile_csv", message)
        return
    if not reader.ok:
        return
    out.measured.extend(profile.measured)
    complete = reader.get("complete")
    for c in profile.chips:
        declared.add((c, model, precision), complete is not False, reader.number,
                     complete is not None,
                     f"Measured sheet row {reader.number} (profile {profile.name})")


def parse_measured(table: Table | None, chips: Mapping[str, ChipSpec],
                   models: Mapping[str, ModelSpec], problems: list[Problem],
                   offered: AbstractSet[str] | None = None,
                   base_dir: Path | None = None) -> MeasuredSheet:
    """Measured throughputs (chip and model names canonical) and the sets declared
    complete.  ``offered``: the chips on the Chips sheet (a profile's other GPUs are
    skipped); ``base_dir``: the workbook's folder, which profile_csv paths are relative to."""
    out = MeasuredSheet()
    declared = _Declared()
    ctx = _Context(chips, offered, base_dir)
    for reader in rows(table, problems):
        chip = resolve(reader, "chip", "chip", chips, "use a chip of the Chips sheet")
        model = resolve(reader, "model", "model", models, MODEL_HINT)
        precision = reader.get("precision")
        source = str(reader.get("source") or "")
        if reader.has("profile_csv"):
            if reader.ok:
                _profile(reader, chip, model, str(precision), ctx, out, declared)  # type: ignore[arg-type]
            continue
        m = _typed(reader, chip, model, str(precision), source)  # type: ignore[arg-type]
        complete = reader.get("complete")
        if m is not None:
            out.measured.append(m)
            declared.add((m.chip, model, str(precision)), bool(complete), reader.number,
                         complete is not None, f"Measured sheet row {reader.number}")
    if table is not None:
        out.complete = declared.complete(table, problems)
    return out
