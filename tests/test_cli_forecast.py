"""planner forecast: the workbook (tables, bands, chart), JSON and text output, backtests,
exit codes; and --forecast-scenarios on whatif and plan."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from test_forecast_parse import BAD, forecast_workbook

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inputs" / "example.xlsx"



def rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], r)) for r in values[1:]]


@pytest.fixture(scope="module")
def example_forecast(tmp_path_factory):
    out = tmp_path_factory.mktemp("fc") / "example-forecast.xlsx"
    proc = subprocess.run([sys.executable, "-m", "planner", "forecast", str(EXAMPLE), "--out",
                           str(out), "--backtest", "6", "--json"], capture_output=True,
                          text=True, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), out


def test_example_has_one_workload_of_each_method(example_forecast) -> None:
    summary, out = example_forecast
    assert summary["report"] == str(out)
    methods = {w["workload"]: w["demand_method"] for w in summary["workloads"]}
    assert methods == {"chat-assistant": "direct", "reasoning-agent": "drivers",
                       "batch-summarisation": "history"}


def test_example_history_forecast_growth_bands_and_backtest(example_forecast) -> None:
    summary, _out = example_forecast
    batch = next(w for w in summary["workloads"] if w["demand_method"] == "history")
    assert (batch["history_months"], batch["seasonal"]) == (24, True)
    assert batch["growth_per_quarter"] == pytest.approx(1.05 ** 3 - 1, abs=0.02)  # ~5%/month
    assert batch["growth_per_year"] == pytest.approx((1 + batch["growth_per_quarter"]) ** 4 - 1)
    assert len(batch["quarters"]) == 12
    for q in batch["quarters"]:
        assert q["p10"] <= q["p50"] == q["tokens_per_day"] <= q["p90"]
    assert batch["backtest"]["holdout_months"] == 6
    assert 0 < batch["backtest"]["mape"] < 0.1
    chat = next(w for w in summary["workloads"] if w["demand_method"] == "direct")
    assert chat["backtest"] is None and chat["quarters"][0]["p10"] is None
    assert chat["growth_per_quarter"] == pytest.approx(0.12, abs=1e-4)


def test_workbook_tables_and_native_chart(example_forecast) -> None:
    _summary, out = example_forecast
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Forecast", "Growth", "Charts", "Drivers", "Monthly",
                             "Backtest", "ChartData"]
    assert wb["ChartData"].sheet_state == "hidden"
    forecast = rows(wb["Forecast"])
    assert len(forecast) == 3 * 12
    history = [r for r in forecast if r["demand_method"] == "history"]
    assert all(r["p10_tokens_per_day"] <= r["p50_tokens_per_day"] <= r["p90_tokens_per_day"]
               for r in history)
    growth = {r["workload"]: r for r in rows(wb["Growth"])}
    assert growth["batch-summarisation"]["growth_source"] == "fitted"
    assert growth["batch-summarisation"]["backtest_mape"] > 0
    assert growth["chat-assistant"]["growth_source"] == "implied"
    drivers = rows(wb["Drivers"])
    assert drivers[0]["tokens_per_day"] == pytest.approx(200_000 * 4 * (2000 + 1000 * 4))
    monthly = rows(wb["Monthly"])
    assert {r["kind"] for r in monthly} == {"history", "projection"}
    assert sum(r["actual_tokens_per_day"] is not None for r in monthly) == 24
    assert len(rows(wb["Backtest"])) == 6
    (chart,) = wb["Charts"]._charts
    assert chart.tagname == "lineChart" and len(chart.series) == 4


def test_text_output_and_default_path(tmp_path: Path, cli, monkeypatch) -> None:
    shutil.copy(EXAMPLE, tmp_path / "fleet.xlsx")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(["forecast", "fleet.xlsx", "--backtest", "3"])
    assert code == 0
    assert (tmp_path / "outputs" / "fleet-forecast.xlsx").exists()
    assert "batch-summarisation (history, 24 months, seasonal)" in out and "MAPE" in out
    assert "planner: reading" in err
    code, _out, err = cli(["forecast", "fleet.xlsx", "--quiet"])
    assert code == 0 and err == ""


def test_backtest_longer_than_history_is_a_note_not_a_failure(tmp_path: Path, cli) -> None:
    code, out, _err = cli(["forecast", EXAMPLE, "--out", tmp_path / "f.xlsx",
                               "--backtest", "20", "--json", "--quiet"])
    assert code == 0
    batch = next(w for w in json.loads(out)["workloads"] if w["demand_method"] == "history")
    assert batch["backtest"] is None and "at least 6 are needed" in batch["backtest_note"]


def test_refuses_to_overwrite_the_input_and_bad_options(tmp_path: Path, cli) -> None:
    path = shutil.copy(EXAMPLE, tmp_path / "in.xlsx")
    before = Path(path).read_bytes()
    code, _out, err = cli(["forecast", path, "--out", path, "--quiet"])
    assert code == 2 and "refusing to overwrite" in err
    assert Path(path).read_bytes() == before
    code, _out, err = cli(["forecast", path, "--backtest", "0", "--quiet"])
    assert code == 2 and "--backtest" in err


def test_bad_history_row_exits_2_naming_sheet_row_column(tmp_path: Path, cli) -> None:
    path = forecast_workbook(tmp_path, BAD["history_bad_month"][0])
    out = tmp_path / "f.xlsx"
    code, _out, err = cli(["forecast", path, "--out", out, "--quiet"])
    assert code == 2 and "Traceback" not in err
    assert "sheet 'History', row 3, column 'month'" in err
    assert not out.exists()


def _busier_history(wb) -> None:
    """History demand x 30, so the P10 and P90 fleets differ by whole chips (at the
    minimal workbook's ~1e9 tokens/day one rented chip serves every scenario)."""
    ws = wb["History"]
    col = next(c.column for c in ws[1] if c.value == "tokens_per_day")
    for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
        if row[0].value is not None:
            row[0].value = row[0].value * 30


def test_forecast_scenarios_flag(tmp_path: Path, cli) -> None:
    path = forecast_workbook(tmp_path, _busier_history)
    code, _out, err = cli(["plan", path, "--forecast-scenarios", "--quiet"])
    assert code == 2 and "needs --hedge" in err
    out = tmp_path / "w.xlsx"
    code, text, err = cli(["whatif", path, "--forecast-scenarios", "--out", out,
                               "--workers", "1", "--json", "--quiet"])
    assert code == 0, err
    costs = {s["scenario"]: s["total_cost_usd"] for s in json.loads(text)["scenarios"]}
    assert list(costs) == ["base", "low", "high"]
    gap = 1.005  # each solve stops within the workbook's 0.5% gap
    assert costs["low"] < costs["high"]
    assert costs["low"] <= costs["base"] * gap and costs["base"] <= costs["high"] * gap
