"""The command line: every command documented, user mistakes exit 2 without a
traceback, and the example plans end to end (checked on the written report)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from workbooks import BROKEN, broken, corrupt_zip, not_a_workbook, several_problems

from planner.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inputs" / "example.xlsx"


def commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)


def test_every_cli_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    missing = [c for c in commands() if f"planner {c}" not in readme]
    assert not missing, f"commands not documented in README.md: {missing}"
    assert {"plan", "template", "throughput", "chips", "train-time"} <= set(commands())



@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_workbook_exits_2_naming_sheet_row_column(kind, tmp_path, cli):
    path = broken(kind, tmp_path, base=EXAMPLE)
    code, _out, err = cli(["plan", path, "--out", tmp_path / "r.xlsx", "--quiet", "--no-ledger"])
    assert code == 2
    assert "Traceback" not in err
    sheet, row, column = BROKEN[kind][1]
    assert f"sheet '{sheet}'" in err
    if column is not None:
        assert f"column '{column}'" in err
    if isinstance(row, int):
        assert f"row {row}" in err
    assert not (tmp_path / "r.xlsx").exists()


def test_all_problems_reported_at_once(tmp_path, cli):
    code, _out, err = cli(["plan", several_problems(tmp_path, base=EXAMPLE), "--quiet", "--no-ledger"])
    assert code == 2
    for sheet in ("Chips", "Sites", "Workloads", "Settings"):
        assert f"sheet '{sheet}'" in err


@pytest.mark.parametrize("make", [not_a_workbook, corrupt_zip])
def test_not_a_workbook_exits_2(make, tmp_path, cli):
    code, _out, err = cli(["plan", make(tmp_path), "--quiet", "--no-ledger"])
    assert code == 2 and "Traceback" not in err and err.strip()


def test_missing_file_exits_2(tmp_path, cli):
    code, _out, err = cli(["plan", tmp_path / "nope.xlsx", "--quiet", "--no-ledger"])
    assert code == 2 and "nope.xlsx" in err and "Traceback" not in err


def test_report_never_overwrites_the_input(tmp_path, cli):
    copy = tmp_path / "in.xlsx"
    copy.write_bytes(EXAMPLE.read_bytes())
    code, _out, err = cli(["plan", copy, "--out", copy, "--quiet", "--no-ledger"])
    assert code == 2 and "overwrite" in err
    assert copy.read_bytes() == EXAMPLE.read_bytes()


def _table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r)]


def _number(x) -> float:
    return float(x) if isinstance(x, (int, float)) else float("nan")


@pytest.fixture(scope="module")
def example_plan(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "example-plan.xlsx"
    proc = subprocess.run([sys.executable, "-m", "planner", "plan", str(EXAMPLE), "--out", str(out),
                           "--json", "--quiet", "--no-ledger"], capture_output=True, text=True, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout), out


def test_example_plan_is_optimal_and_meets_demand(example_plan):
    summary, out = example_plan
    assert summary["status"] == "ok" and summary["termination"] == "optimal"
    assert summary["unmet_demand_share"] == 0
    assert summary["report"] == str(out) and out.exists()
    for key in ("objective_usd", "gap", "solve_seconds", "unmet_demand_share", "report"):
        assert key in summary


def test_example_report_shows_demand_met_and_power_within_caps(example_plan):
    _summary, out = example_plan
    wb = openpyxl.load_workbook(out)
    capacity = _table(wb["Capacity"])
    assert capacity and all(_number(r["unmet_tokens_per_day"]) <= 1e-6 * max(1, _number(r["demand_tokens_per_day"]))
                            for r in capacity)
    power = _table(wb["Power"])
    assert power and all(_number(r["facility_power_kw"]) <= _number(r["cap_kw"]) + 1e-6 for r in power)
    purchases = _table(wb["Purchases"])
    assert purchases, "the example should buy chips"


def test_example_report_totals_read_as_numbers_without_recalculation(example_plan):
    """A viewer that does not recalculate (openpyxl data_only=True) reads every formula
    cell of the example report as a number."""
    _summary, out = example_plan
    formulas, values = openpyxl.load_workbook(out), openpyxl.load_workbook(out, data_only=True)
    cells = [(ws.title, c.coordinate) for ws in formulas.worksheets for row in ws.iter_rows()
             for c in row if c.data_type == "f"]
    assert len(cells) > 50
    assert all(isinstance(values[s][c].value, (int, float)) for s, c in cells)


PLAN_JSON_KEYS = {"status", "termination", "objective_usd", "total_cost_usd", "best_bound_usd",
                  "gap", "solve_seconds", "build_seconds", "solver", "unmet_demand_share",
                  "chips_bought", "report", "message", "run_id", "costs", "training_warnings",
                  "single_type_best_usd", "single_type_best_chip", "mix_saving_share",
                  "single_type_basis", "single_type_options", "single_type_note"}


def _readme_plan_row() -> str:
    return next(line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("| `planner plan WORKBOOK [--out"))


def test_plan_json_keys_and_progress_on_stderr(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "planner", "plan", str(EXAMPLE), "--out",
                           str(tmp_path / "p.xlsx"), "--json", "--no-ledger"], capture_output=True, text=True, cwd=REPO, check=False)
    assert proc.returncode == 0
    summary = json.loads(proc.stdout)  # stdout is exactly one JSON object
    assert set(summary) == PLAN_JSON_KEYS
    documented = re.search(r"`--json` prints (.*?); the run", _readme_plan_row(), re.DOTALL).group(1)
    assert set(re.findall(r"`(\w+)`", documented)) <= set(summary)  # the README's keys
    assert (summary["status"], summary["termination"]) == ("ok", "optimal")
    assert summary["run_id"] is None  # --no-ledger
    assert summary["report"] == str(tmp_path / "p.xlsx")
    assert summary["best_bound_usd"] <= summary["objective_usd"] and 0 <= summary["gap"] < 0.01
    assert summary["total_cost_usd"] > 0 and 0 <= summary["unmet_demand_share"] <= 1
    costs = summary["costs"]  # the money apart: cost of ownership, penalties, objective
    assert costs["cost_of_ownership_npv_usd"] == summary["total_cost_usd"]
    assert costs["objective_npv_usd"] == pytest.approx(summary["objective_usd"], rel=1e-6)
    assert costs["cost_basis"] == "annuity"
    assert costs["tax_basis"].startswith("after tax at 21%, chips depreciated by 5-year MACRS")
    assert re.search(r"planner: .*solv", proc.stderr)
    assert "planner:" not in proc.stdout  # progress goes to stderr only
    # five chip types offered: auto compares the plan with each type alone
    options = summary["single_type_options"]
    assert len(options) == 5 and all(o["termination"] == "optimal" for o in options)
    best = min(o["cost_of_ownership_npv_usd"] for o in options if o["unmet_demand_share"] == 0)
    assert summary["single_type_best_usd"] == pytest.approx(best)
    assert summary["mix_saving_share"] == pytest.approx(1 - summary["total_cost_usd"] / best)


def test_template_command_writes_a_readable_template(tmp_path, cli):
    code, _out, _err = cli(["template", tmp_path / "t.xlsx"])
    assert code == 0 and (tmp_path / "t.xlsx").exists()
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames[0] == "README"


def _starved(wb) -> None:
    """No rentals, no APIs and 60 kW per site: demand cannot be met."""
    chips, sites = wb["Chips"], wb["Sites"]
    rental_terms = [c.column for c in chips[1] if c.value in (
        "rent_usd_per_chip_hour", "reserved_1y_discount", "reserved_3y_discount")]
    for row in range(2, chips.max_row + 1):
        for column in rental_terms:  # a reservation discount without a rent price is a problem
            chips.cell(row=row, column=column).value = None
    cap = next(c.column for c in sites[1] if c.value == "power_cap_kw")
    for row in range(2, sites.max_row + 1):
        sites.cell(row=row, column=cap).value = 60
    for ws_name in ("Expansions", "Fleet", "APIs"):
        if ws_name in wb.sheetnames:
            ws = wb[ws_name]
            ws.delete_rows(2, max(0, ws.max_row - 1))


def test_unmet_demand_exits_0_with_warning_and_diagnostics(tmp_path):
    from workbooks import mutate

    path = mutate(tmp_path, "starved.xlsx", _starved, base=EXAMPLE)
    out = tmp_path / "starved-plan.xlsx"
    proc = subprocess.run([sys.executable, "-m", "planner", "plan", str(path), "--out", str(out),
                           "--json", "--no-ledger"], capture_output=True, text=True, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "warning" in proc.stderr and "not met" in proc.stderr
    assert json.loads(proc.stdout)["unmet_demand_share"] > 0.2
    wb = openpyxl.load_workbook(out)
    diagnostics = _table(wb["Diagnostics"])
    messages = " ".join(str(r.get("message")) for r in diagnostics)
    assert "power cap binds" in messages
    summary_text = " ".join(str(c.value) for row in wb["Summary"].iter_rows() for c in row if c.value)
    assert "not met" in summary_text


def test_same_input_same_plan_whatever_the_hash_seed(tmp_path):
    """Model building never depends on set order: the plan is identical across
    interpreter hash seeds."""
    objectives = set()
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "planner", "plan", str(EXAMPLE), "--out",
                               str(tmp_path / f"p{seed}.xlsx"), "--json", "--quiet", "--no-ledger"],
                              capture_output=True, text=True, cwd=REPO, check=False,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        objectives.add(json.loads(proc.stdout)["objective_usd"])
    assert len(objectives) == 1


def _input_rows(sheet: str) -> list[dict]:
    return _table(openpyxl.load_workbook(EXAMPLE, read_only=True)[sheet])


def test_example_emissions_recompute_from_the_power_sheet_and_the_inputs(example_plan):
    """Issue 20: every figure of the Emissions sheet, summed per site and quarter, is the
    Power sheet's energy times the input workbook's factors (within 0.1%): grid =
    energy_mwh x gCO2e/kWh / 1000 (t per MWh), market = grid x (1 - clean share),
    embodied = owned chips in service (Fleet) x kg / 20 quarters / 1000; rented chips =
    chips (Fleet) x 2,191.5 h x kg per chip-hour / 1000; APIs = tokens/day (ApiUsage) x
    91.3125 days x g per million tokens / 1e12."""
    _summary, out = example_plan
    wb = openpyxl.load_workbook(out, read_only=True)
    rows, power = _table(wb["Emissions"]), _table(wb["Power"])
    fleet, api = _table(wb["Fleet"]), _table(wb["ApiUsage"])
    grid = {r["site"]: (r["grid_gco2e_per_kwh"], r.get("clean_energy_share") or 0.0)
            for r in _input_rows("Carbon")}
    from planner.api import load_workbook  # the Chips sheet's rows by canonical chip name
    chips = {o.chip: o for o in load_workbook(EXAMPLE).chips}
    apis = {r["offering"]: r["gco2e_per_million_tokens"] for r in _input_rows("APIs")}
    summed: dict = {}
    for r in rows:
        s = summed.setdefault((r["quarter"], r["site"]), [0.0] * 5)
        for i, k in enumerate(("energy_mwh", "grid_location_tco2e", "grid_market_tco2e",
                               "embodied_tco2e", "supplier_tco2e")):
            s[i] += r[k]
    for p in power:
        energy, loc, mkt, embodied, _ = summed.pop((p["quarter"], p["site"]), [0.0] * 5)
        g, clean = grid[p["site"]]
        assert energy == pytest.approx(p["energy_mwh"], rel=1e-3)
        assert loc == pytest.approx(p["energy_mwh"] * g / 1e3, rel=1e-3)
        assert mkt == pytest.approx(p["energy_mwh"] * g * (1 - clean) / 1e3, rel=1e-3)
        owned = sum(f["quantity_chips"] * chips[f["chip"]].embodied_kgco2e_per_chip
                    for f in fleet if f["quarter"] == p["quarter"] and f["site"] == p["site"])
        assert embodied == pytest.approx(owned / 20 / 1e3, rel=1e-3, abs=1e-9)
    for (quarter, site), (energy, loc, mkt, embodied, supplier) in summed.items():
        assert site in ("cloud", "api") and energy == loc == mkt == embodied == 0
        if site == "cloud":
            expected = sum(f["quantity_chips"] * 2191.5 * chips[f["chip"]].rent_kgco2e_per_chip_hour
                           for f in fleet if f["quarter"] == quarter and f["site"] == "cloud")
            assert supplier == pytest.approx(expected / 1e3, rel=1e-3)
        else:
            expected = sum(a["tokens_per_day"] * 91.3125 * apis[a["offering"]]
                           for a in api if a["quarter"] == quarter)
            assert supplier == pytest.approx(expected / 1e12, rel=1e-3)
    assert any(site == "cloud" for _q, site in summed)  # the example rents, so it is checked


def test_the_plan_line_says_which_money_its_figure_is(tmp_path):
    """The one-line answer names the discount rate, the cost basis and the tax basis of
    its cost of ownership (the example: 8%/yr, annuity basis, after tax at 21%)."""
    out = tmp_path / "line.xlsx"
    proc = subprocess.run([sys.executable, "-m", "planner", "plan", str(EXAMPLE), "--out", str(out),
                           "--no-ledger", "--quiet"], capture_output=True, text=True, cwd=REPO,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "cost of ownership (NPV at 8.0%/yr, annuity basis, after tax at 21%)" in proc.stdout


def test_plan_json_and_line_give_the_single_type_comparison(tmp_path, cli):
    """Two chip types offered and single_type_comparison = yes: --json gives each type's
    plan and the saving against the best one, consistent with the plan's own cost; the
    one-line answer states the saving."""
    from test_ledger_workbooks import CHIPS, tiny
    from workbooks import mutate, set_setting

    chips = CHIPS + [{"chip": "H200", "purchase_usd_per_chip": 33000,
                      "rent_usd_per_chip_hour": 3.5, "lifetime_years": 5}]
    path = mutate(tmp_path, "two.xlsx", set_setting("single_type_comparison", "yes"),
                  base=tiny(tmp_path, chips=chips))
    code, out, _err = cli(["plan", path, "--out", tmp_path / "p.xlsx", "--json", "--no-ledger"])
    assert code == 0
    summary = json.loads(out)
    options = {o["chip"]: o for o in summary["single_type_options"]}
    assert set(options) == {"H100 SXM", "H200 SXM"}  # the catalog names
    assert all(o["termination"] == "optimal" and o["unmet_demand_share"] == 0
               for o in options.values())
    best = min(options, key=lambda c: options[c]["cost_of_ownership_npv_usd"])
    assert summary["single_type_best_chip"] == best
    assert summary["single_type_best_usd"] == options[best]["cost_of_ownership_npv_usd"]
    assert summary["mix_saving_share"] == pytest.approx(
        1 - summary["total_cost_usd"] / summary["single_type_best_usd"])
    assert summary["mix_saving_share"] >= -1e-6  # the mixed plan may use the best type alone
    assert "owned fleet kept" in summary["single_type_note"]
    code, out, _err = cli(["plan", path, "--out", tmp_path / "q.xlsx", "--no-ledger",
                           "--quiet"])
    assert code == 0 and f"against {best} alone (new chips of one type, owned fleet kept)" in out
