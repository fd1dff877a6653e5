"""Software stacks: the Stacks sheet and the stacks columns of Workloads and Training."""

from __future__ import annotations

from pathlib import Path

from workbooks import append_row, both, mutate, problems, read, set_cell

KNOWN = "known stacks: CANN, CUDA, GroqWare, ROCm, XLA"


def stack(name: object, cost: object = None, adopted: object = None):
    return append_row("Stacks", {"stack": name, "adoption_usd": cost, "adopted": adopted})


def test_stacks_round_trip_with_catalog_spelling(tmp_path: Path) -> None:
    change = both(stack("cuda", adopted="yes"), stack(" Rocm ", 250000),
                  stack("xla", 0, adopted="no"))
    cuda, rocm, xla = read(mutate(tmp_path, "s.xlsx", change)).stacks
    assert (cuda.name, cuda.adoption_usd, cuda.adopted) == ("CUDA", 0.0, True)
    assert (rocm.name, rocm.adoption_usd, rocm.adopted) == ("ROCm", 250000.0, False)
    assert (xla.name, xla.adoption_usd, xla.adopted) == ("XLA", 0.0, False)


def test_stack_problems_are_each_named(tmp_path: Path) -> None:
    change = both(stack("Metal", 1), stack("CUDA", 5, adopted="yes"), stack("ROCm"),
                  stack("rocm", 3), stack("XLA", 1, adopted="maybe"), stack("CANN", -1))
    found = problems(mutate(tmp_path, "s.xlsx", change))
    text = {(p.row, p.column): p.message for p in found}
    assert set(text) == {(2, "stack"), (3, "adoption_usd"), (4, "adoption_usd"), (5, "stack"),
                         (6, "adopted"), (7, "adoption_usd")}
    assert text[2, "stack"] == f"unknown software stack 'Metal'; {KNOWN}"
    assert "the stack is adopted, so it costs nothing" in text[3, "adoption_usd"]
    assert "blank only if adopted is yes" in text[4, "adoption_usd"]
    assert "stack 'rocm' is listed twice (also on row 4)" in text[5, "stack"]
    assert "yes or no" in text[6, "adopted"]


def test_workload_and_run_stacks_become_canonical_tuples(tmp_path: Path) -> None:
    change = both(set_cell("Workloads", 2, "stacks", "cuda; ROCM, CUDA"),
                  set_cell("Training", 2, "stacks", "CUDA"))
    plan = read(mutate(tmp_path, "w.xlsx", change))
    chat, batch = plan.workloads
    assert chat.stacks == ("CUDA", "ROCm") and batch.stacks == ()
    assert plan.training[0].stacks == ("CUDA",)


def test_unknown_stack_in_workloads_and_training(tmp_path: Path) -> None:
    change = both(set_cell("Workloads", 2, "stacks", "CUDA, Metal"),
                  set_cell("Training", 2, "stacks", "Triton"))
    found = problems(mutate(tmp_path, "w.xlsx", change))
    assert {(p.sheet, p.row, p.column) for p in found} == {("Workloads", 2, "stacks"),
                                                           ("Training", 2, "stacks")}
    assert found[0].message == f"unknown software stack 'Metal'; {KNOWN}"


def test_stacks_no_offered_chip_runs_on_are_a_problem(tmp_path: Path) -> None:
    (p,) = problems(mutate(tmp_path, "w.xlsx", set_cell("Training", 2, "stacks", "rocm")))
    assert (p.sheet, p.row, p.column) == ("Training", 2, "stacks")
    assert "no chip on the Chips sheet runs on ROCm (the chips offered run on CUDA)" in p.message
    with_mi300x = both(append_row("Chips", {"chip": "MI300X", "rent_usd_per_chip_hour": 1.8}),
                       set_cell("Training", 2, "stacks", "rocm"))
    assert read(mutate(tmp_path, "ok.xlsx", with_mi300x)).training[0].stacks == ("ROCm",)


def test_an_api_for_the_model_can_serve_a_workload_on_any_stack(tmp_path: Path) -> None:
    change = both(set_cell("Workloads", 2, "stacks", "ROCm"),
                  append_row("APIs", {"offering": "groq", "model": "llama-3.1-8b",
                                      "usd_per_million_tokens": 0.1}))
    assert read(mutate(tmp_path, "a.xlsx", change)).workloads[0].stacks == ("ROCm",)


def test_new_chip_stack_becomes_known(tmp_path: Path) -> None:
    row = {"chip": "Acme X1", "rent_usd_per_chip_hour": 2, "memory_gb": 128,
           "memory_bw_tbs": 4, "fp8_tflops": 2000, "power_kw_per_chip": 1.2,
           "software_stack": "AcmeSDK"}
    change = both(append_row("Chips", row), stack("acmesdk", 1e5),
                  set_cell("Workloads", 2, "stacks", "Acme SDK"))
    plan = read(mutate(tmp_path, "n.xlsx", change))
    assert plan.stacks[0].name == "AcmeSDK" and plan.workloads[0].stacks == ("AcmeSDK",)
