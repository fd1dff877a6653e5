"""Input workbooks for timing whole ``planner plan`` runs (issue 18's time contract).

``python -m bench.workbooks --out DIR`` writes, from ``inputs/example.xlsx``:

- ``chips200.xlsx``: the example with 200 chips on its Chips sheet: each of the
  example's five chips as it is, plus 39 variants of it, each a new chip (its own name,
  the catalog chip's specifications typed in its spec columns) at a purchase and rental
  price scaled by a fixed factor between 0.81 and 1.19 (variant ``i``: ``0.80 + 0.01 *
  i``), so no two variants cost the same (the Fleet and Scenarios sheets keep naming the
  example's chips);
- ``training8.xlsx``: the example with 8 training runs competing for the same chips:
  its two runs plus three more copies of each, all in windows that overlap 2028.

Every added row's ``source`` says it is a synthetic variant made here (an assumption,
not data).  ``python -m bench.deadline --workbooks DIR`` times ``planner plan`` on them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import openpyxl

from planner.perf.catalog import find_by_name, load_chips

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "example.xlsx"
VARIANTS = 40
SOURCE = "assumption: synthetic variant for timing whole runs (bench/workbooks.py), not data"
_PEAKS = {"bf16_tflops": "bf16", "fp8_tflops": "fp8", "int8_tops": "int8", "fp4_tflops": "fp4"}


def _spec_cells(name: str) -> dict[str, object]:
    """The catalog chip's specifications as the Chips sheet's spec columns."""
    spec = find_by_name(name, load_chips())
    if spec is None:
        raise SystemExit(f"bench.workbooks: chip {name!r} of the example is not in the catalog")
    cells: dict[str, object] = {"memory_gb": spec.memory_gb, "memory_bw_tbs": spec.memory_bw_tbs,
                                "tdp_w": spec.tdp_w, "scaleup_domain_chips": spec.scaleup_domain_chips,
                                "scaleup_gbs_per_chip": spec.scaleup_gbs_per_chip,
                                "software_stack": spec.software_stack}
    for column, precision in _PEAKS.items():
        cells[column] = spec.peak_tflops.get(precision)
    return cells


def _rows(ws) -> tuple[list[str], list[list[object]]]:
    header = [str(c.value) if c.value is not None else "" for c in ws[1]]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)
            if any(v is not None for v in r)]
    return header, rows


def _rewrite(ws, header: list[str], rows: list[list[object]]) -> None:
    ws.delete_rows(2, ws.max_row)
    for row in rows:
        ws.append(row[: len(header)])


def chips200(out: Path) -> Path:
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Chips"]
    header, rows = _rows(ws)
    col = {name: i for i, name in enumerate(header)}
    new = []
    for base in rows:
        specs = _spec_cells(str(base[col["chip"]]))
        new.append(list(base))
        for i in range(1, VARIANTS):
            row = list(base) + [None] * (len(header) - len(base))
            factor = 0.80 + 0.01 * i
            row[col["chip"]] = f"{base[col['chip']]} v{i:02d}"
            for price in ("purchase_usd_per_chip", "rent_usd_per_chip_hour"):
                if row[col[price]] is not None:
                    row[col[price]] = round(float(row[col[price]]) * factor, 4)
            for column, value in specs.items():
                if column in col and row[col[column]] is None:
                    row[col[column]] = value
            row[col["source"]] = SOURCE
            new.append(row)
    _rewrite(ws, header, new)
    path = out / "chips200.xlsx"
    wb.save(path)
    return path


def training8(out: Path) -> Path:
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Training"]
    header, rows = _rows(ws)
    col = {name: i for i, name in enumerate(header)}
    new = [list(r) for r in rows]
    windows = (("2028Q1", "2028Q3"), ("2028Q2", "2028Q4"), ("2028Q1", "2028Q4"))
    for k, (first, last) in enumerate(windows, start=2):
        for base in rows:
            row = list(base)
            row[col["run"]] = f"{base[col['run']]}-{k}"
            row[col["earliest_quarter"]], row[col["deadline_quarter"]] = first, last
            row[col["source"]] = SOURCE
            new.append(row)
    _rewrite(ws, header, new)
    path = out / "training8.xlsx"
    wb.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.workbooks", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/workbooks"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in (chips200(args.out), training8(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
