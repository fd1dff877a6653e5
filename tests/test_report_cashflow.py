"""CashFlow: rows are the optimizer's numbers, totals are formulas an analyst can trace,
and the discounted total reproduces the objective."""

from __future__ import annotations

import re

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string
from report_fixtures import make_plan

from planner.report import write_report
from planner.report.sheets_money import NAMES

COST_COL = NAMES.index("discounted_cost_usd") + 1
PENALTY_COL = NAMES.index("discounted_penalty_usd") + 1

RANGE = re.compile(r"([A-Z]+)(\d+):([A-Z]+)(\d+)")


def _range(ws, text: str) -> list[float]:
    c1, r1, c2, r2 = RANGE.fullmatch(text).groups()
    return [ws.cell(r, c).value or 0.0
            for r in range(int(r1), int(r2) + 1)
            for c in range(column_index_from_string(c1), column_index_from_string(c2) + 1)]


def evaluate(ws, formula: str) -> float:
    """Evaluate the report's own formula shapes: =SUM(r), =X9-SUMPRODUCT(r1,r2)."""
    m = re.fullmatch(r"=SUM\(([A-Z0-9:]+)\)", formula)
    if m:
        return sum(_range(ws, m.group(1)))
    m = re.fullmatch(r"=([A-Z]+\d+)-SUMPRODUCT\(([A-Z0-9:]+),([A-Z0-9:]+)\)", formula)
    assert m, formula
    total = evaluate(ws, ws[m.group(1)].value)
    return total - sum(a * b for a, b in zip(_range(ws, m.group(2)), _range(ws, m.group(3))))


@pytest.fixture(scope="module", params=[{}, {"unmet": True}, {"extras": True}])
def case(request, tmp_path_factory):
    result, inp = make_plan(**request.param)
    path = write_report(result, inp, tmp_path_factory.mktemp("cf") / "plan.xlsx")
    return openpyxl.load_workbook(path)["CashFlow"], result


def _row_of(ws, label: str) -> int:
    return next(r for r in range(1, ws.max_row + 1)
                if isinstance(ws.cell(r, 1).value, str) and ws.cell(r, 1).value.startswith(label))


def test_rows_are_numbers(case):
    ws, result = case
    for i, row in enumerate(sorted(result.cashflow, key=lambda r: r.quarter), start=2):
        assert ws.cell(i, 1).value == row.quarter
        # full precision (openpyxl keeps 16 significant digits): far below a cent
        assert ws.cell(i, COST_COL).value == pytest.approx(row.discounted_cost_usd, abs=1e-6)
        assert ws.cell(i, COST_COL).data_type == "n"
        assert ws.cell(i, PENALTY_COL).value == pytest.approx(row.discounted_penalty_usd,
                                                              abs=1e-6)


def test_total_row_is_formulas_equal_to_objective(case):
    ws, result = case
    total = _row_of(ws, "TOTAL")
    assert total == 2 + len(result.cashflow)
    money = [i for i, n in enumerate(NAMES, start=1) if n.endswith("_usd")]
    for col in money:
        assert ws.cell(total, col).data_type == "f"
        assert ws.cell(total, col).value.startswith("=SUM(")
    assert ws.cell(total, COST_COL).value == f"=SUM(N2:N{total - 1})"
    cost = evaluate(ws, ws.cell(total, COST_COL).value)
    penalty = evaluate(ws, ws.cell(total, PENALTY_COL).value)
    assert cost + penalty == pytest.approx(result.solver.objective_usd, abs=1.0)


def test_tco_penalty_and_objective_rows(case):
    """The rows under TOTAL: cost of ownership, penalties, carbon cost, objective = all
    three."""
    ws, result = case
    tco = ws.cell(_row_of(ws, "total_cost_of_ownership_usd"), COST_COL).value
    assert evaluate(ws, ws[tco[1:]].value) == pytest.approx(result.total_cost_usd, abs=1.0)
    pen = ws.cell(_row_of(ws, "penalties_usd"), COST_COL).value
    assert evaluate(ws, ws[pen[1:]].value) == pytest.approx(result.costs.penalties_usd, abs=1.0)
    carbon = ws.cell(_row_of(ws, "carbon_cost_usd"), COST_COL).value
    assert evaluate(ws, ws[carbon[1:]].value) == pytest.approx(result.costs.carbon_cost_usd,
                                                               abs=1.0)
    assert ws.cell(_row_of(ws, "objective_usd"), COST_COL).value == \
        f"{tco}+{pen[1:]}+{carbon[1:]}"


def test_year_section_sums_each_year(case):
    ws, result = case
    header = _row_of(ws, "year")
    years = {}
    r = header + 1
    while ws.cell(r, 1).value:
        years[ws.cell(r, 1).value] = evaluate(ws, ws.cell(r, 2).value)
        r += 1
    assert set(years) == {"2027", "2028"}
    assert years["2027"] == pytest.approx(
        sum(c.capital_usd for c in result.cashflow if c.quarter.startswith("2027")))
    assert len(ws._charts) == 1
