"""Build inputs/example-2027Q2.xlsx: the example one quarter later, with actuals.

Run from the repository root::

    python inputs/make_replan_example.py            # writes inputs/example-2027Q2.xlsx
    python inputs/make_replan_example.py out.xlsx   # or elsewhere

It is ``inputs/example.xlsx`` (built by ``make_example.py``, whose builders it reuses) as
the planning team would update it in the first week of 2027Q2 for ``planner replan
--as-of 2027Q2``: the same start quarter 2027Q1 (so the first quarter is history inside
the horizon), an Actuals sheet saying what happened in 2027Q1, and the chat forecast
raised by the 8% the chat service beat it by.  Every figure here is an assumption made to
show a re-plan; the other numbers are the example's, with its sources.

The output is byte-for-byte deterministic, like the example's.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from planner.io.schema import SHEET_BY_NAME
from planner.io.template import style_header

HERE = Path(__file__).resolve().parent
OUT = HERE / "example-2027Q2.xlsx"
AS_OF = "2027Q2"
ENDED = "2027Q1"


def _load_make_example():
    spec = importlib.util.spec_from_file_location("make_example", HERE / "make_example.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


make_example = _load_make_example()

#: Demand served in 2027Q1 relative to the example's forecast (assumptions): chat beat it
#: by 8%, the reasoning agent fell 3% short, batch summarisation came in 1% over.
SERVED_VS_FORECAST = {"chat-assistant": 1.08, "reasoning-agent": 0.97,
                      "batch-summarisation": 1.01}
#: The forecast from 2027Q2 on is revised by the same factor for chat only (assumption:
#: the team believes the chat beat, not the others).  2027Q1's Demand row stays the
#: forecast the chips were planned for; what was served is on the Actuals sheet.
FORECAST_REVISION = {"chat-assistant": 1.08}
#: Chips delivered in 2027Q1.  Every chip of the example takes at least a quarter from
#: order to delivery, so nothing the plan ordered in 2027Q1 could arrive in 2027Q1: the rows
#: record that none did.
DELIVERED = [("MI300X", "us-east", 0), ("B200", "us-east", 0)]


def _forecast(workload: str, quarter: str) -> float:
    """The example's demand for ``workload`` in ``quarter``, whichever way the workbook
    states it (Demand, Drivers or History sheet; make_example.planned_demand)."""
    quarters = [make_example.quarter(i) for i in range(make_example.QUARTERS)]
    return make_example.planned_demand()[workload][quarters.index(quarter)]


def revised_demand_rows() -> list[dict[str, object]]:
    """The example's Demand rows with the chat forecast revised from the as-of quarter."""
    rows = []
    for row in make_example.demand_rows():
        factor = FORECAST_REVISION.get(str(row["workload"]), 1.0)
        if row["quarter"] < AS_OF:
            factor = 1.0
        rows.append({**row, "tokens_per_day": round(float(row["tokens_per_day"]) * factor, -6)})
    return rows


def actuals_rows() -> list[dict[str, object]]:
    """What happened in 2027Q1: chips delivered, then tokens per day served."""
    rows: list[dict[str, object]] = [
        {"kind": "fleet", "quarter": ENDED, "chip": chip, "site": site, "quantity": n,
         "source": "Assumption: deliveries as the 2027Q1 plan expected (none were due)."}
        for chip, site, n in DELIVERED]
    for workload, factor in SERVED_VS_FORECAST.items():
        served = round(_forecast(workload, ENDED) * factor, -6)
        rows.append({"kind": "demand", "quarter": ENDED, "workload": workload,
                     "tokens_per_day": served,
                     "source": f"Assumption: served {factor - 1:+.0%} against the forecast."})
    return rows


def _replace_demand(wb: Workbook) -> None:
    ws = wb["Demand"]
    ws.delete_rows(2, ws.max_row - 1)
    make_example._append(wb, "Demand", revised_demand_rows())


def build() -> Workbook:
    wb = make_example.build()
    _replace_demand(wb)
    if "Actuals" not in wb.sheetnames:
        ws = wb.create_sheet("Actuals")
        style_header(ws, [c.name for c in SHEET_BY_NAME["Actuals"].columns])
    make_example._append(wb, "Actuals", actuals_rows())
    return wb


def main(argv: list[str] | None = None) -> int:
    return make_example.write_example(build, OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
