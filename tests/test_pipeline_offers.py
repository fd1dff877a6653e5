"""Issue 22 end to end through a workbook: a catalog token offer switched on by an APIs
row, and a system sold as hardware (Cerebras CS-3) planned from a Measured row and a
system price."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from workbooks import fill_rows, fill_settings

from planner.io.template import write_template
from planner.pipeline import load_workbook, plan

SETTINGS = {"start_quarter": "2027Q1", "quarters": 1, "time_limit_s": 30,
            "target_utilisation": 1.0}
CHAT = {"workload": "chat", "model": "llama-3.1-70b", "precision": "fp8",
        "prompt_tokens": 1000, "output_tokens": 250, "tpot_ms": 20}


def workbook(tmp_path: Path, name: str, rows: dict[str, list[dict]]) -> Path:
    path = write_template(tmp_path / name)
    wb = openpyxl.load_workbook(path)
    fill_settings(wb, SETTINGS)
    base = {"Sites": [{"site": "s", "power_cap_kw": 5000, "electricity_usd_per_kwh": 0.08}],
            "Workloads": [CHAT],
            "Demand": [{"workload": "chat", "quarter": "2027Q1", "tokens_per_day": 864e6}]}
    for sheet, sheet_rows in {**base, **rows}.items():
        fill_rows(wb, sheet, sheet_rows)
    wb.save(path)
    return path


#: AWS p5 on-demand list price, $98.32/h for 8 GPUs (the catalog's H100 source).
H100 = {"chip": "H100", "rent_usd_per_chip_hour": 12.29}


def test_an_apis_row_naming_a_catalog_offer_serves_the_workload_and_without_it_chips_do(
        tmp_path):
    """cerebras/llama3.1-70b sells at $0.60/Mtok (input and output alike) at 450 tokens/s
    per user (2.2 ms per token, within the 20 ms TPOT): 864M tokens/day for a quarter of
    H hours cost 864e6 x H/24 x 0.6e-6.  An H100 rented at AWS's list $12.29/h serves this
    shape at TPOT 20 ms for about $0.23/Mtok per $2.50/h (`planner chips --model
    llama-3.1-70b --tpot-ms 20`), so 0.23 x 12.29 / 2.5 = $1.12/Mtok: the offer is the
    cheaper supply and serves it all.  Without the APIs row the workload moves to H100s."""
    on = load_workbook(workbook(tmp_path, "on.xlsx", {
        "Chips": [H100], "APIs": [{"offering": "cb", "catalog_offer": "cerebras/llama3.1-70b"}]}))
    r = plan(on)
    assert [(a.offering, round(a.tokens_per_day)) for a in r.api_usage] == [("cb", 864_000_000)]
    hours = on.settings.hours_per_quarter
    assert sum(a.total_usd for a in r.api_usage) == \
        pytest.approx(864e6 * hours / 24 * 0.6e-6)
    assert sum(x.quantity for x in r.rentals) == 0
    off = load_workbook(workbook(tmp_path, "off.xlsx", {"Chips": [H100]}))
    r = plan(off)
    assert not r.api_usage and {x.chip for x in r.rentals} == {"H100 SXM"}


def test_a_cerebras_cs3_is_planned_from_a_measured_row_and_a_system_price(tmp_path):
    """The core does not model the CS-3; a Measured row (assumed for the test: 2,000
    output tokens/s per system at 1000/250 tokens = 10,000 tokens/s = 864M tokens/day)
    and a system price make it plannable: one system serves 864M tokens/day."""
    inp = load_workbook(workbook(tmp_path, "cs3.xlsx", {
        "Chips": [{"chip": "Cerebras CS-3", "purchase_usd_per_chip": 3_000_000,
                   "lifetime_years": 5}],
        "Measured": [{"chip": "Cerebras CS-3", "model": "llama-3.1-70b", "precision": "fp8",
                      "output_tokens_per_s_per_chip": 2000, "prompt_tokens": 1000,
                      "output_tokens": 250, "source": "assumption for the test"}]}))
    r = plan(inp)
    assert [(p.chip, p.quantity) for p in r.purchases] == [("Cerebras CS-3 (WSE-3)", 1)]
    assert r.costs.unmet_inference_penalty_usd == 0
