"""Input workbooks for tests: a small catalog, a minimal valid workbook and broken variants.

Every builder takes a ``tmp_path`` (and optionally a ``base`` workbook to start from:
the minimal one by default, or e.g. ``inputs/example.xlsx``), mutates a copy with
openpyxl, saves it under ``tmp_path`` and returns its path; the base is never modified.
Row 2 (the first data row) is the row mutated, so :data:`BROKEN` can say where each
problem must be reported whatever the base.

Import from test modules with ``from workbooks import ...`` (pytest puts tests/ on the
path).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from planner.domain.errors import InputError
from planner.domain.hardware import ChipSpec, ModelSpec
from planner.io.reader import read_workbook
from planner.io.template import write_template

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inputs" / "example.xlsx"


def _chip(name: str, peaks: dict[str, float], mem: float, bw: float, tdp: float | None,
          **kw: object) -> ChipSpec:
    return ChipSpec(name=name, peak_tflops=peaks, memory_gb=mem, memory_bw_tbs=bw, tdp_w=tdp,
                    **kw)  # type: ignore[arg-type]


def small_chip_catalog() -> dict[str, ChipSpec]:
    """A hand-built chip catalog (figures from the reference accelerators.csv)."""
    chips = [
        _chip("H100 SXM", {"bf16": 989.4, "fp8": 1979, "int8": 1979}, 80, 3.35, 700,
              scaleup_domain_chips=8, scaleup_gbs_per_chip=900, aliases=("H100",),
              software_stack="CUDA"),
        _chip("H200 SXM", {"bf16": 989, "fp8": 1979}, 141, 4.8, 700, scaleup_domain_chips=8,
              scaleup_gbs_per_chip=900, aliases=("H200",), software_stack="CUDA"),
        _chip("B200", {"bf16": 2250, "fp8": 4500, "int8": 4500, "fp4": 9000}, 180, 7.7, 1000,
              scaleup_domain_chips=8, scaleup_gbs_per_chip=1800, software_stack="CUDA"),
        _chip("MI300X", {"bf16": 1307.4, "fp8": 2614.9}, 192, 5.3, 750, scaleup_domain_chips=8,
              scaleup_gbs_per_chip=896, software_stack="ROCm"),
        _chip("L40S", {"bf16": 362, "fp8": 733}, 48, 0.864, 350, scaleup_gbs_per_chip=64,
              software_stack="CUDA"),
        _chip("A100 80GB SXM", {"bf16": 312, "int8": 624}, 80, 2.039, 400,
              scaleup_domain_chips=8, scaleup_gbs_per_chip=600,
              aliases=("A100", "A100 80GB", "A100-80GB"), software_stack="CUDA"),
        _chip("TPU v5e", {"bf16": 197, "int8": 393}, 16, 0.819, None, purchasable="cloud-only",
              software_stack="XLA"),
        _chip("Groq LPU", {"bf16": 188, "int8": 750}, 0.23, 80, 300, purchasable="api-only",
              software_stack="GroqWare"),
        _chip("Ascend 910C", {"bf16": 780}, 128, 3.2, None, software_stack="CANN"),
    ]
    return {c.name: c for c in chips}


def small_model_catalog() -> dict[str, ModelSpec]:
    """A hand-built model catalog (published Llama architectures)."""
    models = [
        ModelSpec("llama-3.1-70b", 70.6, 70.6, 80, 8192, 64, 8, 128, vocab_size=128256,
                  max_context=131072, aliases=("Llama 3.1 70B",)),
        ModelSpec("llama-3.1-8b", 8.03, 8.03, 32, 4096, 32, 8, 128, vocab_size=128256,
                  max_context=131072, aliases=("Llama 3.1 8B",)),
        ModelSpec("llama-2-7b", 6.74, 6.74, 32, 4096, 32, 32, 128, vocab_size=32000,
                  max_context=4096),
    ]
    return {m.name: m for m in models}


def catalogs() -> tuple[dict[str, ChipSpec], dict[str, ModelSpec]]:
    return small_chip_catalog(), small_model_catalog()


QUARTERS = ["2027Q1", "2027Q2", "2027Q3", "2027Q4"]

#: The minimal valid workbook's rows per sheet, by header name.
MINIMAL: dict[str, list[dict[str, object]]] = {
    "Chips": [
        {"chip": "H100", "purchase_usd_per_chip": 27500, "rent_usd_per_chip_hour": 2.5,
         "lifetime_years": 5},
        {"chip": "L40S", "rent_usd_per_chip_hour": 1.0},
    ],
    "Sites": [{"site": "us-east", "power_cap_kw": 1000, "electricity_usd_per_kwh": 0.08}],
    "Workloads": [
        {"workload": "chat", "model": "llama-3.1-8b", "precision": "fp8", "prompt_tokens": 1000,
         "output_tokens": 300, "ttft_ms": 500, "tpot_ms": 50, "peak_to_average": 1.5},
        {"workload": "batch", "model": "Llama 3.1 8B", "precision": "fp8",
         "prompt_tokens": 3000, "output_tokens": 300},
    ],
    "Demand": [{"workload": w, "quarter": q, "tokens_per_day": t * (1 + i / 10)}
               for w, t in (("chat", 1e9), ("batch", 2e9)) for i, q in enumerate(QUARTERS)],
    "Training": [{"run": "pretrain", "model": "llama-3.1-8b", "tokens": 1e12,
                  "earliest_quarter": "2027Q2", "deadline_quarter": "2027Q4", "mfu": 0.4}],
}
MINIMAL_SETTINGS = {"start_quarter": "2027Q1", "quarters": 4, "time_limit_s": 30}


def column_of(ws, name: str) -> int:
    """1-based index of the header ``name`` in row 1."""
    for cell in ws[1]:
        if cell.value == name:
            return cell.column
    raise KeyError(f"no column {name} on sheet {ws.title}")


def fill_rows(wb: Workbook, sheet: str, rows: list[dict[str, object]]) -> None:
    """Append ``rows`` (dicts by header name) below the sheet's header."""
    ws = wb[sheet]
    for values in rows:
        r = ws.max_row + 1
        for name, value in values.items():
            ws.cell(row=r, column=column_of(ws, name), value=value)


def fill_settings(wb: Workbook, values: dict[str, object]) -> None:
    """Set values on the template's Settings rows (matched by the setting column)."""
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]


#: The minimal workbook's bytes, built once per test process for each layout of the
#: schema (building it takes about 0.3 s and hundreds of tests start from it).
_MINIMAL_BYTES: dict[tuple, bytes] = {}


def _layout() -> tuple:
    from planner.io.schema import SHEETS
    return tuple((spec.name, tuple(c.name for c in spec.columns)) for spec in SHEETS)


def write_minimal(tmp_path: Path, name: str = "minimal.xlsx") -> Path:
    """The template, filled programmatically with :data:`MINIMAL` (a valid workbook)."""
    path = Path(tmp_path) / name
    key = _layout()
    if key not in _MINIMAL_BYTES:
        write_template(path)
        wb = openpyxl.load_workbook(path)
        fill_settings(wb, MINIMAL_SETTINGS)
        for sheet, rows in MINIMAL.items():
            fill_rows(wb, sheet, rows)
        wb.save(path)
        _MINIMAL_BYTES[key] = path.read_bytes()
    path.write_bytes(_MINIMAL_BYTES[key])
    return path


def mutate(tmp_path: Path, name: str, change: Callable[[Workbook], None],
           base: Path | None = None) -> Path:
    """A copy of ``base`` (default: the minimal workbook) changed by ``change``."""
    base = base or write_minimal(tmp_path, f"base-for-{name}")
    wb = openpyxl.load_workbook(base)
    change(wb)
    out = Path(tmp_path) / name
    wb.save(out)
    return out


def set_cell(sheet: str, row: int, column: str, value: object) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        ws = wb[sheet]
        ws.cell(row=row, column=column_of(ws, column)).value = value  # None clears
    return change


def set_setting(name: str, value: object) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        ws = wb["Settings"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == name:
                row[1].value = value
                return
        ws.append([name, value])
    return change


def setting_row(path: Path, name: str) -> int:
    """The Excel row of setting ``name`` in ``path``'s Settings sheet."""
    ws = openpyxl.load_workbook(path)["Settings"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == name:
            return row[0].row
    raise KeyError(name)


def both(*changes: Callable[[Workbook], None]) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        for c in changes:
            c(wb)
    return change


def _delete_sheet(sheet: str) -> Callable[[Workbook], None]:
    return lambda wb: wb.remove(wb[sheet])


def _delete_column(sheet: str, column: str) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        ws = wb[sheet]
        ws.delete_cols(column_of(ws, column))
    return change


def _duplicate_row(sheet: str, row: int) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        ws = wb[sheet]
        ws.append([c.value for c in ws[row]])
    return change


def append_row(sheet: str, values: dict[str, object]) -> Callable[[Workbook], None]:
    """Add one row (by header name) below the sheet's last row."""
    return lambda wb: fill_rows(wb, sheet, [values])


def _swap(sheet: str, column: str, a: int, b: int) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        ws = wb[sheet]
        c = column_of(ws, column)
        va, vb = ws.cell(row=a, column=c).value, ws.cell(row=b, column=c).value
        ws.cell(row=a, column=c, value=vb)
        ws.cell(row=b, column=c, value=va)
    return change


#: Broken-workbook kinds: (change, where the problem must be reported as
#: (sheet, row, column), a word the message must contain).  ``row`` None means a
#: whole-sheet or whole-column problem; "last" means the row appended by the change.
BROKEN: dict[str, tuple[Callable[[Workbook], None], tuple[str, object, object], str]] = {
    "missing_sheet": (_delete_sheet("Sites"), ("Sites", None, None), "missing"),
    "missing_column": (_delete_column("Demand", "tokens_per_day"),
                       ("Demand", None, "tokens_per_day"), "missing"),
    "text_for_number": (set_cell("Chips", 2, "purchase_usd_per_chip", "abc"),
                        ("Chips", 2, "purchase_usd_per_chip"), "'abc'"),
    "negative_number": (set_cell("Sites", 2, "power_cap_kw", -5),
                        ("Sites", 2, "power_cap_kw"), "> 0"),
    "empty_required": (set_cell("Workloads", 2, "prompt_tokens", None),
                       ("Workloads", 2, "prompt_tokens"), "empty"),
    "unknown_chip": (set_cell("Chips", 2, "chip", "H1000"), ("Chips", 2, "chip"), "H100 SXM"),
    "unknown_model": (set_cell("Workloads", 2, "model", "llama-3.1-8c"),
                      ("Workloads", 2, "model"), "llama-3.1-8b"),
    "duplicate_key": (_duplicate_row("Chips", 2), ("Chips", "last", "chip"), "twice"),
    "periods_out_of_order": (_swap("Demand", "quarter", 2, 3), ("Demand", 3, "quarter"),
                             "out of order"),
    "bad_quarter": (set_cell("Demand", 2, "quarter", "2027Q5"), ("Demand", 2, "quarter"),
                    "'2027Q5'"),
    "boolean_for_number": (set_cell("Workloads", 2, "output_tokens", True),
                           ("Workloads", 2, "output_tokens"), "TRUE"),
    "out_of_range": (set_cell("Workloads", 2, "peak_to_average", 0.5),
                     ("Workloads", 2, "peak_to_average"), ">= 1"),
    "unknown_workload_in_demand": (set_cell("Demand", 2, "workload", "chatt"),
                                   ("Demand", 2, "workload"), "chat"),
    "deadline_before_earliest": (set_cell("Training", 2, "deadline_quarter", "2027Q1"),
                                 ("Training", 2, "deadline_quarter"), "before"),
    # The optional sheets: rows appended, so the cases work whatever the base holds.
    "discount_over_one": (set_cell("Chips", 2, "reserved_1y_discount", 35),
                          ("Chips", 2, "reserved_1y_discount"), "[0, 1)"),
    "discount_without_rent": (both(set_cell("Chips", 2, "rent_usd_per_chip_hour", None),
                                   set_cell("Chips", 2, "reserved_3y_discount", 0.5)),
                              ("Chips", 2, "reserved_3y_discount"), "needs rent"),
    "site_power_unknown_site": (
        append_row("SitePower", {"site": "nowhere", "quarter": "2027Q2", "power_cap_kw": 100}),
        ("SitePower", "last", "site"), "unknown site 'nowhere'"),
    "site_power_outside_plan": (
        append_row("SitePower", {"site": "us-east", "quarter": "2035Q1", "power_cap_kw": 100}),
        ("SitePower", "last", "quarter"), "outside the plan"),
    "expansion_unknown_site": (
        append_row("Expansions", {"site": "nowhere", "expansion": "x", "extra_kw": 100,
                                  "cost_usd": 1e6}),
        ("Expansions", "last", "site"), "unknown site 'nowhere'"),
    "expansion_negative_kw": (
        append_row("Expansions", {"site": "us-east", "expansion": "x", "extra_kw": -100,
                                  "cost_usd": 1e6}),
        ("Expansions", "last", "extra_kw"), "> 0"),
    "fleet_unknown_site": (
        append_row("Fleet", {"chip": "H100", "site": "nowhere", "quantity": 8,
                             "quarter_bought": "2026Q1"}),
        ("Fleet", "last", "site"), "unknown site 'nowhere'"),
    "fleet_chip_not_on_chips_sheet": (
        append_row("Fleet", {"chip": "A100", "site": "us-east", "quantity": 8,
                             "quarter_bought": "2026Q1"}),
        ("Fleet", "last", "chip"), "Chips sheet"),
    "unknown_stack": (append_row("Stacks", {"stack": "CUDAX", "adoption_usd": 1000}),
                      ("Stacks", "last", "stack"), "known stacks: CANN, CUDA"),
    "unknown_stack_in_workload": (set_cell("Workloads", 2, "stacks", "cuda, Metal"),
                                  ("Workloads", 2, "stacks"), "'Metal'"),
    "unknown_model_in_api": (
        append_row("APIs", {"offering": "x", "model": "llama-3.1-8c",
                            "usd_per_million_tokens": 0.6}),
        ("APIs", "last", "model"), "llama-3.1-8b"),
    "budget_year_not_integer": (append_row("Budgets", {"year": 2027.5, "capex_usd": 1e6}),
                                ("Budgets", "last", "year"), "a year like 2027"),
    "duplicate_budget_year": (both(append_row("Budgets", {"year": 2027, "capex_usd": 1e6}),
                                   append_row("Budgets", {"year": 2027, "opex_usd": 1e6})),
                              ("Budgets", "last", "year"), "twice"),
}


def broken(kind: str, tmp_path: Path, base: Path | None = None) -> Path:
    """A workbook broken in the way ``kind`` (a key of :data:`BROKEN`) names."""
    change = BROKEN[kind][0]
    return mutate(tmp_path, f"broken-{kind}.xlsx", change, base)


def several_problems(tmp_path: Path, base: Path | None = None) -> Path:
    """Four problems on four sheets at once."""
    change = both(set_cell("Chips", 2, "purchase_usd_per_chip", "abc"),
                  set_cell("Sites", 2, "power_cap_kw", -5),
                  set_cell("Workloads", 2, "model", "llama-3.1-8c"),
                  set_setting("target_utilisation", 1.5))
    return mutate(tmp_path, "broken-several.xlsx", change, base)


def not_a_workbook(tmp_path: Path) -> Path:
    """A text file named .xlsx."""
    path = Path(tmp_path) / "notes.xlsx"
    path.write_text("chip,price\nH100,27500\n")
    return path


def corrupt_zip(tmp_path: Path) -> Path:
    """The first half of a real workbook: a zip archive cut short."""
    data = write_minimal(tmp_path, "whole.xlsx").read_bytes()
    path = Path(tmp_path) / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def read(path: Path):
    """The workbook at ``path`` read against the small test catalogs."""
    return read_workbook(path, *catalogs())


def problems(path: Path) -> list:
    """The problems reading ``path`` reports (it must report some)."""
    with pytest.raises(InputError) as info:
        read(path)
    return info.value.problems


def where(found) -> set[tuple]:
    """(sheet, row, column) of each problem."""
    return {(p.sheet, p.row, p.column) for p in found}
