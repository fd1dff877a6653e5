"""The Slices sheet: what served each size slice of a workload with a request mix
(``PlanResult.slices``, planner.optimize.slices), one row per chip, API offering or unmet
part of a slice per quarter, and a chart of the tokens served per quarter by what served
them."""

from __future__ import annotations

from collections import defaultdict

from planner.domain import PlanResult, units
from planner.report import charts
from planner.report.styles import INT, NUM1, NUM2, PCT
from planner.report.tables import Column, TableData, quarter_key

PO = units.PROMPT_OUTPUT
COLUMNS = [
    Column("quarter"), Column("workload"), Column("slice"), Column("share_of_requests", PCT),
    Column("prompt_tokens", INT), Column("output_tokens", INT), Column("kind"),
    Column("served_by"), Column("chips", NUM1), Column("prompt_output_tokens_per_day", INT),
    Column("requests_per_s", NUM2), Column("throughput_source"),
]


def slices_table(result: PlanResult) -> TableData:
    """One row per SliceRow: the slice's representative request (prompt and output
    tokens), what served it (kind chip, api or unmet), the chips, the prompt+output tokens
    per day and requests per second, and whether the chip's rate was measured or
    modelled."""
    rows = [(r.quarter, r.workload, r.slice, r.share_of_requests, r.prompt_tokens,
             r.output_tokens, r.kind, r.served_by or "unmet", r.chips, r.tokens_per_day,
             r.requests_per_s, r.throughput_source)
            for r in result.slices]
    return TableData("slices", list(COLUMNS), rows,
                     "No workload has a request mix: nothing is planned by size slice.")


def chart(ws, data_ws, col: int, result: PlanResult) -> int:
    """Stacked columns of prompt+output tokens per day served per quarter, by what served
    them (each chip type, each API offering, unmet); returns the next free column."""
    if not result.slices:
        return col
    tokens: dict[tuple[str, str], float] = defaultdict(float)
    for r in result.slices:
        tokens[r.quarter, r.served_by or "unmet"] += r.tokens_per_day
    series = sorted({k[1] for k in tokens}, key=lambda s: (s == "unmet", s))
    quarters = sorted({k[0] for k in tokens}, key=quarter_key)
    peak = max(sum(tokens[q, s] for s in series) for q in quarters)
    scale, word = (1e9, "billion ") if peak >= 1e9 else (1e6, "million ") if peak >= 1e6 \
        else (1.0, "")
    charts.stacked_columns(
        ws, data_ws, col, len(COLUMNS), "chart_slices", series, NUM1,
        [(q, [tokens[q, s] / scale for s in series]) for q in quarters],
        ("Sliced workloads: tokens served per day by chip, API or unmet",
         f"{word}prompt+output tokens per day", "#,##0.0"))
    return col + len(series) + 2
