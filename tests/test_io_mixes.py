"""The RequestMix sheet (planner/io/parse_mixes.py) and request-length CSVs
(planner/io/lengths.py): histograms typed or binned from logs, every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import both, fill_rows, mutate, problems, read, set_cell, where

from planner.io.lengths import bin_requests, default_edges

#: A 2 x 2 histogram for 'chat': prompt edges 100, 1000; output edges 50, 500.
HISTOGRAM = [
    {"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 50,
     "share_of_requests": 0.4},
    {"workload": "chat", "prompt_tokens_max": 1000, "output_tokens_max": 50,
     "share_of_requests": 0.3},
    {"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 500,
     "share_of_requests": "20%", "prompt_tokens_mean": 60},
    {"workload": "chat", "prompt_tokens_max": 1000, "output_tokens_max": 500,
     "share_of_requests": 0.1, "source": "gateway logs, October"},
]


def _with_mix(rows: list[dict], blank_shape: bool = True):
    def change(wb) -> None:
        fill_rows(wb, "RequestMix", rows)
        if blank_shape:
            set_cell("Workloads", 2, "prompt_tokens", None)(wb)
            set_cell("Workloads", 2, "output_tokens", None)(wb)
    return change


def test_a_histogram_becomes_the_workloads_mix_and_sets_its_shape(tmp_path: Path) -> None:
    """Lower edges default to the previous edge of the grid, representative lengths to
    the upper edges (or the typed mean).  Means: prompt 0.4x100 + 0.3x1000 + 0.2x60 +
    0.1x1000 = 452; output 0.4x50 + 0.3x50 + 0.2x500 + 0.1x500 = 185; tokens per request
    637.  Demand stays the tokens per day typed (1e9 in the first quarter)."""
    plan = read(mutate(tmp_path, "mix.xlsx", _with_mix(HISTOGRAM)))
    chat = next(w for w in plan.workloads if w.name == "chat")
    mix = chat.mix
    assert mix is not None
    got = [(s.label, s.share, s.prompt_tokens, s.output_tokens) for s in mix.slices]
    assert got == [("prompt 0-100, output 0-50", 0.4, 100, 50),
                   ("prompt 100-1,000, output 0-50", 0.3, 1000, 50),
                   ("prompt 0-100, output 50-500", 0.2, 60, 500),
                   ("prompt 100-1,000, output 50-500", 0.1, 1000, 500)]
    assert (chat.prompt_tokens, chat.output_tokens) == pytest.approx((452, 185))
    assert chat.tokens_per_request == pytest.approx(637)
    assert chat.demand_tokens_per_day[0] == pytest.approx(1e9)
    assert mix.source == "RequestMix rows 2-5; gateway logs, October"
    batch = next(w for w in plan.workloads if w.name == "batch")
    assert batch.mix is None and (batch.prompt_tokens, batch.output_tokens) == (3000, 300)


def test_typed_lengths_of_a_mixed_workload_give_way_to_the_mix(tmp_path: Path) -> None:
    plan = read(mutate(tmp_path, "typed.xlsx", _with_mix(HISTOGRAM, blank_shape=False)))
    chat = next(w for w in plan.workloads if w.name == "chat")
    assert (chat.prompt_tokens, chat.output_tokens) == pytest.approx((452, 185))


def test_shares_within_the_tolerance_are_scaled_to_add_up_to_one(tmp_path: Path) -> None:
    rows = [{"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 100,
             "share_of_requests": 0.3333} for _ in range(1)]
    rows += [{"workload": "chat", "prompt_tokens_max": p, "output_tokens_max": 100,
              "share_of_requests": 0.3333} for p in (200, 300)]
    plan = read(mutate(tmp_path, "third.xlsx", _with_mix(rows)))
    shares = [s.share for s in plan.workloads[0].mix.slices]
    assert shares == pytest.approx([1 / 3] * 3) and sum(shares) == pytest.approx(1, abs=1e-12)


def test_every_mix_problem_is_reported_at_once_by_row_and_column(tmp_path: Path) -> None:
    rows = [
        # 2: fine; 3: overlaps row 2 (explicit lower edge 50 inside (0, 100]).
        {"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 100,
         "share_of_requests": 0.5},
        {"workload": "chat", "prompt_tokens_max": 200, "output_tokens_max": 100,
         "share_of_requests": 0.5, "prompt_tokens_min": 50},
        # 4: unknown workload; 5: share blank; 6: mean outside its bucket
        {"workload": "chatt", "prompt_tokens_max": 100, "output_tokens_max": 100,
         "share_of_requests": 1},
        {"workload": "batch", "prompt_tokens_max": 100, "output_tokens_max": 100},
        {"workload": "batch", "prompt_tokens_max": 200, "output_tokens_max": 100,
         "share_of_requests": 0.5, "output_tokens_mean": 150},
    ]
    found = problems(mutate(tmp_path, "bad.xlsx", _with_mix(rows)))
    assert where(found) == {("RequestMix", 3, "prompt_tokens_max"),
                            ("RequestMix", 4, "workload"),
                            ("RequestMix", 5, "share_of_requests"),
                            ("RequestMix", 6, "output_tokens_mean")}
    by_row = {p.row: p.message for p in found}
    assert "overlaps row 2's bucket prompt 0-100, output 0-100" in by_row[3]
    assert "unknown workload 'chatt' (closest: chat)" in by_row[4]
    assert "150 is outside the bucket's output lengths (0, 100]" in by_row[6]


def test_shares_that_do_not_add_up_say_what_they_add_up_to(tmp_path: Path) -> None:
    rows = [{"workload": "chat", "prompt_tokens_max": p, "output_tokens_max": 100,
             "share_of_requests": 0.4} for p in (100, 200)]
    (p,) = problems(mutate(tmp_path, "sum.xlsx", _with_mix(rows)))
    assert (p.sheet, p.row, p.column) == ("RequestMix", None, "share_of_requests")
    assert p.message == ("workload 'chat': the shares of requests on rows 2-3 add up to 0.8, "
                         "not 1 (within 0.001)")


def test_a_lower_edge_not_below_the_upper_one_is_a_problem(tmp_path: Path) -> None:
    rows = [{"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 100,
             "share_of_requests": 1, "output_tokens_min": 100}]
    (p,) = problems(mutate(tmp_path, "edge.xlsx", _with_mix(rows)))
    assert (p.row, p.column) == (2, "output_tokens_min") and "not below" in p.message


def test_a_workload_without_a_mix_still_needs_its_lengths(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "blank.xlsx", set_cell("Workloads", 3, "output_tokens", None)))
    assert (p.sheet, p.row, p.column) == ("Workloads", 3, "output_tokens")
    assert "blank only for a workload with a request mix" in p.message


def _lengths_file(folder: Path, lines: list[str], name: str = "lengths.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_lengths_file_is_binned_on_the_default_grid(tmp_path: Path) -> None:
    """Five requests (prompt, output): (10, 20), (20, 30) fall in prompt (0, 25] and
    output (0, 25] / (25, 100]; (300, 20), (400, 24) in prompt (250, 500], output (0, 25];
    (3000, 1) in prompt (2000, 4000] (the default grid doubled on past 2000), output
    (0, 25].  Shares 1/5, 1/5, 2/5, 1/5; the (250, 500] bucket's means are prompt 350,
    output 22."""
    _lengths_file(tmp_path, ["request_id,input_tokens,completion_tokens",
                             "a,10,20", "b,20,30", "c,300,20", "", "d,400,24", "e,3000,1"])
    rows = [{"workload": "chat", "lengths_csv": "lengths.csv", "source": "sampled logs"}]
    chat = read(mutate(tmp_path, "logs.xlsx", _with_mix(rows))).workloads[0]
    got = [(s.label, s.share, s.prompt_tokens, s.output_tokens) for s in chat.mix.slices]
    assert got == [("prompt 0-25, output 0-25", 0.2, 10, 20),
                   ("prompt 0-25, output 25-100", 0.2, 20, 30),
                   ("prompt 250-500, output 0-25", 0.4, 350, 22),
                   ("prompt 2,000-4,000, output 0-25", 0.2, 3000, 1)]
    assert chat.mix.source == ("lengths.csv: 5 requests binned on 7 prompt x 6 output "
                               "edges, 4 non-empty buckets (RequestMix row 2); sampled logs")
    assert chat.prompt_tokens == pytest.approx((10 + 20 + 300 + 400 + 3000) / 5)


def test_a_lengths_file_is_binned_on_the_workloads_edges(tmp_path: Path) -> None:
    _lengths_file(tmp_path, ["prompt_tokens,output_tokens", "10,20", "150,20", "150,400"])
    rows = [{"workload": "chat", "lengths_csv": "lengths.csv"},
            {"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 100},
            {"workload": "chat", "prompt_tokens_max": 1000, "output_tokens_max": 1000}]
    mix = read(mutate(tmp_path, "edges.xlsx", _with_mix(rows))).workloads[0].mix
    assert [s.label for s in mix.slices] == ["prompt 0-100, output 0-100",
                                             "prompt 100-1,000, output 0-100",
                                             "prompt 100-1,000, output 100-1,000"]


def test_lengths_file_problems_name_file_line_and_column(tmp_path: Path) -> None:
    _lengths_file(tmp_path, ["prompt_tokens,output_tokens", "10,20", "abc,20", "30,0",
                             "5000,20"])
    rows = [{"workload": "chat", "lengths_csv": "lengths.csv"},
            {"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 100}]
    found = problems(mutate(tmp_path, "badlen.xlsx", _with_mix(rows)))
    assert where(found) == {("RequestMix", 2, "lengths_csv")}
    assert [p.message for p in found] == [
        "lengths.csv line 3, column 'prompt_tokens': expected a number >= 0, got 'abc'",
        "lengths.csv line 4, column 'output_tokens': expected a number > 0, got '0'"]


def test_requests_past_the_last_edge_are_counted_with_the_first_line(tmp_path: Path) -> None:
    _lengths_file(tmp_path, ["prompt_tokens,output_tokens", "10,20", "5000,20", "6000,20"])
    rows = [{"workload": "chat", "lengths_csv": "lengths.csv"},
            {"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 100}]
    (p,) = problems(mutate(tmp_path, "past.xlsx", _with_mix(rows)))
    assert p.message == ("lengths.csv: 2 request(s) (first on line 3) have a prompt over the "
                         "largest prompt_tokens_max, 100: add a larger edge")


@pytest.mark.parametrize(("lines", "says"), [
    (None, "lengths.csv (looked for at"),
    ([], "lengths.csv is empty: line 1 must hold the column names"),
    (["prompt_tokens,output_tokens"], "lengths.csv has no data lines below its header"),
    (["prompt,output", "1,2"], "lengths.csv line 1: no column 'prompt_tokens' (or input_tokens"),
])
def test_a_missing_empty_or_headless_lengths_file_is_a_problem(tmp_path, lines, says) -> None:
    if lines is not None:
        (tmp_path / "lengths.csv").write_text("\n".join(lines), encoding="utf-8")
    rows = [{"workload": "chat", "lengths_csv": "lengths.csv"}]
    found = problems(mutate(tmp_path, "none.xlsx", _with_mix(rows)))
    assert where(found) <= {("RequestMix", 2, "lengths_csv")}
    assert says in found[0].message


def test_shares_on_a_lengths_workload_and_two_files_are_problems(tmp_path: Path) -> None:
    _lengths_file(tmp_path, ["prompt_tokens,output_tokens", "10,20"])
    rows = [{"workload": "chat", "lengths_csv": "lengths.csv"},
            {"workload": "chat", "lengths_csv": "lengths.csv"},
            {"workload": "chat", "prompt_tokens_max": 100, "output_tokens_max": 100,
             "share_of_requests": 1}]
    found = problems(mutate(tmp_path, "two.xlsx", _with_mix(rows)))
    assert where(found) == {("RequestMix", 3, "lengths_csv"),
                            ("RequestMix", 4, "share_of_requests")}


def test_bin_requests_property_shares_add_up_and_every_request_is_inside_its_bucket() -> None:
    requests = [(i + 2, float((i * 37) % 3000), float(1 + (i * 53) % 1500)) for i in range(400)]
    edges = default_edges(3000)
    mix = bin_requests(requests, edges, default_edges(1500))
    assert sum(s.share for s in mix.slices) == pytest.approx(1)
    for s in mix.slices:
        inside = [r for r in requests if s.contains(max(r[1], 1e-9), r[2])]
        assert len(inside) == round(s.share * 400)
        assert s.prompt_tokens == pytest.approx(sum(r[1] for r in inside) / len(inside))


def test_drivers_demand_of_a_mixed_workload_uses_the_mix(tmp_path: Path) -> None:
    """Drivers: 1,000 users x 10 requests/day x 637 tokens per request (the mix's mean)
    = 6.37e6 tokens/day in the first quarter."""
    change = both(_with_mix(HISTOGRAM), set_cell("Workloads", 2, "demand_method", "drivers"),
                  lambda wb: wb["Demand"].delete_rows(2, 4),
                  lambda wb: fill_rows(wb, "Drivers", [{
                      "workload": "chat", "active_users": 1000, "users_growth_per_quarter": 0,
                      "requests_per_user_per_day": 10, "requests_growth_per_quarter": 0,
                      "reasoning_multiplier": 1}]))
    chat = next(w for w in read(mutate(tmp_path, "drv.xlsx", change)).workloads
                if w.name == "chat")
    assert chat.demand_tokens_per_day[0] == pytest.approx(6.37e6)
    assert chat.mix is not None and chat.output_tokens == pytest.approx(185)


def test_a_reasoning_multiplier_on_a_mixed_workload_is_a_problem(tmp_path: Path) -> None:
    change = both(_with_mix(HISTOGRAM), set_cell("Workloads", 2, "demand_method", "drivers"),
                  lambda wb: wb["Demand"].delete_rows(2, 4),
                  lambda wb: fill_rows(wb, "Drivers", [{
                      "workload": "chat", "active_users": 1000, "users_growth_per_quarter": 0,
                      "requests_per_user_per_day": 10, "requests_growth_per_quarter": 0,
                      "reasoning_multiplier": 2}]))
    (p,) = problems(mutate(tmp_path, "rm.xlsx", change))
    assert (p.sheet, p.column) == ("Drivers", "reasoning_multiplier")


def test_a_history_forecast_works_for_a_mixed_workload(tmp_path: Path) -> None:
    """12 months of flat history at 5e8 tokens/day: the fitted P50 is 5e8 in every
    quarter, and the mix (not the history) sets the request sizes."""
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    change = both(_with_mix(HISTOGRAM), set_cell("Workloads", 2, "demand_method", "history"),
                  lambda wb: wb["Demand"].delete_rows(2, 4),
                  lambda wb: fill_rows(wb, "History", [
                      {"workload": "chat", "month": m, "tokens_per_day": 5e8} for m in months]))
    chat = next(w for w in read(mutate(tmp_path, "hist.xlsx", change)).workloads
                if w.name == "chat")
    assert chat.demand_method == "history" and chat.mix is not None
    assert chat.demand_tokens_per_day == pytest.approx((5e8,) * 4, rel=1e-6)
    assert chat.tokens_per_request == pytest.approx(637)


def test_a_lengths_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    """PLANNER_MAX_FILE_MB applies to the CSV files a workbook names as to the workbook."""
    _lengths_file(tmp_path, ["prompt_tokens,output_tokens"] + ["10,20"] * 60_000)
    monkeypatch.setenv("PLANNER_MAX_FILE_MB", "0.1")
    rows = [{"workload": "chat", "lengths_csv": "lengths.csv"}]
    (p,) = problems(mutate(tmp_path, "big.xlsx", _with_mix(rows)))
    assert (p.row, p.column) == (2, "lengths_csv")
    assert p.message.startswith("lengths.csv is 0.3 MB, over the 0.1 MB limit")
