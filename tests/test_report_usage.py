"""Utilisation per chip and quarter, and unit economics per workload and year."""

from __future__ import annotations

import openpyxl
import pytest
from report_fixtures import H100, H200, QUARTERS, make_plan

from planner.report import metrics, write_report
from planner.report.unit_economics import COLUMNS, unit_economics_rows
from planner.report.usage import average_utilisation, facility_kw_per_chip, utilisation_rows

# chips used / available per (quarter, chip) in the fixture plan (see report_fixtures)
USED_AVAILABLE = {
    ("2027Q3", H100): (30, 32), ("2027Q4", H100): (6, 16), ("2027Q4", H200): (24, 32),
    ("2028Q1", H100): (7, 32), ("2028Q1", H200): (32, 32), ("2028Q2", H100): (28, 32),
    ("2028Q2", H200): (32, 32),
}


_AT = {c.name: i for i, c in enumerate(COLUMNS)}
SERVED, SERVED_OUT = _AT["served_million_prompt_output_tokens"], _AT["served_million_output_tokens"]
API, COST = _AT["api_million_prompt_output_tokens"], _AT["allocated_cost_usd"]
PER_MTOK = _AT["usd_per_million_prompt_output_tokens"]
PER_MTOK_OUT = _AT["usd_per_million_output_tokens"]
CHIPS, KW = _AT["avg_chips_allocated"], _AT["avg_facility_power_kw"]
TPS, TPS_OUT = _AT["avg_chip_served_prompt_output_tokens_per_s"], _AT["avg_chip_served_output_tokens_per_s"]
PER_WATT = _AT["prompt_output_tokens_per_s_per_watt"]
PER_WATT_OUT = _AT["output_tokens_per_s_per_watt"]

def test_utilisation_rows_count_owned_rented_reserved_and_training():
    result, _ = make_plan()
    rows = {(r[0], r[1]): r for r in utilisation_rows(result)}
    assert set(rows) == set(USED_AVAILABLE)
    for key, (used, available) in USED_AVAILABLE.items():
        assert rows[key][5] == available and rows[key][8] == pytest.approx(used)
        assert rows[key][10] == pytest.approx(used / available)
    # 2028Q2 H100: 16 owned + 16 reserved; 20 serving inference, 8 training
    assert rows["2028Q2", H100][2:10] == (16, 0, 16, 32, 20.0, 8.0, 28.0, 4.0)
    assert rows["2027Q3", H100][3] == 32  # rented on demand


def test_average_utilisation_is_over_chip_quarters(tmp_path):
    result, inp = make_plan()
    used = sum(u for u, _ in USED_AVAILABLE.values())
    available = sum(a for _, a in USED_AVAILABLE.values())
    assert average_utilisation(result) == pytest.approx(used / available)
    path = write_report(result, inp, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows() if r[0].value}
    assert summary["Average chip utilisation"] == pytest.approx(used / available)
    ws = wb["Utilisation"]
    assert ws.tables["tbl_utilisation"].ref == f"A1:K{1 + len(USED_AVAILABLE)}"
    assert ws["K2"].number_format == "0.0%"


def test_no_fleet_means_no_utilisation():
    result, _ = make_plan(empty=True, training=False)
    assert utilisation_rows(result) == [] and average_utilisation(result) is None


@pytest.mark.parametrize("kw", [{}, {"extras": True}, {"unmet": True}])
def test_yearly_costs_add_up_to_the_horizon_costs(kw):
    result, inp = make_plan(**kw)
    rows, unallocated = unit_economics_rows(result, inp)
    nominal = sum(r.cost_usd for r in result.cashflow)
    assert sum(r[COST] for r in rows) + unallocated == pytest.approx(nominal)
    horizon = {u.user: u.cost_usd for u in metrics.cost_per_user(result, inp)[0]}
    for user, cost in horizon.items():
        assert sum(r[COST] for r in rows if r[1] == user) == pytest.approx(cost)
    for r in rows:
        if r[2] == "inference" and r[SERVED]:
            assert r[PER_MTOK] == pytest.approx(r[COST] / r[SERVED])  # prompt+output
            assert r[PER_MTOK_OUT] == pytest.approx(r[COST] / r[SERVED_OUT])  # output only


def test_tokens_per_watt_by_hand():
    """2027 'code': 2 then 3 rented H100 (0.945 kW each, settings PUE 1.3) serve all of
    2e9 and 3e9 tokens a day."""
    result, inp = make_plan()
    rows = {(r[0], r[1]): r for r in unit_economics_rows(result, inp)[0]}
    code = rows["2027", "code"]
    tokens_per_s = (2e9 + 3e9) / 86400
    watts = (2 + 3) * 0.945 * 1.3 * 1000
    assert code[CHIPS] == pytest.approx(2.5)                 # chips, average per quarter
    assert code[TPS] == pytest.approx(tokens_per_s / 2)      # prompt+output tokens/s, average
    assert code[KW] == pytest.approx(watts / 1000 / 2)       # kW, average
    assert code[PER_WATT] == pytest.approx(tokens_per_s / watts)
    days = 8766.0 / 4 / 24
    assert code[SERVED] == pytest.approx((2e9 + 3e9) * days / 1e6)
    # 'code' serves 3,000 prompt + 200 output tokens: output only is 200 / 3,200 = 1/16
    assert code[SERVED_OUT] == pytest.approx(code[SERVED] / 16)
    assert code[TPS_OUT] == pytest.approx(tokens_per_s / 2 / 16)
    assert code[PER_WATT_OUT] == pytest.approx(tokens_per_s / watts / 16)
    assert code[PER_MTOK_OUT] == pytest.approx(16 * code[PER_MTOK])
    assert rows["2028", "training: tune-8b"][SERVED:API + 1] == (None, None, None)


def test_owned_chips_use_their_sites_pue():
    result, inp = make_plan()
    kw = facility_kw_per_chip(result, inp)
    assert kw["2027Q4", H200] == pytest.approx(1.0 * 1.3)        # Site A: settings PUE
    # 2028Q1 H100: 16 owned at Site B (PUE 1.2) and 16 reserved (settings PUE 1.3)
    assert kw["2028Q1", H100] == pytest.approx(0.945 * (1.2 + 1.3) / 2)


def test_api_tokens_are_not_counted_against_chip_power():
    result, inp = make_plan(extras=True)
    rows = {(r[0], r[1]): r for r in unit_economics_rows(result, inp)[0]}
    code = rows["2028", "code"]
    days = 8766.0 / 4 / 24
    assert code[API] == pytest.approx(5e8 * days / 1e6)
    served = sum(c.served_tokens_per_day for c in result.capacity
                 if c.workload == "code" and c.quarter in QUARTERS[2:])
    assert code[TPS] * 2 == pytest.approx((served - 5e8) / 86400)


def test_unit_economics_sheet(tmp_path):
    result, inp = make_plan()
    wb = openpyxl.load_workbook(write_report(result, inp, tmp_path / "plan.xlsx"))
    ws = wb["UnitEconomics"]
    rows = unit_economics_rows(result, inp)[0]
    assert ws.tables["tbl_unit_economics"].ref == f"A1:P{1 + len(rows)}"
    assert [ws.cell(2, c).value for c in (1, 2, 3)] == ["2027", "chat", "inference"]
    assert ws["P1"].value == "throughput_source" and ws["P2"].value == "modelled"
    assert ws["H2"].number_format == "#,##0.000" and ws["I2"].number_format == "#,##0.000"
    assert ws["N2"].number_format == "#,##0.00"
