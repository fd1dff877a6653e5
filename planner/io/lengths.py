"""A CSV of request lengths sampled from logs, binned into a request-size mix.

Each line is one request: its prompt (input) and output lengths in tokens.  A request
falls in the bucket (previous edge, edge] of each axis (a prompt of 0 tokens in the first
prompt bucket); each non-empty bucket becomes a :class:`~planner.domain.mixes.SizeSlice`
whose share is its share of the requests and whose representative request is the mean
prompt and mean output of the requests in it.

>>> mix = bin_requests([(1, 10, 20), (2, 30, 20), (3, 40, 80)], [25, 100], [25, 100])
>>> [(s.label, round(s.share, 3), s.prompt_tokens, s.output_tokens) for s in mix.slices]
[('prompt 0-25, output 0-25', 0.333, 10.0, 20.0), ('prompt 25-100, output 0-25', 0.333, 30.0, 20.0), ('prompt 25-100, output 25-100', 0.333, 40.0, 80.0)]
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from planner.domain.mixes import RequestMix, SizeSlice
from planner.io.csvfile import CsvError, capped, read_csv
from planner.io.schema_optional import DEFAULT_LENGTH_EDGES
from planner.io.schema_spec import ColumnSpec, col

__all__ = ["COLUMNS", "LengthsError", "bin_lengths", "bin_requests", "default_edges",
           "read_lengths"]

LengthsError = CsvError

#: The two columns read (any other column is ignored), with the other names accepted.
COLUMNS: list[ColumnSpec] = [
    replace(col("prompt_tokens", "tokens", "number", True), synonyms=(
        "input_tokens", "prompt_len", "input_len", "prompt_length", "input_length",
        "num_prompt_tokens", "num_input_tokens")),
    replace(col("output_tokens", "tokens", "positive", True), synonyms=(
        "completion_tokens", "output_len", "output_length", "generated_tokens",
        "num_output_tokens", "response_tokens")),
]

#: A request: (line of the file, prompt tokens, output tokens).
Request = tuple[int, float, float]


def default_edges(longest: float) -> list[float]:
    """:data:`DEFAULT_LENGTH_EDGES`, doubled on until the last holds ``longest``.

    >>> default_edges(5000)
    [25.0, 100.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0]
    """
    edges = [float(e) for e in DEFAULT_LENGTH_EDGES]
    while edges[-1] < longest:
        edges.append(edges[-1] * 2)
    return edges


def read_lengths(text: str, base_dir: Path | None) -> tuple[str, list[Request]]:
    """The file's name (as the workbook wrote it) and its requests; CsvError if it cannot
    be read, lacks a column, holds a bad cell or no request."""
    table = read_csv(text, base_dir, COLUMNS)
    if table.errors:
        raise CsvError(capped(table.errors, table.name))
    return table.name, [(r.line, float(r.values["prompt_tokens"]),  # type: ignore[arg-type]
                         float(r.values["output_tokens"])) for r in table.rows]  # type: ignore[arg-type]


def _index(edges: Sequence[float], value: float) -> int:
    """The bucket (previous edge, edge] holding ``value``; len(edges) if past the last."""
    return bisect.bisect_left(edges, value)


def _beyond(name: str, requests: list[Request], edges: Sequence[float], axis: int,
            kind: str) -> str | None:
    past = [r for r in requests if r[axis] > edges[-1]]
    if not past:
        return None
    return (f"{name}: {len(past):,} request(s) (first on line {past[0][0]}) have a {kind} "
            f"over the largest {kind}_tokens_max, {edges[-1]:g}: add a larger edge")


def bin_requests(requests: list[Request], prompt_edges: Sequence[float],
                 output_edges: Sequence[float], name: str = "requests") -> RequestMix:
    """``requests`` binned on the edges (CsvError if any falls past the last edge)."""
    errors = [m for m in (_beyond(name, requests, prompt_edges, 1, "prompt"),
                          _beyond(name, requests, output_edges, 2, "output")) if m]
    if errors:
        raise CsvError(errors)
    sums: dict[tuple[int, int], list[float]] = {}
    for _, p, o in requests:
        acc = sums.setdefault((_index(prompt_edges, p), _index(output_edges, o)), [0, 0.0, 0.0])
        acc[0] += 1
        acc[1] += p
        acc[2] += o
    n = len(requests)
    slices = []
    for (i, j), (count, p_sum, o_sum) in sorted(sums.items()):
        slices.append(SizeSlice(
            float(prompt_edges[i]), float(output_edges[j]), count / n, p_sum / count,
            o_sum / count, float(prompt_edges[i - 1]) if i else 0.0,
            float(output_edges[j - 1]) if j else 0.0))
    source = (f"{name}: {n:,} requests binned on {len(prompt_edges)} prompt x "
              f"{len(output_edges)} output edges, {len(slices)} non-empty buckets")
    return RequestMix(tuple(slices), source)


def bin_lengths(lengths: tuple[str, list[Request]], prompt_edges: Sequence[float] | None,
                output_edges: Sequence[float] | None) -> RequestMix:
    """The file read by :func:`read_lengths` binned on the given edges, or on
    :func:`default_edges` for an axis without any."""
    name, requests = lengths
    prompts = prompt_edges or default_edges(max(p for _, p, _ in requests))
    outputs = output_edges or default_edges(max(o for _, _, o in requests))
    return bin_requests(requests, prompts, outputs, name)
