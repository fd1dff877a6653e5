"""One unit, one meaning: ``planner throughput``, ``planner chips``, the UnitEconomics sheet
and the Summary agree on $/Mtok for the same chip and workload computed on the same basis.

The plan: one workload (Llama 3.1 8B at FP8, 1,000 prompt / 300 output tokens, TTFT 500 ms,
TPOT 50 ms, peak-to-average 1), one chip (H100, rented on demand at the catalog's $2.50 an
hour, nothing to buy), target utilisation 0.7, and demand just under what 3 chips serve:
3 x T x 86,400 x 0.7 x (1 - 1e-9) tokens a day, T the prompt+output tokens/s per chip.  The
plan rents 3 chips every quarter, so its cost per million prompt+output tokens is

    3 x 2.50 x H / (3 x T x 86,400 x 0.7 x H / 24) x 1e6 = 2.50 / (T x 3,600 x 0.7) x 1e6

(H hours a quarter), which is what ``planner throughput`` and ``planner chips`` print for
rented $/Mtok at ``--utilisation 0.7``; per million output tokens it is (1,300 / 300) times
that.  Each figure is compared to the cent and, tighter, to 1e-6 relative.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from workbooks import fill_rows, fill_settings

from planner.cli import main
from planner.domain import units
from planner.io.template import write_template
from planner.perf.catalog import get_chip, get_model
from planner.perf.inference import estimate_throughput

PROMPT, OUTPUT, UTIL, CHIPS = 1000, 300, 0.7, 3
SHAPE = ["--model", "llama-3.1-8b", "--precision", "fp8", "--input-tokens", str(PROMPT),
         "--output-tokens", str(OUTPUT), "--ttft-ms", "500", "--tpot-ms", "50",
         "--utilisation", str(UTIL)]
PO, OUT = units.PROMPT_OUTPUT, units.OUTPUT_ONLY


def _workbook(tmp_path, tokens_per_s: float, rent: float):
    path = write_template(tmp_path / "one-chip.xlsx")
    wb = openpyxl.load_workbook(path)
    fill_settings(wb, {"start_quarter": "2027Q1", "quarters": 4, "time_limit_s": 30,
                       "target_utilisation": UTIL})
    fill_rows(wb, "Chips", [{"chip": "H100", "rent_usd_per_chip_hour": rent}])
    fill_rows(wb, "Sites", [{"site": "dc", "power_cap_kw": 1000,
                             "electricity_usd_per_kwh": 0.08}])
    fill_rows(wb, "Workloads", [{"workload": "chat", "model": "llama-3.1-8b", "precision": "fp8",
                                 "prompt_tokens": PROMPT, "output_tokens": OUTPUT,
                                 "ttft_ms": 500, "tpot_ms": 50, "peak_to_average": 1}])
    demand = CHIPS * tokens_per_s * 86400 * UTIL * (1 - 1e-9)
    fill_rows(wb, "Demand", [{"workload": "chat", "quarter": f"2027Q{q}", "tokens_per_day": demand}
                             for q in range(1, 5)])
    wb.save(path)
    return path


def _cli(argv, capsys) -> dict | list:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def _row(ws, first: str) -> dict:
    """The row of the table whose header row starts with ``first`` and whose first cell is
    'chat' (Summary tables) or '2027' (UnitEconomics), as {header: value}."""
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == first)
    header = rows[at]
    body = next(r for r in rows[at + 1:] if r[0] in ("chat", "2027"))
    return dict(zip(header, body))


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    """The one-chip plan's report, and the H100's estimate and catalog rent."""
    tmp_path = tmp_path_factory.mktemp("units")
    chip = get_chip("H100")
    est = estimate_throughput(chip, get_model("llama-3.1-8b"), "fp8", PROMPT, OUTPUT, 500, 50)
    path = _workbook(tmp_path, est.tokens_per_s_per_chip, chip.rent_usd_per_hour_approx)
    report = tmp_path / "plan.xlsx"
    assert main(["plan", str(path), "--out", str(report), "--quiet", "--no-ledger"]) == 0
    return openpyxl.load_workbook(report, data_only=True), chip, est


def test_throughput_chips_unit_economics_and_summary_agree_to_the_cent(plan, capsys):
    wb, chip, est = plan
    rent = chip.rent_usd_per_hour_approx
    expected = {PO: rent / (est.tokens_per_s_per_chip * 3600 * UTIL) * 1e6}
    expected[OUT] = expected[PO] * (PROMPT + OUTPUT) / OUTPUT
    capsys.readouterr()
    throughput = _cli(["throughput", "--chip", "H100", *SHAPE, "--json"], capsys)
    chips = next(r for r in _cli(["chips", *SHAPE, "--json"], capsys) if r["chip"] == chip.name)
    economics = _row(wb["UnitEconomics"], "year")
    summary = _row(wb["Summary"], "workload")
    assert wb["Fleet"]["F2"].value == CHIPS  # the plan rents exactly 3 chips
    for basis in (PO, OUT):
        rented = units.usd_per_mtok_column(basis, "rented")
        shown = {"planner throughput": throughput[rented], "planner chips": chips[rented],
                 "UnitEconomics": economics[units.usd_per_mtok_column(basis)],
                 "Summary": summary[units.usd_per_mtok_column(basis)]}
        for where, value in shown.items():
            assert round(value, 2) == round(expected[basis], 2), (basis, where, value)
            assert value == pytest.approx(expected[basis], rel=1e-6), (basis, where)


def test_the_summary_rental_alternative_is_planner_chips_at_the_plans_load(plan, capsys):
    """With peak-to-average 1 the rental the Summary compares against is the chips table's
    rented $/Mtok at --utilisation = target utilisation: the same chip, the same basis."""
    wb, chip, _est = plan
    capsys.readouterr()
    chips = next(r for r in _cli(["chips", *SHAPE, "--json"], capsys) if r["chip"] == chip.name)
    rows = list(wb["Summary"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "workload" and r[2] == "cheapest_rental_chip")
    alternative = dict(zip(rows[at], rows[at + 1]))
    assert alternative["cheapest_rental_chip"] == chip.name
    assert alternative["rented_usd_per_million_prompt_output_tokens"] == pytest.approx(
        chips["usd_per_million_prompt_output_tokens_rented"], rel=1e-9)
    # renting is what this plan does, so owning saves nothing here
    assert alternative["saving_vs_renting_share"] == pytest.approx(0.0, abs=1e-6)
    assert alternative["api_offering"] == "no API offered"
