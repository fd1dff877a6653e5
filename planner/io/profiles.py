"""A serving profile imported as is: the published shape of Mélange's measurements.

One line per GPU and request-size bucket: ``gpu``, ``input_tokens`` and ``output_tokens``
(the bucket's upper edges, as the profile measured it) and ``max_requests_per_s`` (the most
requests per second one GPU sustains within the latency target), with optional ``unit``
(must be ``requests_per_s``) and ``source``.  Other columns are ignored, notably
``price_usd_per_hour``: prices come from the Chips sheet.  A blank or zero
``max_requests_per_s`` means the GPU cannot serve that bucket and gives no measurement.
GPU names are matched like chip names; a GPU that is not on the Chips sheet is skipped
(the plan cannot use it), a name that matches no chip at all is a problem (a misspelling
would otherwise drop its lines silently).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from planner.domain.hardware import ChipSpec
from planner.domain.inputs import MeasuredThroughput
from planner.domain.names import find_by_name, suggest
from planner.io.csvfile import CsvError, CsvRow, capped, read_csv
from planner.io.schema_spec import ColumnSpec, col, header_key

__all__ = ["COLUMNS", "Profile", "read_profile"]

COLUMNS: list[ColumnSpec] = [
    col("gpu", "", "name", True),
    col("prompt_tokens", "tokens", "number", True),  # also read as input_tokens
    col("output_tokens", "tokens", "positive", True),
    ColumnSpec("max_requests_per_s", "requests/s", "number", False,
               synonyms=("max_requests_per_s_per_chip", "max_rps"), upper=1e8),
    col("unit", "", "text"),
    col("source", "", "text"),
]


@dataclass
class Profile:
    """What a profile gave for one model and precision: its measurements, the chips they
    are for (in file order) and the GPUs skipped because they are not on the Chips sheet."""

    name: str
    measured: list[MeasuredThroughput] = field(default_factory=list)
    chips: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _chip(row: CsvRow, name: str, chips: Mapping[str, ChipSpec], errors: list[str]
          ) -> str | None:
    gpu = str(row.values["gpu"]).strip()
    spec = find_by_name(gpu, chips)
    if spec is None:
        close = suggest(gpu, chips)
        hint = f" (closest: {', '.join(close)})" if close else ""
        errors.append(f"{name} line {row.line}, column 'gpu': unknown GPU '{gpu}'{hint}; "
                      "name a chip of the Chips sheet or the catalog")
        return None
    return spec.name


def _measurement(row: CsvRow, name: str, chip: str, model: str, precision: str,
                 headers: Mapping[str, str], errors: list[str]) -> MeasuredThroughput | None:
    v = row.values
    unit = v["unit"]
    if unit is not None and header_key(unit) != header_key("requests_per_s"):
        errors.append(f"{name} line {row.line}, column '{headers['unit']}': unit '{unit}' "
                      "is not requests_per_s (the profile's rate is max requests per second)")
        return None
    rate = v["max_requests_per_s"]
    if not rate:
        return None  # a missing cell: the GPU cannot serve this bucket
    note = f" ({str(v['source']).strip()})" if v["source"] else ""
    return MeasuredThroughput(chip, model, precision, None, float(v["prompt_tokens"]),  # type: ignore[arg-type]
                              float(v["output_tokens"]),  # type: ignore[arg-type]
                              f"{name} line {row.line}{note}",
                              requests_per_s_per_chip=float(rate))  # type: ignore[arg-type]


def _line(message: str) -> int:
    """The line number a message names (0 if none), to list problems in file order."""
    words = message.split()
    return int(words[2].rstrip(",:")) if len(words) > 2 and words[1] == "line" else 0


def read_profile(text: str, base_dir: Path | None, model: str, precision: str,
                 chips: Mapping[str, ChipSpec], offered: AbstractSet[str] | None,
                 only: str | None = None) -> Profile:
    """The profile file ``text`` names as measurements of ``model`` at ``precision``.

    ``chips`` resolves GPU names; ``offered`` holds the chips on the Chips sheet (None:
    every chip); ``only`` keeps one chip's lines.  CsvError lists every problem."""
    table = read_csv(text, base_dir, COLUMNS)
    profile = Profile(table.name)
    errors = list(table.errors)
    seen: dict[tuple[str, float, float], int] = {}
    for row in table.rows:
        chip = _chip(row, table.name, chips, errors)
        if chip is None or (only is not None and chip != only):
            continue
        key = (chip, float(row.values["prompt_tokens"]), float(row.values["output_tokens"]))  # type: ignore[arg-type]
        if key in seen:
            errors.append(f"{table.name} line {row.line}: {chip} at {key[1]:g} input and "
                          f"{key[2]:g} output tokens is also on line {seen[key]}")
            continue
        seen[key] = row.line
        if offered is not None and chip not in offered:
            if chip not in profile.skipped:
                profile.skipped.append(chip)
            continue
        m = _measurement(row, table.name, chip, model, precision, table.headers, errors)
        if chip not in profile.chips:
            profile.chips.append(chip)
        if m is not None:
            profile.measured.append(m)
    if errors:
        raise CsvError(capped(sorted(errors, key=_line), table.name))
    return profile
