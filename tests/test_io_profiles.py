"""The Measured sheet (planner/io/parse_measured.py) and serving profiles imported as is
(planner/io/profiles.py): requests/s measurements, sets declared complete, the Mélange
profile in its published shape."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from workbooks import REPO, both, fill_rows, mutate

from planner.domain import InputError
from planner.domain.inputs import CompleteMeasuredSet
from planner.io.reader import read_workbook
from planner.perf.catalog import load_chips, load_models

#: The Mélange profile (Griggs et al. 2024; litone01/melange-release@3d13f19
#: eval/eval.ipynb), copied as is into inputs/.
PROFILE = REPO / "inputs" / "llama2-7b_profile.csv"
PROFILE_CHIPS = [{"chip": "L4", "rent_usd_per_chip_hour": 0.7},
                 {"chip": "A10G", "rent_usd_per_chip_hour": 1.01},
                 {"chip": "A100-80GB", "rent_usd_per_chip_hour": 3.67}]


def _profile_lines() -> list[dict[str, str]]:
    with PROFILE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read(path: Path):
    return read_workbook(path, load_chips(), load_models())


def problems(path: Path) -> list:
    with pytest.raises(InputError) as info:
        read(path)
    return info.value.problems


def _measured(rows: list[dict], chips: list[dict] | None = None):
    def change(wb) -> None:
        if chips:
            fill_rows(wb, "Chips", chips)
        fill_rows(wb, "Measured", rows)
    return change


def _copy_profile(folder: Path, name: str = "profile.csv") -> Path:
    return Path(shutil.copy(PROFILE, folder / name))


def test_the_published_profile_is_imported_as_is(tmp_path: Path) -> None:
    """L4, A10G and A100-80GB are on the Chips sheet (H100 SXM too, from the minimal
    workbook): every line of the file becomes a measurement in requests/s at its bucket's
    upper edges, 36 + 36 + 57 + 57 = 186; each GPU's set is declared complete."""
    _copy_profile(tmp_path)
    rows = [{"model": "llama2-7b", "precision": "bf16", "profile_csv": "profile.csv"}]
    plan = read(mutate(tmp_path, "p.xlsx", _measured(rows, PROFILE_CHIPS)))
    lines = _profile_lines()
    assert len(plan.measured) == len(lines) == 186
    first = plan.measured[0]
    assert (first.chip, first.model, first.precision, first.prompt_tokens, first.output_tokens,
            first.requests_per_s_per_chip, first.output_tokens_per_s_per_chip) == \
        ("L4", "llama-2-7b", "bf16", 25, 25, 25.14, None)
    assert first.source == ("profile.csv line 2 (litone01/melange-release@3d13f19 "
                            "eval/eval.ipynb gpu_info_llama7b)")
    names = {"L4": "L4", "A10G": "A10G", "A100-80GB": "A100 80GB SXM", "H100-80GB": "H100 SXM"}
    assert sorted((m.chip, m.prompt_tokens, m.output_tokens, m.requests_per_s_per_chip)
                  for m in plan.measured) == sorted(
        (names[r["gpu"]], float(r["input_tokens"]), float(r["output_tokens"]),
         float(r["max_requests_per_s"])) for r in lines)
    assert plan.complete_measured == tuple(
        CompleteMeasuredSet(c, "llama-2-7b", "bf16", "Measured sheet row 2 (profile profile.csv)")
        for c in ("L4", "A10G", "A100 80GB SXM", "H100 SXM"))


def test_a_gpu_not_on_the_chips_sheet_is_skipped(tmp_path: Path) -> None:
    """Only L4 (and H100 SXM) offered: A10G's and A100's lines are left out."""
    _copy_profile(tmp_path)
    rows = [{"model": "llama-2-7b", "precision": "bf16", "profile_csv": "profile.csv",
             "complete": "no"}]
    plan = read(mutate(tmp_path, "s.xlsx", _measured(rows, PROFILE_CHIPS[:1])))
    assert {m.chip for m in plan.measured} == {"L4", "H100 SXM"}
    assert len(plan.measured) == 36 + 57
    assert plan.complete_measured == ()  # complete = no


def test_a_profile_row_naming_a_chip_keeps_that_chips_lines(tmp_path: Path) -> None:
    _copy_profile(tmp_path)
    rows = [{"chip": "A10G", "model": "llama-2-7b", "precision": "bf16",
             "profile_csv": "profile.csv"}]
    plan = read(mutate(tmp_path, "c.xlsx", _measured(rows, PROFILE_CHIPS)))
    assert {m.chip for m in plan.measured} == {"A10G"} and len(plan.measured) == 36
    assert [c.chip for c in plan.complete_measured] == ["A10G"]


def test_a_blank_rate_means_the_gpu_cannot_serve_that_bucket(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "gpu,price_usd_per_hour,input_tokens,output_tokens,max_requests_per_s,unit\n"
        "L4,0.7,25,25,25.14,requests_per_s\n"
        "L4,0.7,8000,25,,requests_per_s\n"
        "L4,0.7,4000,25,0,requests_per_s\n", encoding="utf-8")
    rows = [{"model": "llama-2-7b", "precision": "bf16", "profile_csv": "p.csv"}]
    plan = read(mutate(tmp_path, "b.xlsx", _measured(rows, PROFILE_CHIPS[:1])))
    assert [(m.prompt_tokens, m.requests_per_s_per_chip) for m in plan.measured] == [(25, 25.14)]
    assert [c.chip for c in plan.complete_measured] == ["L4"]


def test_profile_problems_name_the_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "gpu,input_tokens,output_tokens,max_requests_per_s,unit\n"
        "L4,25,25,fast,requests_per_s\n"
        "L5,25,100,3,requests_per_s\n"
        "L4,25,250,3,tokens_per_s\n"
        "L4,100,25,3,\n"
        "L4,100,25,4,\n", encoding="utf-8")
    rows = [{"model": "llama-2-7b", "precision": "bf16", "profile_csv": "p.csv"}]
    found = problems(mutate(tmp_path, "e.xlsx", _measured(rows, PROFILE_CHIPS[:1])))
    assert {(p.sheet, p.row, p.column) for p in found} == {("Measured", 2, "profile_csv")}
    messages = [p.message for p in found]
    assert messages[0] == ("p.csv line 2, column 'max_requests_per_s': expected a number "
                           ">= 0, got 'fast'")
    assert messages[1].startswith("p.csv line 3, column 'gpu': unknown GPU 'L5'")
    assert messages[2].startswith("p.csv line 4, column 'unit': unit 'tokens_per_s' is not "
                                  "requests_per_s")
    assert messages[3] == "p.csv line 6: L4 at 100 input and 25 output tokens is also on line 5"
    assert len(messages) == 4


def test_a_missing_profile_file_is_a_problem(tmp_path: Path) -> None:
    rows = [{"model": "llama-2-7b", "precision": "bf16", "profile_csv": "nowhere.csv"}]
    (p,) = problems(mutate(tmp_path, "m.xlsx", _measured(rows)))
    assert (p.row, p.column) == (2, "profile_csv") and "was not found" in p.message


def test_typed_measurements_in_requests_per_s_and_complete_sets(tmp_path: Path) -> None:
    rows = [{"chip": "H100", "model": "llama-3.1-8b", "precision": "fp8",
             "max_requests_per_s_per_chip": 12.5, "prompt_tokens": 1000, "output_tokens": 300,
             "complete": "yes", "source": "our load test"},
            {"chip": "H100", "model": "llama-3.1-8b", "precision": "fp8",
             "output_tokens_per_s_per_chip": 3000}]
    plan = read(mutate(tmp_path, "t.xlsx", _measured(rows)))
    a, b = plan.measured
    assert (a.requests_per_s_per_chip, a.output_tokens_per_s_per_chip, a.output_rate(300)) == \
        (12.5, None, 3750)
    assert (b.requests_per_s_per_chip, b.output_tokens_per_s_per_chip) == (None, 3000)
    assert plan.complete_measured == (CompleteMeasuredSet("H100 SXM", "llama-3.1-8b", "fp8",
                                                          "Measured sheet row 2"),)


def test_measured_row_problems(tmp_path: Path) -> None:
    base = {"chip": "H100", "model": "llama-3.1-8b", "precision": "fp8"}
    rows = [{**base, "output_tokens_per_s_per_chip": 3000, "max_requests_per_s_per_chip": 1},
            {**base},
            {**base, "max_requests_per_s_per_chip": 2, "output_tokens": 300},
            {"model": "llama-3.1-8b", "precision": "fp8", "output_tokens_per_s_per_chip": 10},
            {**base, "output_tokens_per_s_per_chip": 3000, "complete": "yes"},
            {**base, "output_tokens_per_s_per_chip": 2000, "prompt_tokens": 10,
             "output_tokens": 10, "complete": "no"}]
    found = problems(mutate(tmp_path, "r.xlsx", _measured(rows)))
    assert {(p.row, p.column) for p in found} == {
        (2, "max_requests_per_s_per_chip"), (3, "output_tokens_per_s_per_chip"),
        (4, "prompt_tokens"), (5, "chip"), (7, "complete")}
    by_row = {p.row: p.message for p in found}
    assert "declared complete on row 6 and not complete on row 7" in by_row[7]


def test_a_typed_no_wins_over_a_profiles_default(tmp_path: Path) -> None:
    _copy_profile(tmp_path)
    rows = [{"chip": "L4", "model": "llama-2-7b", "precision": "bf16",
             "max_requests_per_s_per_chip": 30, "prompt_tokens": 10, "output_tokens": 10,
             "complete": "no"},
            {"model": "llama-2-7b", "precision": "bf16", "profile_csv": "profile.csv"}]
    plan = read(mutate(tmp_path, "n.xlsx", _measured(rows, PROFILE_CHIPS[:1])))
    assert [c.chip for c in plan.complete_measured] == ["H100 SXM"]


def test_the_chip_is_still_required_without_a_profile(tmp_path: Path) -> None:
    change = both(_measured([{"model": "llama-3.1-8b", "precision": "fp8",
                              "output_tokens_per_s_per_chip": 10}]))
    (p,) = problems(mutate(tmp_path, "q.xlsx", change))
    assert (p.row, p.column) == (2, "chip")
