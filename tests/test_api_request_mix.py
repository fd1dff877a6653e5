"""Issue 19's Excel end-to-end Done-when lines, through planner.api on real workbooks:

- a 6 x 6 request-mix workload whose throughputs come from the Mélange profile imported as
  is (inputs/llama2-7b_profile.csv) gives, with HiGHS and with CBC, the same plan (chips
  per type and quarter, cost) as the same data typed as 36 separate workloads with 36 x 4
  typed Measured rows;
- demand in requests/s and the same traffic in tokens/day give the same plan.

The workbooks are inputs/mix-example.xlsx's (make_mix_example.build): two quarters,
rent-only (L4, A10G, A100-80GB, H100-80GB at the profile's hourly prices),
target_utilisation 1, mip_gap 0, so each solve proves its optimum in about a second.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from workbooks import REPO

from planner.api import load_workbook, solve
from planner.domain.mixes import SECONDS_PER_DAY
from planner.io.template import new_workbook

PROFILE = REPO / "inputs" / "llama2-7b_profile.csv"


def _module():
    spec = importlib.util.spec_from_file_location("make_mix_example",
                                                  REPO / "inputs" / "make_mix_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


MIX = _module()


def _save(wb, folder: Path, name: str) -> Path:
    shutil.copy(PROFILE, folder / PROFILE.name)
    path = folder / name
    wb.save(path)
    return path


def _mix_workbook(folder: Path) -> Path:
    return _save(MIX.build(), folder, "mix.xlsx")


def _tokens_workbook(folder: Path, tokens_per_request: float) -> Path:
    """The mix workbook with its demand typed in tokens per day: requests/s x 86,400 x
    the mix's tokens per request."""
    wb = MIX.build()
    ws = wb["Demand"]
    header = [c.value for c in ws[1]]
    rps, tpd = header.index("requests_per_s"), header.index("tokens_per_day")
    for row in ws.iter_rows(min_row=2):
        row[tpd].value = row[rps].value * SECONDS_PER_DAY * tokens_per_request
        row[rps].value = None
    return _save(wb, folder, "tokens.xlsx")


def _grid_lines() -> list[dict[str, str]]:
    """The profile's lines for the mix's 6 x 6 buckets: 36 per GPU, 144 in all."""
    edges = {str(e) for e in MIX.EDGES}
    with PROFILE.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f)
                if r["input_tokens"] in edges and r["output_tokens"] in edges]


def _separate_workbook(folder: Path, mixed) -> Path:
    """The same data typed by hand: one workload per slice at its representative request
    (the bucket's upper edges), its demand the slice's share of the tokens, and one typed
    Measured row (requests/s at that size) per GPU and bucket."""
    wb = new_workbook()
    built = MIX.build()
    for sheet in ("Settings", "Chips", "Sites"):
        for row in built[sheet].iter_rows():
            for cell in row:
                wb[sheet].cell(row=cell.row, column=cell.column, value=cell.value)
    periods = [r["quarter"] for r in MIX.DEMAND]
    workloads, demand = [], []
    for s in mixed.mix.slices:
        name = f"p{s.prompt_tokens_max:g}-o{s.output_tokens_max:g}"
        workloads.append({"workload": name, "model": "llama-2-7b", "precision": "fp16",
                          "prompt_tokens": s.prompt_tokens, "output_tokens": s.output_tokens,
                          "peak_to_average": 1})
        demand += [{"workload": name, "quarter": q,
                    "tokens_per_day": mixed.demand_tokens_per_day[t] * mixed.mix.token_share(s)}
                   for t, q in enumerate(periods)]
    measured = [{"chip": r["gpu"], "model": "llama-2-7b", "precision": "fp16",
                 "max_requests_per_s_per_chip": float(r["max_requests_per_s"]),
                 "prompt_tokens": float(r["input_tokens"]),
                 "output_tokens": float(r["output_tokens"])} for r in _grid_lines()]
    assert len(workloads) == 36 and len(measured) == 36 * 4
    for sheet, rows in (("Workloads", workloads), ("Demand", demand), ("Measured", measured)):
        MIX.make_example._append(wb, sheet, rows)
    return _save(wb, folder, "separate.xlsx")


def _fleet(result) -> dict[tuple[str, str], int]:
    counts: Counter = Counter()
    for f in result.fleet:
        counts[(f.quarter, f.chip)] += f.quantity
    return {k: v for k, v in counts.items() if v}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("request-mix")
    mix = _mix_workbook(folder)
    (mixed,) = load_workbook(mix).workloads
    return {"mix": mix, "separate": _separate_workbook(folder, mixed),
            "tokens": _tokens_workbook(folder, mixed.tokens_per_request)}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_profiled_6x6_mix_plans_as_its_36_workloads_typed_separately(workbooks, solver):
    mix_in, separate_in = load_workbook(workbooks["mix"]), load_workbook(workbooks["separate"])
    assert len(mix_in.measured) == 186 and len(separate_in.measured) == 144
    assert len(separate_in.workloads) == 36
    a, b = solve(mix_in, solver=solver), solve(separate_in, solver=solver)
    assert a.solver.termination == b.solver.termination == "optimal"
    assert _fleet(a) == _fleet(b)
    assert a.solver.objective_usd == pytest.approx(b.solver.objective_usd, rel=1e-9)
    assert len({chip for _, chip in _fleet(a)}) >= 2  # a mixed fleet: the test has teeth
    assert {s.workload for s in a.slices} == {"llama2-chat"}
    assert not a.has_unmet_demand


def test_demand_in_requests_per_s_and_in_tokens_per_day_give_the_same_plan(workbooks):
    rps_in, tokens_in = load_workbook(workbooks["mix"]), load_workbook(workbooks["tokens"])
    assert (rps_in.workloads[0].demand_unit, tokens_in.workloads[0].demand_unit) == \
        ("requests_per_s", "tokens_per_day")
    assert tokens_in.workloads[0].demand_tokens_per_day == pytest.approx(
        rps_in.workloads[0].demand_tokens_per_day, rel=1e-12)
    a, b = solve(rps_in, solver="highs"), solve(tokens_in, solver="highs")
    assert _fleet(a) == _fleet(b) and _fleet(a)
    assert a.solver.objective_usd == pytest.approx(b.solver.objective_usd, rel=1e-9)


def test_the_mix_example_is_small_enough_to_plan_in_seconds(workbooks):
    """The example's Settings: two quarters, rent only, target utilisation 1, gap 0."""
    ws = openpyxl.load_workbook(workbooks["mix"])["Settings"]
    values = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    assert (values["quarters"], values["target_utilisation"], values["mip_gap"]) == (2, 1, 0)
    assert all(c.purchase_usd_per_chip is None for c in load_workbook(workbooks["mix"]).chips)
