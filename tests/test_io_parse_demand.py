"""Workloads, Demand and Training sheets: horizon, order, duplicates, unknown names."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import both, catalogs, fill_rows, mutate, set_cell, set_setting

from planner.domain import InputError
from planner.io.reader import read_workbook


def problems(path: Path) -> list:
    with pytest.raises(InputError) as info:
        read_workbook(path, *catalogs())
    return info.value.problems


def where(found) -> set[tuple]:
    return {(p.sheet, p.row, p.column) for p in found}


def test_missing_quarter_is_named(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "m.xlsx", lambda wb: wb["Demand"].delete_rows(4)))
    assert (p.sheet, p.row, p.column) == ("Demand", None, "quarter")
    assert "'chat' has no demand row for 2027Q3" in p.message


def test_longer_horizon_reports_each_workload_once(tmp_path: Path) -> None:
    found = problems(mutate(tmp_path, "h.xlsx", set_setting("quarters", 12)))
    assert len(found) == 2
    assert "2028Q1, 2028Q2, 2028Q3, 2028Q4, 2029Q1, 2029Q2, ..." in found[0].message


def test_duplicate_workload_quarter(tmp_path: Path) -> None:
    found = problems(mutate(tmp_path, "d.xlsx", set_cell("Demand", 3, "quarter", "2027Q1")))
    assert ("Demand", 3, "quarter") in where(found)
    assert any("twice (also on row 2)" in p.message for p in found)


def test_quarter_outside_the_plan(tmp_path: Path) -> None:
    def add(wb) -> None:
        fill_rows(wb, "Demand", [{"workload": "chat", "quarter": "2028Q1", "tokens_per_day": 1}])
    (p,) = problems(mutate(tmp_path, "o.xlsx", add))
    assert (p.row, p.column) == (10, "quarter") and "outside the plan (2027Q1 to 2027Q4)" in p.message


def test_interleaved_workloads_are_fine(tmp_path: Path) -> None:
    def interleave(wb) -> None:
        ws = wb["Demand"]
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
        for i, values in enumerate(rows[0::4] + rows[1::4] + rows[2::4] + rows[3::4]):
            for j, v in enumerate(values):
                ws.cell(row=i + 2, column=j + 1, value=v)
    plan = read_workbook(mutate(tmp_path, "i.xlsx", interleave), *catalogs())
    assert plan.workloads[1].demand_tokens_per_day[0] == 2e9


def test_negative_demand(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "n.xlsx", set_cell("Demand", 5, "tokens_per_day", -1)))
    assert (p.row, p.column) == (5, "tokens_per_day")


def test_bad_model_does_not_make_its_demand_unknown(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "b.xlsx", set_cell("Workloads", 2, "model", "gpt-9")))
    assert (p.sheet, p.column) == ("Workloads", "model")


def test_duplicate_workload(tmp_path: Path) -> None:
    found = problems(mutate(tmp_path, "d.xlsx", set_cell("Workloads", 3, "workload", "Chat")))
    assert ("Workloads", 3, "workload") in where(found)


def test_bad_precision(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "p.xlsx", set_cell("Workloads", 2, "precision", "fp32")))
    assert p.message == "expected one of fp4, fp8, int8, bf16, fp16, got 'fp32'"


def test_training_outside_the_plan_and_duplicate_run(tmp_path: Path) -> None:
    change = both(set_cell("Training", 2, "earliest_quarter", "2026Q4"),
                  lambda wb: fill_rows(wb, "Training", [{
                      "run": "pretrain", "model": "llama-3.1-8b", "tokens": 1e9,
                      "earliest_quarter": "2027Q1", "deadline_quarter": "2028Q2"}]))
    found = problems(mutate(tmp_path, "t.xlsx", change))
    assert where(found) == {("Training", 2, "earliest_quarter"), ("Training", 3, "deadline_quarter"),
                            ("Training", 3, "run")}


def test_training_mfu_range(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "m.xlsx", set_cell("Training", 2, "mfu", 40)))
    assert (p.column, p.message) == ("mfu", ("expected a number in (0, 1], got 40 "
                                             "(40 would be 4000%; write 40% or 0.4)"))


def test_without_settings_the_other_sheets_are_still_checked(tmp_path: Path) -> None:
    change = both(set_setting("start_quarter", "someday"),
                  set_cell("Demand", 2, "tokens_per_day", "lots"))
    found = problems(mutate(tmp_path, "s.xlsx", change))
    assert {p.sheet for p in found} == {"Settings", "Demand"}


def test_training_method_and_rank(tmp_path: Path) -> None:
    change = lambda wb: fill_rows(wb, "Training", [{
        "run": "ft", "model": "llama-3.1-8b", "tokens": 1e9, "earliest_quarter": "2027Q1",
        "deadline_quarter": "2027Q4", "method": "lora", "lora_rank": 64, "max_gang_chips": 16384}])
    plan = read_workbook(mutate(tmp_path, "f.xlsx", change), *catalogs())
    run = next(r for r in plan.training if r.name == "ft")
    assert (run.method, run.lora_rank, run.max_gang_chips) == ("lora", 64, 16384)
    assert all(r.max_gang_chips is None for r in plan.training if r.name != "ft")
    (p,) = problems(mutate(tmp_path, "g.xlsx", set_cell("Training", 2, "method", "dpo")))
    assert p.column == "method"


def test_workload_speculation_and_replica_cap(tmp_path: Path) -> None:
    change = both(set_cell("Workloads", 2, "draft_tokens", 1),
                  set_cell("Workloads", 2, "draft_acceptance", 0.85),
                  set_cell("Workloads", 2, "max_replica_chips", 8))
    w = read_workbook(mutate(tmp_path, "s.xlsx", change), *catalogs()).workloads[0]
    assert (w.draft_tokens, w.draft_acceptance, w.max_replica_chips) == (1, 0.85, 8)
    found = problems(mutate(tmp_path, "t.xlsx", set_cell("Workloads", 2, "draft_acceptance", 0.5)))
    assert [p.column for p in found] == ["draft_tokens"]
    found = problems(mutate(tmp_path, "u.xlsx", both(set_cell("Workloads", 2, "draft_tokens", 2),
                                                     set_cell("Workloads", 2, "draft_acceptance", 1))))
    assert [p.column for p in found] == ["draft_acceptance"]


def _demand_in(unit: str, values: dict[int, float], workload_rows=range(2, 6)):
    """Demand rows ``workload_rows`` (chat's) moved from tokens_per_day to ``unit``."""
    def change(wb) -> None:
        for r in workload_rows:
            set_cell("Demand", r, "tokens_per_day", None)(wb)
            set_cell("Demand", r, unit, values[r])(wb)
    return change


def test_demand_in_requests_per_s_becomes_tokens_per_day(tmp_path: Path) -> None:
    """chat: prompt 1000 + output 300 = 1300 tokens per request; 10 requests/s x 86,400 s x
    1300 = 1.1232e9 tokens/day.  batch keeps its tokens_per_day."""
    change = _demand_in("requests_per_s", {2: 10, 3: 11, 4: 12, 5: 13})
    plan = read_workbook(mutate(tmp_path, "rps.xlsx", change), *catalogs())
    chat, batch = plan.workloads
    assert chat.demand_unit == "requests_per_s" and batch.demand_unit == "tokens_per_day"
    assert chat.demand_tokens_per_day == pytest.approx(
        tuple(r * 86_400 * 1300 for r in (10, 11, 12, 13)))
    assert chat.requests_per_s(0) == pytest.approx(10)
    assert batch.demand_tokens_per_day[0] == 2e9


def test_demand_in_requests_per_day(tmp_path: Path) -> None:
    """1e6 requests/day x 1300 tokens = 1.3e9 tokens/day."""
    change = _demand_in("requests_per_day", {r: 1e6 for r in range(2, 6)})
    chat = read_workbook(mutate(tmp_path, "rpd.xlsx", change), *catalogs()).workloads[0]
    assert chat.demand_unit == "requests_per_day"
    assert chat.demand_tokens_per_day == pytest.approx((1.3e9,) * 4)


def test_requests_of_a_mixed_workload_use_the_mixs_tokens_per_request(tmp_path: Path) -> None:
    """Mix: half (100 prompt, 100 output), half (300, 100): 300 tokens per request; 2
    requests/s = 2 x 86,400 x 300 = 5.184e7 tokens/day."""
    mix = [{"workload": "chat", "prompt_tokens_max": p, "output_tokens_max": 100,
            "share_of_requests": 0.5} for p in (100, 300)]
    change = both(_demand_in("requests_per_s", {r: 2 for r in range(2, 6)}),
                  lambda wb: fill_rows(wb, "RequestMix", mix))
    chat = read_workbook(mutate(tmp_path, "mixrps.xlsx", change), *catalogs()).workloads[0]
    assert chat.tokens_per_request == pytest.approx(300)
    assert chat.demand_tokens_per_day[0] == pytest.approx(5.184e7)


def test_two_units_on_a_row_or_across_a_workloads_rows_are_problems(tmp_path: Path) -> None:
    change = both(set_cell("Demand", 2, "requests_per_s", 3),
                  set_cell("Demand", 4, "tokens_per_day", None),
                  set_cell("Demand", 4, "requests_per_day", 5),
                  set_cell("Demand", 7, "tokens_per_day", None))
    found = problems(mutate(tmp_path, "units.xlsx", change))
    assert where(found) == {("Demand", 2, "requests_per_s"), ("Demand", 4, "requests_per_day"),
                            ("Demand", 7, "tokens_per_day")}
    by_row = {p.row: p.message for p in found}
    assert by_row[2] == ("the row gives both tokens_per_day and requests_per_s: give demand "
                         "in one unit only")
    assert by_row[4] == ("'chat' gives demand in tokens_per_day on row 3: give every quarter "
                         "of a workload in the same unit")
    assert by_row[7].startswith("is empty: give the demand in one of tokens_per_day")


def test_requests_that_come_to_implausibly_many_tokens_are_a_problem(tmp_path: Path) -> None:
    """1e10 requests/s x 86,400 x 1300 tokens = 1.1e18 tokens/day, over 1e16."""
    change = _demand_in("requests_per_s", {r: 1e10 for r in range(2, 6)})
    (p,) = problems(mutate(tmp_path, "huge.xlsx", change))
    assert (p.sheet, p.column) == ("Demand", "requests_per_s")
    assert "outside the plausible range of tokens_per_day" in p.message
